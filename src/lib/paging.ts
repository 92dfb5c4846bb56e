/** Page arithmetic shared by the paged lists (Jobs, Notifications) and their pager. */

/** How many pages `total` items fill at `size` per page; at least 1, so page 1 always exists. */
export function pageCount(total: number, size: number): number {
	return Math.max(1, Math.ceil(total / size));
}

/** The rows to skip for 1-based `page`. */
export function pageOffset(page: number, size: number): number {
	return (page - 1) * size;
}

/**
 * The page numbers a pager shows around `current` of `count`: always the first and the last,
 * `radius` either side of the current one, and `null` where a run of pages is left out
 * (1 … 4 5 6 … 12). A gap of a single page shows that page instead of an ellipsis.
 */
export function pageWindow(current: number, count: number, radius = 1): (number | null)[] {
	const shown = new Set([1, count]);
	for (let page = current - radius; page <= current + radius; page++) {
		if (page >= 1 && page <= count) shown.add(page);
	}
	const pages = [...shown].sort((a, b) => a - b);
	const window: (number | null)[] = [];
	for (const page of pages) {
		const previous = window.at(-1);
		if (typeof previous === 'number' && page - previous === 2) window.push(page - 1);
		else if (typeof previous === 'number' && page - previous > 2) window.push(null);
		window.push(page);
	}
	return window;
}
