/**
 * Serves the hub's `/ws` from Vite's own HTTP server in `vite dev` and `vite preview`, so the app
 * and its socket share one origin and port. Every other upgrade (Vite's HMR socket) is left alone.
 *
 * This file is bundled with vite.config.ts, outside the app's module graph, so it imports no app
 * code: in dev it loads the hub through Vite's SSR loader (the same module instance the app's
 * routes use); in preview the built app's `init` hook has already created the hub on globalThis.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Plugin } from 'vite';
import { findHub, isPath, type UpgradeHandler } from './global.ts';

const HUB_MODULE = '/src/lib/server/realtime/hub.ts';

type HubLoader = () => Promise<UpgradeHandler | undefined>;
type Logger = { error(message: string): void };

function forwardUpgrades(
	server: {
		on(
			event: 'upgrade',
			listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
		): unknown;
	},
	loadHub: HubLoader,
	logger: Logger
): void {
	server.on('upgrade', (req, socket, head) => {
		if (!isPath(req.url)) return;
		loadHub().then(
			(hub) => {
				if (hub?.handleUpgrade(req, socket, head)) return;
				logger.error('[realtime] no hub in this process: /ws refused');
				socket.destroy();
			},
			(error: unknown) => {
				logger.error(`[realtime] could not load the hub: ${String(error)}`);
				socket.destroy();
			}
		);
	});
}

/** The Vite plugin; add it after `sveltekit()` in vite.config.ts. */
export function realtimePlugin(): Plugin {
	return {
		name: 'career-copilot-realtime',
		configureServer(server) {
			if (!server.httpServer) return; // middleware mode: whoever owns the server attaches the hub
			const load: HubLoader = async () => {
				const module = (await server.ssrLoadModule(HUB_MODULE)) as { getHub(): UpgradeHandler };
				return module.getHub();
			};
			forwardUpgrades(server.httpServer, load, server.config.logger);
		},
		configurePreviewServer(server) {
			forwardUpgrades(server.httpServer, async () => findHub(), server.config.logger);
		}
	};
}
