/**
 * The app's database through a real PgBouncer in transaction mode (tests/support/pgbouncer.ts)
 * with one server connection, so every client connection shares it: named prepared statements,
 * which a statement's session must keep, break there; with `preparedStatements: false`
 * (DATABASE_PREPARED_STATEMENTS=off) the same queries, many at once from two nodes' pools, run.
 * And the notifier, should it be pointed at the pooler, leaves the shared server connection as it
 * found it (its `synchronous_commit = off` is its own statement's).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type AppDatabase } from '../../src/lib/server/db';
import { EVENTS_CHANNEL } from '../../src/lib/server/outbox/event-store';
import { PgNotifier } from '../../src/lib/server/outbox/pg-notifier';
import { PgBouncer } from '../support/pgbouncer';
import { testDatabase, type TestDatabase } from '../support/postgres-vitest';

let database: TestDatabase;
let bouncer: PgBouncer;
const opened: AppDatabase[] = [];

beforeAll(async () => {
	database = await testDatabase();
	// Migrated on the server itself, as the first node would: the cases below only query.
	const direct = await openDatabase({ engine: 'postgres', url: database.url });
	await direct.close();
	bouncer = await PgBouncer.start({ serverUrl: database.url, poolSize: 1 });
}, 60_000);

afterAll(async () => {
	await Promise.all(opened.map((db) => db.close()));
	await bouncer?.stop();
	await database?.drop();
});

/** A node's database through the pooler. */
async function node(preparedStatements: boolean): Promise<AppDatabase> {
	const db = await openDatabase({
		engine: 'postgres',
		url: bouncer.urlOf(database.url),
		preparedStatements
	});
	opened.push(db);
	return db;
}

const userByEmail = (app: AppDatabase, email: string) =>
	app.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();

describe('PostgreSQL through PgBouncer in transaction mode', () => {
	it('fails with named prepared statements: the next node names the same texts alike on the one server connection', async () => {
		const first = await node(true);
		await expect(userByEmail(first, 'nobody@example.com')).resolves.toBeUndefined();
		// Its first parameterized query (the migrator's look for its table) already collides.
		await expect(node(true)).rejects.toThrow(/prepared statement "kysely_\d+" already exists/);
	});

	it('runs every query, 100 at once from two nodes, with preparedStatements: false', async () => {
		const [first, second] = [await node(false), await node(false)];
		const results = await Promise.all(
			Array.from({ length: 100 }, (_, i) =>
				Promise.all([
					userByEmail(i % 2 ? first : second, `user-${i}@example.com`),
					(i % 2 ? second : first).db
						.selectFrom('event_log')
						.select((eb) => eb.fn.countAll<number>().as('count'))
						.where('user_id', '=', i)
						.executeTakeFirstOrThrow()
				])
			)
		);
		expect(results.every(([user, events]) => user === undefined && events.count === 0)).toBe(true);
		expect(bouncer.log()).not.toMatch(/prepared statement/);
	});

	it("keeps the notifier's synchronous_commit = off to its own statement, off the pooled connection", async () => {
		const listener = new pg.Client({ connectionString: database.url });
		await listener.connect();
		const other = new pg.Client({ connectionString: bouncer.urlOf(database.url) });
		await other.connect();
		const notifier = new PgNotifier(bouncer.urlOf(database.url));
		try {
			await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
			const heard = new Promise<string | undefined>((resolve) =>
				listener.once('notification', (message) => resolve(message.payload))
			);
			notifier.notify(7, 42);
			expect(await heard).toBe('7:42');
			// The one server connection the notifier used is the one every other client gets next.
			const { rows } = await other.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
			expect(rows[0].synchronous_commit).toBe('on');
		} finally {
			await notifier.close();
			await other.end();
			await listener.end();
		}
	});
});
