/**
 * The production server (`npm start` = `node build/server.js`): adapter-node's request handler
 * and the realtime hub on one HTTP server, so the app and `/ws` share an origin.
 *
 * Bundled by esbuild into build/server.js next to adapter-node's build/handler.js, which it loads
 * at run time. Importing the handler runs the app's `init` hook, which creates the hub on
 * globalThis; getHub() here (a second copy of the hub module) then finds that same instance.
 *
 * Environment: PORT (default 3000; 0 picks a free port), HOST (default 0.0.0.0), DATABASE_PATH,
 * SIMULATE, SESSION_SECRET, REALTIME_* (see hubOptionsFromEnv), and adapter-node's ORIGIN,
 * PROTOCOL_HEADER, HOST_HEADER, ADDRESS_HEADER, BODY_SIZE_LIMIT.
 */
import { existsSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { fileURLToPath } from 'node:url';
import { closeDb } from '../src/lib/server/db';
import { getHub } from '../src/lib/server/realtime/hub';

/** How long shutdown waits for HTTP requests in flight before cutting them. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * adapter-node takes the protocol from ORIGIN or PROTOCOL_HEADER and otherwise assumes https, which
 * breaks form actions (CSRF origin check) and Secure cookies on a plain-http `npm start`. When
 * neither is configured, tell it the truth: this server speaks plain http. The header is set by
 * us on every request, overwriting anything a client sent.
 */
const SOCKET_PROTOCOL_HEADER = 'x-career-copilot-protocol';
const protocolFromSocket = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
if (protocolFromSocket) process.env.PROTOCOL_HEADER = SOCKET_PROTOCOL_HEADER;

const handlerUrl = new URL('./handler.js', import.meta.url);
if (!existsSync(fileURLToPath(handlerUrl))) {
	console.error(`${fileURLToPath(handlerUrl)} is missing: run \`npm run build\` first`);
	process.exit(1);
}
const { handler } = (await import(handlerUrl.href)) as { handler: RequestListener };

const hub = getHub();
const server = createServer(
	protocolFromSocket
		? (req, res) => {
				req.headers[SOCKET_PROTOCOL_HEADER] = 'http';
				handler(req, res);
			}
		: handler
);
// /ws goes to the hub; nothing else here upgrades, so any other upgrade gets a 404.
server.on('upgrade', (req, socket, head) => {
	if (!hub.handleUpgrade(req, socket, head)) {
		socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
	}
});

// Tests read the hub's counters (sockets held, per-user peak) over the IPC channel of the process
// that started this one: nothing on the network can reach them. Off unless asked for.
if (process.env.REALTIME_STATS_IPC === 'true' && process.send) {
	process.on('message', (message: { type?: unknown; id?: unknown }) => {
		if (message?.type === 'hub-stats') {
			process.send?.({ type: 'hub-stats', id: message.id, stats: hub.stats() });
		}
	});
	// The channel must not keep the process alive after the HTTP server has closed.
	process.channel?.unref();
}

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
server.listen(port, host, () => {
	const address = server.address();
	const where = typeof address === 'string' ? address : `http://${host}:${address?.port}`;
	console.log(`Listening on ${where}`);
});

/**
 * Stop taking connections, close every socket with 1001 (clients reconnect elsewhere and resume),
 * let requests in flight finish, close the database, exit 0.
 */
async function shutDown(signal: string): Promise<void> {
	console.log(`${signal}: shutting down`);
	const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
	server.closeIdleConnections();
	await hub.close();
	const grace = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
	await httpClosed;
	clearTimeout(grace);
	closeDb();
	process.exit(0);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
	process.once(signal, () => {
		shutDown(signal).catch((error: unknown) => {
			console.error('shutdown failed:', error);
			process.exit(1);
		});
	});
}
