/**
 * A real realtime server for tests: an HTTP server on 127.0.0.1 (ephemeral port) with the app's
 * hub attached, composed exactly as the app composes it (createServerApp), on either engine: a
 * SQLite file in a temporary directory, or a fresh PostgreSQL database from the run's harness
 * (TEST_DATABASE_URL or the private cluster).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventFrame } from 'statechart-websocket';
import { createServerApp, type ServerApp } from '../../src/lib/server/app';
import { createSession } from '../../src/lib/server/auth';
import type { DatabaseConfig, Db } from '../../src/lib/server/db';
import type { DomainTransaction } from '../../src/lib/server/domain/events';
import type { EventStore } from '../../src/lib/server/outbox/event-store';
import type { HubOptions, RealtimeHub } from '../../src/lib/server/realtime/hub';
import { testDatabase } from './postgres-vitest';

/** The engines every server suite runs on. */
export const ENGINES = ['sqlite', 'postgres'] as const;
export type EngineName = (typeof ENGINES)[number];

/** A logger that keeps what the hub said, for tests that check it logs once per kind. */
export interface CapturingLogger {
	info(...args: unknown[]): void;
	warn(...args: unknown[]): void;
	error(...args: unknown[]): void;
	lines: string[];
}

export function capturingLogger(): CapturingLogger {
	const lines: string[] = [];
	const keep = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
	return { info: keep, warn: keep, error: keep, lines };
}

/**
 * A database for one test (or several servers in turn): a SQLite file in a temporary directory
 * or a fresh PostgreSQL database. `remove()` deletes it.
 */
export interface TestStorage {
	config: DatabaseConfig;
	remove(): Promise<void>;
}

export async function createTestStorage(engine: EngineName): Promise<TestStorage> {
	if (engine === 'postgres') {
		const database = await testDatabase();
		return { config: { engine, url: database.url, poolSize: 4 }, remove: () => database.drop() };
	}
	const dir = mkdtempSync(join(tmpdir(), 'cc-server-'));
	return {
		config: { engine, path: join(dir, 'app.db') },
		remove: async () => rmSync(dir, { recursive: true, force: true })
	};
}

export interface RealtimeTestServer {
	engine: EngineName;
	/** `ws://127.0.0.1:<port>/ws` */
	url: string;
	/** `http://127.0.0.1:<port>`, the same-origin Origin header value. */
	origin: string;
	storage: TestStorage;
	app: ServerApp;
	db: Db;
	store: EventStore;
	hub: RealtimeHub<DomainTransaction>;
	/** The HTTP server the hub is attached to. */
	http: Server;
	logger: CapturingLogger;
	/** Create a user; returns its id. */
	createUser(name?: string): Promise<number>;
	/** A session token for a user (ttlMs < 0: already expired). */
	makeToken(userId: number, ttlMs?: number): Promise<string>;
	/** Append an event for a user in a transaction of its own (delivered after the commit). */
	emit(userId: number, type: string, data: unknown): Promise<EventFrame>;
	/** Stop the hub (sockets get 1001) and the server, close the db, remove its storage. */
	close(): Promise<void>;
}

export interface RealtimeTestServerOptions {
	/** Default sqlite. */
	engine?: EngineName;
	/** Reuse this storage (e.g. to restart on the same log); the caller removes it. */
	storage?: TestStorage;
	retainedEvents?: number;
	/** On PostgreSQL: the LISTEN connection's first reconnect delay. */
	listenRetryMs?: number;
	hub?: Partial<Omit<HubOptions, 'store' | 'authenticate'>>;
}

let users = 0;

export async function startRealtimeTestServer(
	options: RealtimeTestServerOptions = {}
): Promise<RealtimeTestServer> {
	const engine = options.storage?.config.engine ?? options.engine ?? 'sqlite';
	const storage = options.storage ?? (await createTestStorage(engine));
	const logger = capturingLogger();
	const app = await createServerApp({
		database: storage.config,
		retainedEvents: options.retainedEvents,
		listenRetryMs: options.listenRetryMs,
		hub: { logger, ...options.hub }
	});
	const { hub, store } = app;
	const db = app.database.db;
	const server = createServer((_req, res) => res.writeHead(404).end());
	const sockets = new Set<Socket>();
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});
	hub.attach(server);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		engine,
		url: `ws://127.0.0.1:${port}/ws`,
		origin: `http://127.0.0.1:${port}`,
		storage,
		app,
		db,
		store,
		hub,
		http: server,
		logger,
		async createUser(name = `user${++users}`) {
			const email = `${name}-${++users}-${Date.now()}@test.invalid`;
			// Tests never log in with a password; the hash only has to be present.
			const row = await db
				.insertInto('users')
				.values({ email, name, password_hash: 'unused', created_at: new Date().toISOString() })
				.returning('id')
				.executeTakeFirstOrThrow();
			return row.id;
		},
		makeToken: async (userId, ttlMs) => (await createSession(db, userId, ttlMs)).token,
		emit: (userId, type, data) => store.transaction((tx) => tx.emit(userId, type, data)),
		async close() {
			try {
				await hub.close();
				for (const socket of sockets) socket.destroy();
				await new Promise<void>((resolve) => server.close(() => resolve()));
			} finally {
				await app.close();
				if (!options.storage) await storage.remove();
			}
		}
	};
}
