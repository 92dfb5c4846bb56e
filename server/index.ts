/**
 * The production server (`npm start` = `node build/server.js`): adapter-node's request handler
 * and the realtime hub on one HTTP server, so the app and `/ws` share an origin.
 *
 * Bundled by esbuild (scripts/build-server.ts) into build/server.js, holding no app module of its
 * own: `$build/handler.js` is adapter-node's handler and `$build/hooks.js` the app's hooks module
 * in the same build, both kept external, so the hub it serves /ws with is the one instance the
 * app's `init` hook created (importing the handler runs that hook).
 *
 * Environment: PORT (default 3000; 0 picks a free port), HOST (default 0.0.0.0), DATABASE_URL or
 * DATABASE_PATH (and the other DATABASE_*), SIMULATE, SESSION_SECRET, REALTIME_* (see the README),
 * and adapter-node's ORIGIN, PROTOCOL_HEADER, HOST_HEADER, ADDRESS_HEADER, BODY_SIZE_LIMIT.
 */
import { createServer } from 'node:http';

/** How long shutdown waits for HTTP requests in flight before cutting them. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * adapter-node takes the protocol from ORIGIN or PROTOCOL_HEADER and otherwise assumes https, which
 * breaks form actions (CSRF origin check) and Secure cookies on a plain-http `npm start`. When
 * neither is configured, tell it the truth: this server speaks plain http. The header is set by
 * us on every request, overwriting anything a client sent. adapter-node reads it when its
 * handler is loaded, so the handler is imported after this.
 */
const SOCKET_PROTOCOL_HEADER = 'x-career-copilot-protocol';
const protocolFromSocket = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
if (protocolFromSocket) process.env.PROTOCOL_HEADER = SOCKET_PROTOCOL_HEADER;

const { handler } = await import('$build/handler.js');
const { serverApp, addTransportSecurity } = await import('$build/hooks.js');
const app = await serverApp();
const server = createServer((req, res) => {
	if (protocolFromSocket) req.headers[SOCKET_PROTOCOL_HEADER] = 'http';
	// Static files are answered before the app's hooks run: HSTS goes on every answer here.
	else addTransportSecurity(req, res);
	handler(req, res);
});
// /ws goes to the hub; nothing else here upgrades, so any other upgrade gets a 404.
server.on('upgrade', (req, socket, head) => {
	if (!app.hub.handleUpgrade(req, socket, head)) {
		socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
	}
});

// Tests read the hub's counters (sockets held, per-user peak) over the IPC channel of the process
// that started this one: nothing on the network can reach them. Off unless asked for.
if (process.env.REALTIME_STATS_IPC === 'true' && process.send) {
	process.on('message', (message: { type?: unknown; id?: unknown }) => {
		if (message?.type === 'hub-stats') {
			process.send?.({ type: 'hub-stats', id: message.id, stats: app.hub.stats() });
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
	console.log(`Listening on ${where} (${app.database.engine})`);
});

/**
 * Stop taking connections, close every socket with 1001 (clients reconnect elsewhere and resume),
 * let requests in flight finish, close the database, exit 0.
 */
async function shutDown(signal: string): Promise<void> {
	console.log(`${signal}: shutting down`);
	const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
	server.closeIdleConnections();
	await app.hub.close();
	const grace = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
	await httpClosed;
	clearTimeout(grace);
	await app.close();
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
