/**
 * Serves the hub's `/ws` from Vite's own HTTP server in `vite dev` and `vite preview`, so the app
 * and its socket share one origin and port. Every other upgrade (Vite's HMR socket) is left alone.
 *
 * This file is bundled with vite.config.ts, outside the app's module graph, so it imports no app
 * code. It loads the app's hooks module the way SvelteKit does, and so gets the very instance
 * SvelteKit uses: in dev through Vite's SSR loader, in preview from the build
 * (.svelte-kit/output/server/entries/hooks.server.js, which the preview server imports too).
 * The app is closed with the server.
 */
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'vite';
import { isPath, type AppEntry } from './global.ts';

type EntryLoader = () => Promise<AppEntry>;
type Logger = { error(message: string): void };

interface UpgradeSource {
	on(
		event: 'upgrade',
		listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
	): unknown;
	once(event: 'close', listener: () => void): unknown;
}

function forwardUpgrades(server: UpgradeSource, loadEntry: EntryLoader, logger: Logger): void {
	let entry: Promise<AppEntry> | undefined;
	const load = () => (entry ??= loadEntry());
	server.on('upgrade', (req, socket, head) => {
		if (!isPath(req.url)) return;
		load()
			.then((app) => app.serverApp())
			.then(
				({ hub }) => {
					if (hub.handleUpgrade(req, socket, head)) return;
					logger.error('[realtime] the hub refused its own path: /ws refused');
					socket.destroy();
				},
				(error: unknown) => {
					logger.error(`[realtime] could not start the app: ${String(error)}`);
					socket.destroy();
				}
			);
	});
	server.once('close', () => {
		entry?.then((app) => app.stopServerApp()).catch(() => {});
	});
}

/** The Vite plugin; add it after `sveltekit()` in vite.config.ts. */
export function realtimePlugin(): Plugin {
	return {
		name: 'career-copilot-realtime',
		configureServer(server) {
			if (!server.httpServer) return; // middleware mode: whoever owns the server attaches the hub
			const load: EntryLoader = async () =>
				(await server.ssrLoadModule('/src/hooks.server.ts')) as unknown as AppEntry;
			forwardUpgrades(server.httpServer, load, server.config.logger);
		},
		configurePreviewServer(server) {
			const hooks = join(server.config.root, '.svelte-kit/output/server/entries/hooks.server.js');
			const load: EntryLoader = async () =>
				(await import(/* @vite-ignore */ pathToFileURL(hooks).href)) as AppEntry;
			forwardUpgrades(server.httpServer, load, server.config.logger);
		}
	};
}
