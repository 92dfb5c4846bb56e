/**
 * What the Vite plugin needs to find the process's hub without importing it (the plugin is
 * bundled with vite.config.ts, outside the app's module graph and its `$lib` aliases).
 * Deliberately free of imports.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** The globalThis key of the process's hub (one instance per process, whichever copy made it). */
export const HUB_KEY = Symbol.for('career-copilot.realtime-hub');

/** The only path the hub answers upgrades on; every other upgrade (e.g. Vite HMR) is left alone. */
export const WS_PATH = '/ws';

/** The part of the hub that serves an HTTP upgrade. */
export interface UpgradeHandler {
	/** Take over the upgrade if it is for the hub's path; false (untouched) otherwise. */
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

/** The hub created in this process, if any. */
export function findHub(): UpgradeHandler | undefined {
	return (globalThis as typeof globalThis & { [HUB_KEY]?: UpgradeHandler })[HUB_KEY];
}

/** Whether a request URL (path and query, as in `req.url`) is for `path`. */
export function isPath(url: string | undefined, path: string = WS_PATH): boolean {
	if (!url) return false;
	const end = url.indexOf('?');
	return (end < 0 ? url : url.slice(0, end)) === path;
}
