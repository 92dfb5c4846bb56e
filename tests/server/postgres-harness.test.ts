/**
 * The PostgreSQL harness itself (tests/support/postgres.ts): a suite's database is its own and
 * gone after drop(); a private cluster runs, survives a restart and a crash with its data, refuses
 * connections while down, and leaves neither a process nor a folder behind when stopped.
 */
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	createDatabase,
	createTestDatabase,
	PrivatePostgres,
	TEST_DATABASE_URL_ENV
} from '../support/postgres';
import { testDatabase, type TestDatabase } from '../support/postgres-vitest';
import { acceptsConnections } from '../support/processes';

async function query<T extends pg.QueryResultRow>(
	url: string,
	text: string,
	values: unknown[] = []
): Promise<T[]> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return (await client.query<T>(text, values)).rows;
	} finally {
		await client.end();
	}
}

describe('testDatabase()', () => {
	let first: TestDatabase;
	let second: TestDatabase;

	beforeAll(async () => {
		[first, second] = await Promise.all([testDatabase(), testDatabase()]);
	});
	afterAll(async () => {
		await first?.drop();
		await second?.drop();
	});

	it('gives each caller a database of its own', async () => {
		expect(first.name).not.toBe(second.name);
		await query(first.url, 'CREATE TABLE marks (value text)');
		await query(first.url, 'INSERT INTO marks VALUES ($1)', ['first']);
		expect(await query(first.url, 'SELECT value FROM marks')).toEqual([{ value: 'first' }]);
		const tables = await query(
			second.url,
			"SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
		);
		expect(tables).toEqual([]);
	});

	it('drop() removes the database, even with a connection still open to it', async () => {
		const extra = await testDatabase();
		const open = new pg.Client({ connectionString: extra.url });
		await open.connect();
		open.on('error', () => {}); // DROP … WITH (FORCE) ends it
		await extra.drop();
		const left = await query(first.url, 'SELECT 1 FROM pg_database WHERE datname = $1', [
			extra.name
		]);
		expect(left).toEqual([]);
		await open.end().catch(() => {});
	});
});

describe('PrivatePostgres', () => {
	let cluster: PrivatePostgres;

	beforeAll(async () => {
		cluster = await PrivatePostgres.start();
	});
	afterAll(async () => {
		await cluster?.stop();
	});

	it('runs on 127.0.0.1 on its own port, with its socket and data in its own folder', async () => {
		expect(cluster.running).toBe(true);
		const [row] = await query<{ port: string; dir: string }>(
			cluster.adminUrl,
			"SELECT current_setting('port') AS port, current_setting('unix_socket_directories') AS dir"
		);
		expect(Number(row.port)).toBe(cluster.port);
		expect(row.dir).toBe(cluster.dir);
		expect(existsSync(`${cluster.dir}/.s.PGSQL.${cluster.port}`)).toBe(true);
	});

	it('keeps its data across a clean restart and a crash, and refuses connections while down', async () => {
		const database = await createDatabase(cluster.adminUrl);
		await query(database.url, 'CREATE TABLE marks (value int)');
		await query(database.url, 'INSERT INTO marks VALUES (1)');

		const held = new pg.Client({ connectionString: database.url });
		const heldError = new Promise<Error>((resolve) => held.on('error', resolve));
		await held.connect();
		await cluster.restart('fast');
		expect((await heldError).message).toMatch(/terminat|closed|shut/i);
		await query(database.url, 'INSERT INTO marks VALUES (2)');

		await cluster.down('immediate');
		expect(cluster.running).toBe(false);
		expect(await acceptsConnections(cluster.port)).toBe(false);
		await cluster.startServer();
		const rows = await query<{ value: number }>(database.url, 'SELECT value FROM marks ORDER BY 1');
		expect(rows.map((row) => row.value)).toEqual([1, 2]);
		await database.drop();
	});

	it('stop() ends the server and removes its folder', async () => {
		const other = await PrivatePostgres.start();
		expect(await acceptsConnections(other.port)).toBe(true);
		await other.stop();
		expect(await acceptsConnections(other.port)).toBe(false);
		expect(existsSync(other.dir)).toBe(false);
	});

	it('without a shared server, a database brings a private cluster that drop() removes', async () => {
		const saved = process.env[TEST_DATABASE_URL_ENV];
		delete process.env[TEST_DATABASE_URL_ENV];
		try {
			const database = await createTestDatabase();
			const port = Number(new URL(database.url).port);
			expect(await query(database.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
			await database.drop();
			expect(await acceptsConnections(port)).toBe(false);
		} finally {
			if (saved !== undefined) process.env[TEST_DATABASE_URL_ENV] = saved;
		}
	});
});
