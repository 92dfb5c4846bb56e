/**
 * Migration 0010: the sign-in throttle's counters, one row per account or client address with a
 * run of failures (see ./throttle.ts). Epoch ms in a bigint; the index serves pruning.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable('signin_failures')
		.addColumn('key', 'text', (column) => column.primaryKey())
		.addColumn('failures', 'integer', (column) => column.notNull())
		.addColumn('last_failure_at', 'bigint', (column) => column.notNull())
		.execute();
	await db.schema
		.createIndex('signin_failures_by_age')
		.on('signin_failures')
		.column('last_failure_at')
		.execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable('signin_failures').execute();
}
