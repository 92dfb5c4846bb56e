/**
 * Read a JSON array of strings stored in a TEXT column (skills lists). A value that is not valid
 * JSON or not an array reads as empty, and non-string items are skipped, so one bad row cannot
 * break a page.
 */
export function parseStringArray(text: string | null): string[] {
	if (!text) return [];
	try {
		const value: unknown = JSON.parse(text);
		return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
	} catch {
		return [];
	}
}

/** Read a JSON object stored in a TEXT column (notification metadata); anything else is absent. */
export function parseRecord(text: string | null): Record<string, unknown> | undefined {
	if (!text) return undefined;
	try {
		const value: unknown = JSON.parse(text);
		return typeof value === 'object' && value !== null && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}
