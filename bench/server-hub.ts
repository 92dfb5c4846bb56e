/**
 * Server benchmark worker: the app's realtime hub (composed as the app composes it) on a
 * temporary SQLite file, or on the PostgreSQL database DATABASE_URL names, behind an HTTP server
 * on 127.0.0.1, with limits opened up for one address holding 10,000 sockets. Driven over IPC by
 * bench/server.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServerApp } from '../src/lib/server/app';
import { createSession } from '../src/lib/server/auth';
import { databaseConfigFromEnv } from '../src/lib/server/db';
import { collectGarbage, serveRequests, wallClock } from './server-ipc';

const heartbeatInterval = Number(process.argv[2] ?? 2_000);
const maxSockets = Number(process.argv[3] ?? 10_000);

const dir = mkdtempSync(join(tmpdir(), 'cc-bench-'));
const unlimited = { burst: 1_000_000_000, perSecond: 1_000_000_000 };
const app = await createServerApp({
	database: process.env.DATABASE_URL
		? databaseConfigFromEnv(process.env)
		: { engine: 'sqlite', path: join(dir, 'bench.db') },
	hub: {
		heartbeatInterval,
		maxSocketsPerUser: maxSockets + 10,
		connectionRate: unlimited,
		logger: { info: () => undefined, warn: console.warn, error: console.error }
	}
});
const { hub, store } = app;
const { db } = app.database;

async function addUser(email: string, name: string): Promise<number> {
	const row = await db
		.insertInto('users')
		.values({ email, name, password_hash: 'unused', created_at: '2026-01-01T00:00:00.000Z' })
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}
const suffix = Date.now();
const fanoutUser = await addUser(`fanout-${suffix}@bench.invalid`, 'Fanout');
const replayUser = await addUser(`replay-${suffix}@bench.invalid`, 'Replay');
const fanoutToken = (await createSession(db, fanoutUser)).token;
const replayToken = (await createSession(db, replayUser)).token;
const server = createServer((_req, res) => res.writeHead(404).end());
hub.attach(server);
server.listen(0, '127.0.0.1', 4096, () => {
	process.send?.({
		ready: true,
		port: (server.address() as AddressInfo).port,
		fanoutToken,
		replayToken
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
			await store.transaction((tx) =>
				tx.emit(fanoutUser, 'bench:fanout', { round: request.round, sentAt: wallClock() })
			);
			return { emitMs: performance.now() - started };
		}
		case 'fill-replay': {
			await store.transaction(async (tx) => {
				for (let i = 0; i < (request.count as number); i++) {
					await tx.emit(replayUser, 'notification:new', {
						id: `bench-${i}`,
						category: 'system',
						title: `Replayed event ${i}`,
						description: 'An event the client missed while it was away.',
						timestamp: new Date().toISOString()
					});
				}
			});
			return { lastSeq: await store.latestSeq(db, replayUser) };
		}
		case 'stop': {
			await hub.close();
			server.close();
			await app.close();
			rmSync(dir, { recursive: true, force: true });
			setImmediate(() => process.exit(0));
			return {};
		}
		default:
			throw new Error(`unknown command ${request.cmd}`);
	}
});
