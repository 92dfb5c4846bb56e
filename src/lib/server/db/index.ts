/**
 * The database: SQLite through better-sqlite3 (the default, a file under data/) or PostgreSQL
 * through `pg` when DATABASE_URL is a postgres:// URL, read at run time. Both behind one Kysely
 * query builder, so the app has one set of queries; migrated to the latest schema when opened.
 * Nothing here is a process-wide singleton: whoever opens a database owns and closes it.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
	CompiledQuery,
	Kysely,
	Migrator,
	PostgresDialect,
	SqliteDialect,
	SqliteDriver,
	type DatabaseConnection,
	type Driver,
	type SqliteDialectConfig
} from 'kysely';
import pg from 'pg';
import { preparingPool } from './prepared';
import { migrationProvider } from './migrations';
import type { Db, Engine, Schema } from './schema';

export type { Db, Engine, Queryable, Schema, Tx } from './schema';

/** Where the SQLite file lives unless DATABASE_PATH says otherwise (relative to the cwd). */
export const DEFAULT_DATABASE_PATH = 'data/app.db';

export type DatabaseConfig = { engine: 'sqlite'; path: string } | PostgresConfig;

export interface PostgresConfig {
	engine: 'postgres';
	/** Where the app's queries go: the server, or a connection pooler (PgBouncer) in front of it. */
	url: string;
	/**
	 * The server itself, for the node's LISTEN and NOTIFY connections, which hold a session of
	 * their own that a pooler in transaction mode cannot keep (it gives each transaction whichever
	 * server connection is free). Default: `url`.
	 */
	directUrl?: string;
	/** Pooled connections per node; default 10. */
	poolSize?: number;
	/**
	 * Name each statement so each connection plans it once (see prepared.ts); default true. False
	 * behind a pooler in transaction mode that does not track prepared statements (PgBouncer before
	 * 1.21, or without `max_prepared_statements`): there a statement prepared on one server
	 * connection is not on the next.
	 */
	preparedStatements?: boolean;
}

/** The connection for sessions of their own (LISTEN, NOTIFY): the server, never a pooler. */
export function sessionUrl(config: PostgresConfig): string {
	return config.directUrl ?? config.url;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;
const SWITCH_VALUES: Record<string, boolean> = { on: true, true: true, off: false, false: false };

/** An open, migrated database. */
export interface AppDatabase {
	db: Db;
	engine: Engine;
	config: DatabaseConfig;
	/** Close every connection. */
	close(): Promise<void>;
}

/**
 * The database the environment names: DATABASE_URL (postgres:// or postgresql://) for
 * PostgreSQL, else DATABASE_PATH or data/app.db for SQLite. With PostgreSQL, DATABASE_POOL_SIZE
 * sizes the pool, DATABASE_DIRECT_URL names the server when DATABASE_URL is a pooler, and
 * DATABASE_PREPARED_STATEMENTS=off stops naming statements (see `PostgresConfig`).
 * @throws TypeError naming the variable that is invalid
 */
export function databaseConfigFromEnv(env: NodeJS.ProcessEnv): DatabaseConfig {
	const url = env.DATABASE_URL?.trim();
	if (!url) return { engine: 'sqlite', path: env.DATABASE_PATH || DEFAULT_DATABASE_PATH };
	if (!POSTGRES_URL.test(url)) {
		throw new TypeError('DATABASE_URL must be a postgres:// URL (leave it unset for SQLite)');
	}
	const size = env.DATABASE_POOL_SIZE;
	const poolSize = size ? Number(size) : undefined;
	if (poolSize !== undefined && !(Number.isSafeInteger(poolSize) && poolSize > 0)) {
		throw new TypeError(`DATABASE_POOL_SIZE must be a positive integer, got ${size}`);
	}
	const directUrl = env.DATABASE_DIRECT_URL?.trim() || undefined;
	if (directUrl !== undefined && !POSTGRES_URL.test(directUrl)) {
		throw new TypeError('DATABASE_DIRECT_URL must be a postgres:// URL');
	}
	const prepared = env.DATABASE_PREPARED_STATEMENTS?.trim().toLowerCase() || undefined;
	if (prepared !== undefined && !(prepared in SWITCH_VALUES)) {
		throw new TypeError(
			`DATABASE_PREPARED_STATEMENTS must be on or off, got ${env.DATABASE_PREPARED_STATEMENTS}`
		);
	}
	return {
		engine: 'postgres',
		url,
		...(directUrl && { directUrl }),
		...(poolSize && { poolSize }),
		...(prepared !== undefined && { preparedStatements: SWITCH_VALUES[prepared] })
	};
}

/**
 * PostgreSQL's int8 (COUNT(*), bigint columns: seqs, epoch ms) as a JS number instead of a
 * string. Every such value here stays far below 2^53.
 */
const INT8_OID = 20;
const pgTypes = {
	getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
		oid === INT8_OID && format !== 'binary'
			? (value: string) => Number(value)
			: pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser
};

/** Connection options for a pool or a dedicated client (the LISTEN connection). */
export function pgClientConfig(url: string): pg.ClientConfig {
	return { connectionString: url, types: pgTypes };
}

/**
 * A file made by the app before Kysely (migrated with PRAGMA user_version) holds only demo data;
 * it is moved aside (`<path>.pre-kysely`, with its -wal/-shm) so a fresh database is created and
 * seeded in its place, and nothing is deleted.
 */
function moveAsideLegacyFile(path: string): string | null {
	if (path === ':memory:' || !existsSync(path)) return null;
	const probe = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
	let legacy: boolean;
	try {
		const version = probe.pragma('user_version', { simple: true }) as number;
		const kysely = probe
			.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'")
			.get();
		legacy = version > 0 && !kysely;
	} finally {
		probe.close();
	}
	if (!legacy) return null;
	const aside = `${path}.pre-kysely`;
	for (const suffix of ['', '-wal', '-shm']) {
		if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
	}
	return aside;
}

function openSqlite(path: string): BetterSqlite3.Database {
	if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
	const aside = moveAsideLegacyFile(path);
	if (aside) {
		console.warn(`[db] ${path} was made before the Kysely migrations: moved to ${aside}`);
	}
	const sqlite = new BetterSqlite3(path);
	try {
		sqlite.pragma('journal_mode = WAL');
		// WAL makes NORMAL durable against application crashes; only an OS crash can lose the
		// last transactions, which the event log tolerates (clients resync).
		sqlite.pragma('synchronous = NORMAL');
		sqlite.pragma('foreign_keys = ON');
		sqlite.pragma('busy_timeout = 5000');
		return sqlite;
	} catch (error) {
		sqlite.close();
		throw error;
	}
}

/**
 * Kysely's SQLite driver with `BEGIN IMMEDIATE` transactions: a transaction takes the write lock
 * when it starts, so another process on the same file waits (busy_timeout) instead of failing
 * with "database is locked" when a transaction that has read tries to write.
 */
class ImmediateSqliteDriver extends SqliteDriver {
	override async beginTransaction(connection: DatabaseConnection): Promise<void> {
		await connection.executeQuery(CompiledQuery.raw('begin immediate'));
	}
}

class ImmediateSqliteDialect extends SqliteDialect {
	readonly #config: SqliteDialectConfig;
	constructor(config: SqliteDialectConfig) {
		super(config);
		this.#config = config;
	}
	override createDriver(): Driver {
		return new ImmediateSqliteDriver(this.#config);
	}
}

function createKysely(config: DatabaseConfig): Kysely<Schema> {
	if (config.engine === 'sqlite') {
		const dialect = new ImmediateSqliteDialect({ database: openSqlite(config.path) });
		return new Kysely<Schema>({ dialect });
	}
	const pool = openPgPool(config.url, config.poolSize ?? 10);
	const prepared = config.preparedStatements ?? true;
	return new Kysely<Schema>({
		dialect: new PostgresDialect({ pool: prepared ? preparingPool(pool) : pool })
	});
}

/** A pg pool of up to `max` connections that survives its server going away. */
export function openPgPool(url: string, max: number): pg.Pool {
	const pool = new pg.Pool({ ...pgClientConfig(url), max });
	// An idle client that loses its server (a restart) must not crash the process; the pool
	// replaces it and the next query reconnects.
	pool.on('error', (error) =>
		console.warn(`[db] idle PostgreSQL connection lost: ${error.message}`)
	);
	// A connection that breaks while checked out (a query in flight when PostgreSQL restarts)
	// emits 'error' on its client, which the pool does not listen to there; unheard, it would end
	// the process (brianc/node-postgres#2439). The query itself rejects, so the listener only stops
	// the crash; the pool drops the broken client when it is released.
	pool.on('connect', (client) => client.on('error', () => {}));
	return pool;
}

/** Bring a database up to the latest schema; throws when it was migrated by a newer app. */
export async function migrate(db: Kysely<Schema>, engine: Engine): Promise<void> {
	// Numbers are reserved per issue (see migrations/index.ts), so a lower one can arrive after a
	// higher one has run on a database: run it then, rather than refuse to start.
	const migrator = new Migrator({
		db,
		provider: migrationProvider(engine),
		allowUnorderedMigrations: true
	});
	const { error, results } = await migrator.migrateToLatest();
	const failed = results?.find((result) => result.status === 'Error');
	if (error) {
		const detail = error instanceof Error ? error.message : String(error);
		throw new Error(
			`database migration ${failed ? failed.migrationName + ' ' : ''}failed: ${detail}`,
			{ cause: error }
		);
	}
}

/**
 * Open a database and migrate it. SQLite: the file and its directory are created when needed,
 * WAL mode, foreign keys on; `':memory:'` works too. Not seeded (see seed.ts).
 */
export async function openDatabase(config: DatabaseConfig): Promise<AppDatabase> {
	if (config.engine === 'sqlite' && (typeof config.path !== 'string' || config.path === '')) {
		throw new TypeError('openDatabase: path must be a non-empty string');
	}
	const db = createKysely(config);
	try {
		await migrate(db, config.engine);
	} catch (error) {
		await db.destroy();
		throw error;
	}
	return { db, engine: config.engine, config, close: () => db.destroy() };
}
