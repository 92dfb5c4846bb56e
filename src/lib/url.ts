/**
 * Link safety for text that came from the server or a user (notification `actionUrl`, job `url`).
 * A value becomes a link only when it is a same-origin path or an absolute http(s) URL; anything
 * else (`javascript:`, `data:`, protocol-relative `//host`, bare relative paths) stays plain text.
 */

/** A placeholder origin used to resolve paths; `.invalid` can never be a real host. */
const PATH_BASE = 'http://same-origin.invalid';

/**
 * Characters browsers silently strip or reinterpret inside URLs (tabs, newlines, other controls,
 * whitespace, backslashes that become slashes), which would let "/\evil.com" or "/\t/evil.com"
 * turn a path into another origin.
 */
// eslint-disable-next-line no-control-regex
const AMBIGUOUS = /[\u0000-\u0020\u007f\\]/;

/** The longest href accepted; longer values are refused rather than truncated. */
const MAX_LENGTH = 2048;

/**
 * The href to render for `raw`, or `null` when it must not become a link.
 * Same-origin paths are returned as given; absolute http(s) URLs in their normalised form.
 */
export function safeHref(raw: unknown): string | null {
	if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_LENGTH) return null;
	if (AMBIGUOUS.test(raw)) return null;
	if (raw.startsWith('/')) {
		if (raw.startsWith('//')) return null;
		const url = parse(raw, PATH_BASE);
		return url?.origin === PATH_BASE ? raw : null;
	}
	const url = parse(raw);
	return url && (url.protocol === 'http:' || url.protocol === 'https:') ? url.href : null;
}

/** Whether a safe href leaves this site (so it opens with `rel="noopener noreferrer"`). */
export function isExternalHref(href: string): boolean {
	return !href.startsWith('/');
}

function parse(raw: string, base?: string): URL | null {
	try {
		return new URL(raw, base);
	} catch {
		return null;
	}
}
