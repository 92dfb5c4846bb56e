import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseConfigFromEnv, openDatabase, type AppDatabase } from '../../src/lib/server/db';
import { migrationsFor } from '../../src/lib/server/db/migrations';
import { EventStore } from '../../src/lib/server/outbox/event-store';
import { createHub, hubOptionsFromEnv } from '../../src/lib/server/realtime/hub';
import { ENGINES, createTestStorage, type TestStorage } from '../support/server-harness';

const dir = mkdtempSync(join(tmpdir(), 'cc-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TABLES = [
	'applications',
	'client_messages',
	'event_log',
	'job_skills',
	'jobs',
	'notifications',
	'recommendations',
	'sessions',
	'settings',
	'signin_failures',
	'users'
];

describe('databaseConfigFromEnv', () => {
	it('is SQLite at data/app.db with nothing set, DATABASE_PATH moves the file', () => {
		expect(databaseConfigFromEnv({})).toEqual({ engine: 'sqlite', path: 'data/app.db' });
		expect(databaseConfigFromEnv({ DATABASE_PATH: '/tmp/x.db' })).toEqual({
			engine: 'sqlite',
			path: '/tmp/x.db'
		});
	});

	it('is PostgreSQL for a postgres:// DATABASE_URL, and refuses any other URL', () => {
		expect(
			databaseConfigFromEnv({ DATABASE_URL: 'postgres://u@h/db', DATABASE_POOL_SIZE: '4' })
		).toEqual({
			engine: 'postgres',
			url: 'postgres://u@h/db',
			poolSize: 4
		});
		expect(databaseConfigFromEnv({ DATABASE_URL: 'postgresql://h/db' }).engine).toBe('postgres');
		expect(() => databaseConfigFromEnv({ DATABASE_URL: 'mysql://h/db' })).toThrow(TypeError);
		expect(() =>
			databaseConfigFromEnv({ DATABASE_URL: 'postgres://h/db', DATABASE_POOL_SIZE: '0' })
		).toThrow(/DATABASE_POOL_SIZE/);
	});

	it('takes a direct URL and prepared statements off for a pooler, and names a bad value', () => {
		const pooled = {
			DATABASE_URL: 'postgres://u@pooler:6432/db',
			DATABASE_DIRECT_URL: 'postgres://u@server:5432/db',
			DATABASE_PREPARED_STATEMENTS: 'off'
		};
		expect(databaseConfigFromEnv(pooled)).toEqual({
			engine: 'postgres',
			url: 'postgres://u@pooler:6432/db',
			directUrl: 'postgres://u@server:5432/db',
			preparedStatements: false
		});
		expect(databaseConfigFromEnv({ ...pooled, DATABASE_PREPARED_STATEMENTS: 'ON' })).toMatchObject({
			preparedStatements: true
		});
		// Unset or empty: the defaults (statements named; LISTEN and NOTIFY on DATABASE_URL).
		expect(
			databaseConfigFromEnv({ DATABASE_URL: 'postgres://h/db', DATABASE_DIRECT_URL: '' })
		).toEqual({ engine: 'postgres', url: 'postgres://h/db' });
		expect(() =>
			databaseConfigFromEnv({ ...pooled, DATABASE_DIRECT_URL: 'http://server/db' })
		).toThrow(new TypeError('DATABASE_DIRECT_URL must be a postgres:// URL'));
		expect(() => databaseConfigFromEnv({ ...pooled, DATABASE_PREPARED_STATEMENTS: 'no' })).toThrow(
			new TypeError('DATABASE_PREPARED_STATEMENTS must be on or off, got no')
		);
	});
});

describe.each(ENGINES)('openDatabase (%s)', (engine) => {
	let storage: TestStorage;
	let database: AppDatabase;

	beforeEach(async () => {
		storage = await createTestStorage(engine);
		database = await openDatabase(storage.config);
	});
	afterEach(async () => {
		await database.close();
		await storage.remove();
	});

	it('creates the schema with every migration recorded by number', async () => {
		const tables = await database.db.introspection.getTables();
		expect(tables.map((table) => table.name).sort()).toEqual(TABLES);
		const { rows } = await sql<{
			name: string;
		}>`SELECT name FROM kysely_migration ORDER BY name`.execute(database.db);
		expect(rows.map((row) => row.name)).toEqual(Object.keys(migrationsFor(engine)));
		expect(rows.every((row) => /^\d{4}_/.test(row.name))).toBe(true);
	});

	it('runs each migration once: reopening keeps the data', async () => {
		await database.db.insertInto('settings').values({ key: 'k', value: 'v' }).execute();
		await database.close();
		database = await openDatabase(storage.config);
		const row = await database.db
			.selectFrom('settings')
			.select('value')
			.where('key', '=', 'k')
			.executeTakeFirst();
		expect(row?.value).toBe('v');
	});

	it('refuses a database migrated by a newer app', async () => {
		await database.db
			.insertInto('kysely_migration' as never)
			.values({ name: '9999_future', timestamp: new Date().toISOString() } as never)
			.execute();
		await database.close();
		await expect(openDatabase(storage.config)).rejects.toThrow(/migration/);
		database = { close: async () => {} } as AppDatabase;
	});

	it('enforces the domain constraints', async () => {
		await expect(
			database.db
				.insertInto('applications')
				.values({ user_id: 1, job_id: 1, status: 'applied', created_at: '', updated_at: '' })
				.execute()
		).rejects.toThrow(/foreign key/i);
	});
});

describe('a SQLite file from before the Kysely migrations', () => {
	it('is moved aside and a fresh database takes its place', async () => {
		const path = join(dir, 'legacy.db');
		const legacy = new Database(path);
		legacy.exec('CREATE TABLE users (id INTEGER PRIMARY KEY); INSERT INTO users VALUES (1)');
		legacy.pragma('user_version = 1');
		legacy.close();
		const database = await openDatabase({ engine: 'sqlite', path });
		try {
			expect(await database.db.selectFrom('users').selectAll().execute()).toEqual([]);
			const aside = new Database(`${path}.pre-kysely`, { readonly: true });
			expect(aside.prepare('SELECT COUNT(*) FROM users').pluck().get()).toBe(1);
			aside.close();
		} finally {
			await database.close();
		}
	});
});

describe('hub options', async () => {
	const database = await openDatabase({ engine: 'sqlite', path: ':memory:' });
	afterAll(() => database.close());
	const store = new EventStore({ db: database.db, engine: 'sqlite' });
	const authenticate = async () => null;

	it.each([
		['heartbeatInterval', { heartbeatInterval: 0 }],
		['maxPayload', { maxPayload: -1 }],
		['sweepInterval', { sweepInterval: 0 }],
		['messageRate.burst', { messageRate: { burst: 0, perSecond: 1, closeAfter: 1 } }],
		['connectionRate.perSecond', { connectionRate: { burst: 1, perSecond: Number.NaN } }],
		['allowedOrigins', { allowedOrigins: 'https://a.example' }],
		['logger', { logger: {} }],
		['store', { store: {} }],
		['authenticate', { authenticate: 'yes' }]
	])('throws a TypeError naming %s', (name, options) => {
		const create = () => createHub({ store, authenticate, ...(options as object) });
		expect(create).toThrow(TypeError);
		expect(create).toThrow(`hub option ${name} must`);
	});

	it('reads REALTIME_* and ORIGIN from the environment', () => {
		expect(
			hubOptionsFromEnv({
				REALTIME_HEARTBEAT_MS: '5000',
				REALTIME_MAX_SOCKETS_PER_USER: '5',
				REALTIME_SWEEP_MS: '250',
				ORIGIN: 'https://app.example/',
				REALTIME_ALLOWED_ORIGINS: 'https://a.example, https://b.example'
			})
		).toEqual({
			heartbeatInterval: 5000,
			maxSocketsPerUser: 5,
			sweepInterval: 250,
			allowedOrigins: ['https://app.example', 'https://a.example', 'https://b.example']
		});
		expect(hubOptionsFromEnv({})).toEqual({});
		expect(() => hubOptionsFromEnv({ REALTIME_HEARTBEAT_MS: 'soon' })).toThrow(
			/REALTIME_HEARTBEAT_MS/
		);
		expect(() => hubOptionsFromEnv({ ORIGIN: 'not a url' })).toThrow(TypeError);
	});
});
