import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/lib/server/db';
import { migrations } from '../../src/lib/server/db/migrations';
import { createHub, hubOptionsFromEnv } from '../../src/lib/server/realtime/hub';

const dir = mkdtempSync(join(tmpdir(), 'cc-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openDatabase', () => {
	it('creates the directory and the schema, in WAL mode with foreign keys on', () => {
		const db = openDatabase(join(dir, 'nested', 'app.db'));
		expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
		expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
		expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
		const tables = db
			.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
			.pluck()
			.all();
		expect(tables).toEqual([
			'applications',
			'client_messages',
			'event_log',
			'jobs',
			'notifications',
			'recommendations',
			'sessions',
			'settings',
			'users'
		]);
		db.close();
	});

	it('runs each migration once: reopening keeps the data', () => {
		const path = join(dir, 'reopen.db');
		const first = openDatabase(path);
		first.prepare("INSERT INTO settings (key, value) VALUES ('k', 'v')").run();
		first.close();
		const second = openDatabase(path);
		expect(second.prepare("SELECT value FROM settings WHERE key = 'k'").pluck().get()).toBe('v');
		second.close();
	});

	it('refuses a file from a newer schema', () => {
		const path = join(dir, 'newer.db');
		const raw = new Database(path);
		raw.pragma(`user_version = ${migrations.length + 1}`);
		raw.close();
		expect(() => openDatabase(path)).toThrow(/newer/);
	});

	it('enforces the domain constraints', () => {
		const db = openDatabase(':memory:');
		expect(() =>
			db
				.prepare(
					"INSERT INTO applications (user_id, job_id, status, created_at, updated_at) VALUES (1, 1, 'applied', '', '')"
				)
				.run()
		).toThrow(/FOREIGN KEY/);
		db.close();
	});
});

describe('hub options', () => {
	const db = openDatabase(':memory:');

	it.each([
		['heartbeatInterval', { heartbeatInterval: 0 }],
		['retainedEvents', { retainedEvents: 1.5 }],
		['maxPayload', { maxPayload: -1 }],
		['messageRate.burst', { messageRate: { burst: 0, perSecond: 1, closeAfter: 1 } }],
		['connectionRate.perSecond', { connectionRate: { burst: 1, perSecond: Number.NaN } }],
		['allowedOrigins', { allowedOrigins: 'https://a.example' }],
		['logger', { logger: {} }],
		['db', { db: {} }]
	])('throws a TypeError naming %s', (name, options) => {
		const create = () => createHub({ db, ...(options as object) });
		expect(create).toThrow(TypeError);
		expect(create).toThrow(`hub option ${name} must`);
	});

	it('reads REALTIME_* and ORIGIN from the environment', () => {
		expect(
			hubOptionsFromEnv({
				REALTIME_HEARTBEAT_MS: '5000',
				REALTIME_RETAINED_EVENTS: '50',
				ORIGIN: 'https://app.example/',
				REALTIME_ALLOWED_ORIGINS: 'https://a.example, https://b.example'
			})
		).toEqual({
			heartbeatInterval: 5000,
			retainedEvents: 50,
			allowedOrigins: ['https://app.example', 'https://a.example', 'https://b.example']
		});
		expect(hubOptionsFromEnv({})).toEqual({});
		expect(() => hubOptionsFromEnv({ REALTIME_HEARTBEAT_MS: 'soon' })).toThrow(
			/REALTIME_HEARTBEAT_MS/
		);
		expect(() => hubOptionsFromEnv({ ORIGIN: 'not a url' })).toThrow(TypeError);
	});
});
