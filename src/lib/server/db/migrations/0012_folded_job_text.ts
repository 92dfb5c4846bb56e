/**
 * 0012: each job's title, company and location also folded to lower case by JavaScript, for the
 * Jobs search. SQL's lower() is not enough: SQLite's folds ASCII letters only, and PostgreSQL's
 * follows the database's collation, which folds ASCII only under the C locale (a cluster made
 * with `initdb --locale=C`), so "zürich" did not find "ZÜRICH" on either. Search compares these
 * columns with a pattern folded the same way (job-search.ts), whatever the engine or its locale.
 * Frozen once released.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Engine } from '../schema';

const FOLDED = ['title_folded', 'company_folded', 'location_folded'] as const;

interface JobText {
	id: number;
	title: string;
	company: string;
	location: string;
}

export function foldedJobText(_engine: Engine): Migration {
	return {
		async up(db: Kysely<unknown>) {
			for (const column of FOLDED) {
				await db.schema
					.alterTable('jobs')
					.addColumn(column, 'text', (c) => c.notNull().defaultTo(''))
					.execute();
			}
			const jobs = (
				await sql<JobText>`select id, title, company, location from jobs order by id`.execute(db)
			).rows;
			for (const job of jobs) {
				await sql`update jobs set title_folded = ${job.title.toLowerCase()},
					company_folded = ${job.company.toLowerCase()},
					location_folded = ${job.location.toLowerCase()}
					where id = ${job.id}`.execute(db);
			}
		}
	};
}
