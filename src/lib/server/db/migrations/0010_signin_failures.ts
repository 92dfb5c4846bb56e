/**
 * 0010: the sign-in throttle's counters (issue 14), one row per account or client address with a
 * run of failed sign-ins (see signin/throttle.ts). Epoch ms in a bigint; the index serves pruning.
 * Frozen: change the schema by adding a migration, never by editing this one.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Engine } from '../schema';

export function signinFailures(engine: Engine): Migration {
	/** SQLite-only table option: rows stored in key order (they are read by key). */
	const withoutRowid = engine === 'postgres' ? sql`` : sql`without rowid`;
	return {
		async up(db: Kysely<unknown>) {
			await db.schema
				.createTable('signin_failures')
				.addColumn('key', 'text', (c) => c.primaryKey())
				.addColumn('failures', 'integer', (c) => c.notNull())
				.addColumn('last_failure_at', 'bigint', (c) => c.notNull())
				.modifyEnd(withoutRowid)
				.execute();
			await db.schema
				.createIndex('signin_failures_by_age')
				.on('signin_failures')
				.column('last_failure_at')
				.execute();
		},
		async down(db: Kysely<unknown>) {
			await db.schema.dropTable('signin_failures').execute();
		}
	};
}
