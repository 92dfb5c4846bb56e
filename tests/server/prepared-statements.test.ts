/**
 * The PostgreSQL pool's prepared statements (src/lib/server/db/prepared.ts), read back from the
 * server itself: `pg_prepared_statements` lists what the current connection has prepared.
 */
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgPool } from '../../src/lib/server/db';
import { preparingPool } from '../../src/lib/server/db/prepared';
import { testDatabase, type TestDatabase } from '../support/postgres-vitest';

interface Schema {
	items: { id: number; label: string };
}

let database: TestDatabase;
const pools: pg.Pool[] = [];

function kysely(maxStatements?: number): Kysely<Schema> {
	// The app's pool: a connection the server ends (the database dropped at the end) is no error.
	const pool = openPgPool(database.url, 2);
	pools.push(pool);
	return new Kysely<Schema>({
		dialect: new PostgresDialect({ pool: preparingPool(pool, maxStatements) })
	});
}

/** The statements the transaction's connection has prepared, by text. */
async function prepared(tx: Transaction<Schema>): Promise<string[]> {
	const { rows } = await sql<{ statement: string }>`
		select statement from pg_prepared_statements order by prepare_time`.execute(tx);
	return rows.map((row) => row.statement);
}

const byId = (tx: Transaction<Schema>, id: number) =>
	tx.selectFrom('items').select(['id', 'label']).where('id', '=', id).executeTakeFirst();

beforeAll(async () => {
	database = await testDatabase();
	const db = kysely();
	await sql`create table items (id integer primary key, label text not null)`.execute(db);
	await db
		.insertInto('items')
		.values([
			{ id: 1, label: 'one' },
			{ id: 2, label: 'two' }
		])
		.execute();
});

afterAll(async () => {
	await Promise.all(pools.map((pool) => pool.end()));
	await database.drop();
});

describe('preparingPool', () => {
	it('prepares a parameterized statement once per connection and runs it again by name', async () => {
		await kysely()
			.transaction()
			.execute(async (tx) => {
				expect(await byId(tx, 1)).toEqual({ id: 1, label: 'one' });
				expect(await byId(tx, 2)).toEqual({ id: 2, label: 'two' });
				const statements = await prepared(tx);
				expect(statements).toEqual(['select "id", "label" from "items" where "id" = $1']);
			});
	});

	it('leaves `*` statements and statements without parameters unnamed', async () => {
		await kysely()
			.transaction()
			.execute(async (tx) => {
				await tx.selectFrom('items').selectAll().where('id', '=', 1).execute();
				await sql`select count(*) from items`.execute(tx);
				await sql`select 1`.execute(tx);
				expect(await prepared(tx)).toEqual([]);
			});
	});

	it('names no more than maxStatements distinct texts', async () => {
		await kysely(2)
			.transaction()
			.execute(async (tx) => {
				await byId(tx, 1);
				await tx.selectFrom('items').select('label').where('id', '=', 1).execute();
				await tx.selectFrom('items').select('id').where('label', '=', 'one').execute();
				expect(await prepared(tx)).toHaveLength(2);
			});
	});

	it('keeps running a prepared statement after a migration adds a column', async () => {
		const db = kysely();
		await db.transaction().execute(async (tx) => {
			expect(await byId(tx, 1)).toEqual({ id: 1, label: 'one' });
			await sql`alter table items add column note text`.execute(tx);
			expect(await byId(tx, 1)).toEqual({ id: 1, label: 'one' });
			expect(await tx.selectFrom('items').selectAll().where('id', '=', 1).execute()).toEqual([
				{ id: 1, label: 'one', note: null }
			]);
			await sql`alter table items drop column note`.execute(tx);
		});
	});
});
