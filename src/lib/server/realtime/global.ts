/**
 * What the Vite plugin and the production server entry share with the hub without importing it
 * (the plugin is bundled with vite.config.ts, outside the app's module graph). Free of imports.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** The only path the hub answers upgrades on; every other upgrade (e.g. Vite HMR) is left alone. */
export const WS_PATH = '/ws';

/** The part of the hub that serves an HTTP upgrade. */
export interface UpgradeHandler {
	/** Take over the upgrade if it is for the hub's path; false (untouched) otherwise. */
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

/** The part of the app's hooks module that whoever serves `/ws` uses (see src/hooks.server.ts). */
export interface AppEntry {
	serverApp(): Promise<{ hub: UpgradeHandler }>;
	stopServerApp(): Promise<void>;
}

/** Whether a request URL (path and query, as in `req.url`) is for `path`. */
export function isPath(url: string | undefined, path: string = WS_PATH): boolean {
	if (!url) return false;
	const end = url.indexOf('?');
	return (end < 0 ? url : url.slice(0, end)) === path;
}
