/**
 * Reading the public settings (`PUBLIC_WS_URL`, `PUBLIC_ENABLE_WEBSOCKETS`,
 * `PUBLIC_XSTATE_INSPECT`) into values the realtime module can use. Pure, so it is unit-tested.
 */

/** The parts of `window.location` the socket URL is built from. */
export interface PageLocation {
	protocol: string;
	host: string;
}

/**
 * The WebSocket URL: `configured` when set (ws:, wss:, http(s): turned into ws(s):, or a path on
 * this origin), else the same origin's `/ws`, with `wss:` on an https page.
 * Throws a TypeError naming PUBLIC_WS_URL for a value that is none of these.
 */
export function resolveWsUrl(configured: string | undefined, location: PageLocation): string {
	const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
	const value = configured?.trim();
	if (!value) return `${scheme}//${location.host}/ws`;
	if (value.startsWith('/') && !value.startsWith('//'))
		return `${scheme}//${location.host}${value}`;
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new TypeError(`PUBLIC_WS_URL must be a ws(s) or http(s) URL or a path, got ${value}`);
	}
	if (url.protocol === 'http:' || url.protocol === 'https:') {
		url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
	}
	if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
		throw new TypeError(`PUBLIC_WS_URL must use ws:, wss:, http: or https:, got ${url.protocol}`);
	}
	return url.href;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/**
 * A boolean setting: `fallback` when unset or empty; "true/1/yes/on" and "false/0/no/off" in any
 * case. Anything else throws a TypeError naming the setting, so a typo is not silently ignored.
 */
export function readFlag(name: string, value: string | undefined, fallback: boolean): boolean {
	const normalized = value?.trim().toLowerCase();
	if (!normalized) return fallback;
	if (TRUE.has(normalized)) return true;
	if (FALSE.has(normalized)) return false;
	throw new TypeError(`${name} must be true or false, got ${value}`);
}
