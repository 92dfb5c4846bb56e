/**
 * Server benchmark worker: a realtime hub on a temporary SQLite file behind an HTTP server on
 * 127.0.0.1, with limits opened up for one address holding 10,000 sockets. Driven over IPC by
 * bench/server.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSession } from '../src/lib/server/auth';
import { openDatabase } from '../src/lib/server/db';
import { createHub } from '../src/lib/server/realtime/hub';
import { collectGarbage, serveRequests, wallClock } from './server-ipc';

const heartbeatInterval = Number(process.argv[2] ?? 2_000);
const maxSockets = Number(process.argv[3] ?? 10_000);

const dir = mkdtempSync(join(tmpdir(), 'cc-bench-'));
const db = openDatabase(join(dir, 'bench.db'));
const addUser = db.prepare(
	"INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, 'unused', '2026-01-01T00:00:00.000Z')"
);
const fanoutUser = Number(addUser.run('fanout@bench.invalid', 'Fanout').lastInsertRowid);
const replayUser = Number(addUser.run('replay@bench.invalid', 'Replay').lastInsertRowid);

const unlimited = { burst: 1_000_000_000, perSecond: 1_000_000_000 };
const hub = createHub({
	db,
	heartbeatInterval,
	maxSocketsPerUser: maxSockets + 10,
	connectionRate: unlimited,
	logger: { info: () => undefined, warn: console.warn, error: console.error }
});
const server = createServer((_req, res) => res.writeHead(404).end());
hub.attach(server);
server.listen(0, '127.0.0.1', 4096, () => {
	process.send?.({
		ready: true,
		port: (server.address() as AddressInfo).port,
		fanoutToken: createSession(db, fanoutUser).token,
		replayToken: createSession(db, replayUser).token
	});
});

serveRequests(async (request) => {
	switch (request.cmd) {
		case 'memory': {
			collectGarbage();
			collectGarbage();
			const { rss, heapUsed } = process.memoryUsage();
			return { rss, heapUsed, ...hub.stats() };
		}
		case 'fanout': {
			// One event to every socket of the fan-out user; the clients time its arrival.
			const started = performance.now();
			hub.emit(fanoutUser, 'bench:fanout', { round: request.round, sentAt: wallClock() });
			return { emitMs: performance.now() - started };
		}
		case 'fill-replay': {
			for (let i = 0; i < (request.count as number); i++) {
				hub.emit(replayUser, 'notification:new', {
					id: `bench-${i}`,
					category: 'system',
					title: `Replayed event ${i}`,
					description: 'An event the client missed while it was away.',
					timestamp: new Date().toISOString()
				});
			}
			return { lastSeq: hub.lastSeq(replayUser) };
		}
		case 'stop': {
			await hub.close();
			server.close();
			db.close();
			rmSync(dir, { recursive: true, force: true });
			setImmediate(() => process.exit(0));
			return {};
		}
		default:
			throw new Error(`unknown command ${request.cmd}`);
	}
});
