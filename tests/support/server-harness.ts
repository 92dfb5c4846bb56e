/**
 * A real realtime server for tests: an HTTP server on 127.0.0.1 (ephemeral port) with a hub
 * attached, on a SQLite file in a temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { createSession } from '../../src/lib/server/auth';
import { openDatabase } from '../../src/lib/server/db';
import { createHub, type HubOptions, type RealtimeHub } from '../../src/lib/server/realtime/hub';

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

export interface RealtimeTestServer {
	/** `ws://127.0.0.1:<port>/ws` */
	url: string;
	/** `http://127.0.0.1:<port>`, the same-origin Origin header value. */
	origin: string;
	dbPath: string;
	db: Database.Database;
	hub: RealtimeHub;
	/** The HTTP server the hub is attached to. */
	http: Server;
	logger: CapturingLogger;
	/** Create a user; returns its id. */
	createUser(name?: string): number;
	/** A session token for a user (ttlMs < 0: already expired). */
	makeToken(userId: number, ttlMs?: number): string;
	/** Stop the hub (sockets get 1001) and the server, close the db, remove a temporary dir. */
	close(): Promise<void>;
}

export interface RealtimeTestServerOptions {
	/** Reuse this database file (e.g. to restart on the same log); the caller removes it. */
	dbPath?: string;
	hub?: Partial<Omit<HubOptions, 'db'>>;
}

let users = 0;

export async function startRealtimeTestServer(
	options: RealtimeTestServerOptions = {}
): Promise<RealtimeTestServer> {
	const tempDir = options.dbPath ? undefined : mkdtempSync(join(tmpdir(), 'cc-server-'));
	const dbPath = options.dbPath ?? join(tempDir as string, 'app.db');
	const db = openDatabase(dbPath);
	const logger = capturingLogger();
	const hub = createHub({ logger, ...options.hub, db });
	const server = createServer((_req, res) => res.writeHead(404).end());
	const sockets = new Set<Socket>();
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});
	hub.attach(server);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const insertUser = db.prepare<[string, string, string, string]>(
		"INSERT INTO users (email, name, password_hash, skills, created_at) VALUES (?, ?, ?, '[]', ?)"
	);
	return {
		url: `ws://127.0.0.1:${port}/ws`,
		origin: `http://127.0.0.1:${port}`,
		dbPath,
		db,
		hub,
		http: server,
		logger,
		createUser(name = `user${++users}`) {
			const email = `${name}-${users}-${Date.now()}@test.invalid`;
			// Tests never log in with a password; the hash only has to be present.
			return Number(
				insertUser.run(email, name, 'unused', new Date().toISOString()).lastInsertRowid
			);
		},
		makeToken: (userId, ttlMs) => createSession(db, userId, ttlMs).token,
		async close() {
			try {
				await hub.close();
				for (const socket of sockets) socket.destroy();
				await new Promise<void>((resolve) => server.close(() => resolve()));
			} finally {
				if (db.open) db.close();
				if (tempDir) rmSync(tempDir, { recursive: true, force: true });
			}
		}
	};
}
