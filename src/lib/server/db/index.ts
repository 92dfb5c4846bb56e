/**
 * The embedded SQLite store. One connection per process, shared on globalThis so the SvelteKit
 * server bundle and the production server entry (each with its own copy of this module) use the
 * same handle.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { seedDemoData } from '../seed';
import { migrate } from './migrations';

export { migrate } from './migrations';

/** Where the database lives unless DATABASE_PATH says otherwise (relative to the cwd). */
export const DEFAULT_DATABASE_PATH = 'data/app.db';

const DB_KEY = Symbol.for('career-copilot.db');
const registry = globalThis as typeof globalThis & { [DB_KEY]?: Database.Database };

/**
 * Open (creating the file and its directory when needed) a database at `path`, in WAL mode with
 * foreign keys on, migrated to the latest schema. Not seeded, not shared: tests and tools own
 * the handle they get and close it themselves. `':memory:'` works too.
 */
export function openDatabase(path: string): Database.Database {
	if (typeof path !== 'string' || path === '') {
		throw new TypeError('openDatabase: path must be a non-empty string');
	}
	if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
	const db = new Database(path);
	try {
		db.pragma('journal_mode = WAL');
		// WAL makes NORMAL durable against application crashes; only an OS crash can lose the
		// last transactions, which the event log tolerates (clients resync).
		db.pragma('synchronous = NORMAL');
		db.pragma('foreign_keys = ON');
		db.pragma('busy_timeout = 5000');
		migrate(db);
		return db;
	} catch (error) {
		db.close();
		throw error;
	}
}

/**
 * The process's database: DATABASE_PATH or `data/app.db`, migrated, and seeded with the demo
 * accounts on first use when it has no users.
 */
export function getDb(): Database.Database {
	const existing = registry[DB_KEY];
	if (existing?.open) return existing;
	const db = openDatabase(process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH);
	try {
		seedDemoData(db);
	} catch (error) {
		db.close();
		throw error;
	}
	registry[DB_KEY] = db;
	return db;
}

/** Close the process's database (on shutdown). A later getDb() opens it again. */
export function closeDb(): void {
	const db = registry[DB_KEY];
	delete registry[DB_KEY];
	if (db?.open) db.close();
}
