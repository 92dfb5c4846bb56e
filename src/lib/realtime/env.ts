/**
 * Reading the public settings (`PUBLIC_WS_URL`, `PUBLIC_ENABLE_WEBSOCKETS`,
 * `PUBLIC_XSTATE_INSPECT`) into values the realtime module can use. Pure, so it is unit-tested.
 */

/** The same origin's socket endpoint; the client turns a path into a ws(s): URL. */
export const DEFAULT_WS_PATH = '/ws';

/**
 * The URL given to the client: PUBLIC_WS_URL when set, else `/ws` on this origin. The client
 * itself validates it (a TypeError naming `url`).
 */
export function wsUrl(configured: string | undefined): string {
	return configured?.trim() || DEFAULT_WS_PATH;
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
