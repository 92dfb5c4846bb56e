/**
 * A search of the Jobs page as URL query parameters, so a search can be shared, bookmarked and
 * gone back to: `q` (text in title, company or skills), `skill`, `location`, `remote`, `min`
 * (minimum match, %), `sort` (`match` or `date`) and `page`. Parsing is lenient: a value that
 * makes no sense (a page of "abc", a match of 250) falls back to its default rather than failing
 * the page, since URLs get edited and truncated by hand.
 */

/** How a job is done: from home, partly in the office, or in the office. */
export const WORK_MODES = ['remote', 'hybrid', 'onsite'] as const;
export type WorkMode = (typeof WORK_MODES)[number];

export const WORK_MODE_LABELS: Record<WorkMode, string> = {
	remote: 'Remote',
	hybrid: 'Hybrid',
	onsite: 'On-site'
};

export const JOB_SORTS = ['date', 'match'] as const;
export type JobSort = (typeof JOB_SORTS)[number];

export const JOB_SORT_LABELS: Record<JobSort, string> = {
	date: 'Newest first',
	match: 'Best match first'
};

/** The minimum-match choices the filter offers (any whole percentage parses). */
export const MIN_MATCH_CHOICES = [0, 25, 50, 60, 75, 90, 100] as const;

/** Jobs on one page of results. */
export const JOBS_PAGE_SIZE = 12;

/** The longest text kept from a query parameter; the rest is cut off. */
const MAX_TEXT = 100;

export interface JobSearch {
	/** Words to find in the title, company or skills (trimmed; '' for none). */
	q: string;
	/** One skill the job must ask for (lowercase; '' for any). */
	skill: string;
	/** Text the location must contain ('' for anywhere). */
	location: string;
	remote: WorkMode | null;
	/** Minimum match score, 0-100 (0: no minimum). */
	minMatch: number;
	sort: JobSort;
	/** 1-based. */
	page: number;
}

export const DEFAULT_JOB_SEARCH: Readonly<JobSearch> = {
	q: '',
	skill: '',
	location: '',
	remote: null,
	minMatch: 0,
	sort: 'date',
	page: 1
};

function textParam(params: URLSearchParams, name: string): string {
	return (params.get(name) ?? '').trim().replace(/\s+/g, ' ').slice(0, MAX_TEXT);
}

function oneOf<T extends string>(values: readonly T[], raw: string | null): T | null {
	return (values as readonly (string | null)[]).includes(raw) ? (raw as T) : null;
}

/** A whole number in [min, max] written in decimal digits, else null. */
function wholeNumber(raw: string | null, min: number, max: number): number | null {
	if (raw === null || !/^\d{1,9}$/.test(raw.trim())) return null;
	const value = Number(raw.trim());
	return value >= min && value <= max ? value : null;
}

/** The search a URL's query parameters describe. */
export function parseJobSearch(params: URLSearchParams): JobSearch {
	return {
		q: textParam(params, 'q'),
		skill: textParam(params, 'skill').toLowerCase(),
		location: textParam(params, 'location'),
		remote: oneOf(WORK_MODES, params.get('remote')),
		minMatch: wholeNumber(params.get('min'), 0, 100) ?? 0,
		sort: oneOf(JOB_SORTS, params.get('sort')) ?? DEFAULT_JOB_SEARCH.sort,
		page: wholeNumber(params.get('page'), 1, 1_000_000) ?? 1
	};
}

/** Query parameters for a search, defaults left out, in a fixed order (so URLs compare equal). */
export function jobSearchParams(search: JobSearch): URLSearchParams {
	const params = new URLSearchParams();
	if (search.q) params.set('q', search.q);
	if (search.skill) params.set('skill', search.skill);
	if (search.location) params.set('location', search.location);
	if (search.remote) params.set('remote', search.remote);
	if (search.minMatch > 0) params.set('min', String(search.minMatch));
	if (search.sort !== DEFAULT_JOB_SEARCH.sort) params.set('sort', search.sort);
	if (search.page > 1) params.set('page', String(search.page));
	return params;
}

/** `/jobs` with the query string of `search` changed by `patch` ("?q=go&page=2"). */
export function jobSearchQuery(search: JobSearch, patch: Partial<JobSearch> = {}): string {
	const query = jobSearchParams({ ...search, ...patch }).toString();
	return query ? `?${query}` : '';
}

/** Whether the search narrows the list at all (filters or text; sort and page do not count). */
export function isFiltered(search: JobSearch): boolean {
	return (
		search.q !== '' ||
		search.skill !== '' ||
		search.location !== '' ||
		search.remote !== null ||
		search.minMatch > 0
	);
}

/** The work mode a location's text suggests, for jobs posted without one. */
export function workModeOf(location: string): WorkMode {
	const text = location.toLowerCase();
	if (/\bremote\b/.test(text)) return 'remote';
	if (/\bhybrid\b/.test(text)) return 'hybrid';
	return 'onsite';
}
