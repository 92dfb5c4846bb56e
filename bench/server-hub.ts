/**
 * Server benchmark worker: the app's realtime hub (composed as the app composes it) on a
 * temporary SQLite file, or on the PostgreSQL database DATABASE_URL names, behind an HTTP server
 * on 127.0.0.1, with limits opened up for one address holding 10,000 sockets. Driven over IPC by
 * bench/server.ts and bench/cluster.ts (with BENCH_SHARED_USERS=1, several of them share one
 * database: the first node makes the bench users, the others find them by email).
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

const shared = process.env.BENCH_SHARED_USERS === '1';

async function addUser(email: string, name: string): Promise<number> {
	const found = shared
		? await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
		: undefined;
	if (found) return found.id;
	const row = await db
		.insertInto('users')
		.values({ email, name, password_hash: 'unused', created_at: '2026-01-01T00:00:00.000Z' })
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}
const suffix = shared ? 'shared' : String(Date.now());
const fanoutUser = await addUser(`fanout-${suffix}@bench.invalid`, 'Fanout');
const replayUser = await addUser(`replay-${suffix}@bench.invalid`, 'Replay');
const pairUser = await addUser(`pair-${suffix}@bench.invalid`, 'Pair');
const fanoutToken = (await createSession(db, fanoutUser)).token;
const replayToken = (await createSession(db, replayUser)).token;
const pairToken = (await createSession(db, pairUser)).token;

/** Emit one event in a transaction of its own (committed, then NOTIFY on PostgreSQL). */
function emitOne(userId: number, type: string, data: unknown): Promise<unknown> {
	return store.transaction((tx) => tx.emit(userId, type, data));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const server = createServer((_req, res) => res.writeHead(404).end());
hub.attach(server);
server.listen(0, '127.0.0.1', 4096, () => {
	process.send?.({
		ready: true,
		port: (server.address() as AddressInfo).port,
		fanoutToken,
		replayToken,
		pairToken
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
		case 'stream': {
			// Events for the pair user at a steady rate, each stamped when it is emitted; a client on
			// another node times their arrival. Emits overlap when one commit takes longer than a beat.
			const count = request.count as number;
			const interval = 1000 / (request.perSecond as number);
			const started = performance.now();
			const inFlight: Promise<unknown>[] = [];
			for (let i = 0; i < count; i++) {
				const wait = started + i * interval - performance.now();
				if (wait > 0) await sleep(wait);
				inFlight.push(emitOne(pairUser, 'bench:stream', { i, sentAt: wallClock() }));
			}
			await Promise.all(inFlight);
			return { ms: performance.now() - started };
		}
		case 'append': {
			// As fast as it goes: `concurrency` transactions at a time, each for its own user.
			const count = request.count as number;
			const users: number[] = [];
			for (let i = 0; i < (request.concurrency as number); i++) {
				users.push(await addUser(`append-${i}-${suffix}@bench.invalid`, `Append ${i}`));
			}
			let next = 0;
			const started = performance.now();
			await Promise.all(
				users.map(async (userId) => {
					while (next < count) {
						next++;
						await emitOne(userId, 'bench:append', { n: next });
					}
				})
			);
			return { ms: performance.now() - started, events: count };
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
