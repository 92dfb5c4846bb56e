/**
 * Which URLs may become links or redirects. User-influenced URLs go through here so a
 * `javascript:` link or an open redirect to another site cannot be built from them.
 */

const MAX_URL_LENGTH = 2048;
/** A base that no real origin can equal, to tell same-origin paths from everything else. */
const PATH_BASE = 'http://same-origin.invalid';

function parseUrl(url: string, base?: string): URL | undefined {
	try {
		return new URL(url, base);
	} catch {
		return undefined;
	}
}

/**
 * The normalised path (with query and hash) when `url` is a path on this origin, else undefined.
 * Protocol-relative `//host` and backslash or tab tricks such as `/\host` resolve to another
 * origin and are refused.
 */
export function sameOriginPath(url: string | null | undefined): string | undefined {
	const candidate = url?.trim();
	if (!candidate || candidate.length > MAX_URL_LENGTH || !candidate.startsWith('/'))
		return undefined;
	const parsed = parseUrl(candidate, PATH_BASE);
	return parsed?.origin === PATH_BASE ? parsed.pathname + parsed.search + parsed.hash : undefined;
}

/**
 * The URL to store for a link: a same-origin path (normalised) or an absolute http(s) URL.
 * Anything else (`javascript:`, `data:`, relative paths without a leading slash) is undefined.
 */
export function safeLinkUrl(url: string | null | undefined): string | undefined {
	const path = sameOriginPath(url);
	if (path !== undefined) return path;
	const candidate = url?.trim();
	if (!candidate || candidate.length > MAX_URL_LENGTH || candidate.startsWith('/'))
		return undefined;
	const parsed = parseUrl(candidate);
	return parsed?.protocol === 'http:' || parsed?.protocol === 'https:' ? parsed.href : undefined;
}
