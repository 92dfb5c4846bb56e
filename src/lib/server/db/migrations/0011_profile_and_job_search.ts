/**
 * 0011 (issue 13): the profile's fields, each job's work mode, each job's skills as rows (so a
 * search can filter by skill and compute a match score in SQL on both engines), and one
 * application per user and job. Frozen once released.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Engine } from '../schema';

interface LegacyJob {
	id: number;
	location: string;
	skills: string;
}

/** The job's skill names from its JSON column, trimmed, lowercased and without repeats. */
function skillRows(job: LegacyJob): { job_id: number; skill: string }[] {
	let parsed: unknown;
	try {
		parsed = JSON.parse(job.skills);
	} catch {
		return [];
	}
	if (!Array.isArray(parsed)) return [];
	const skills = new Set(
		parsed.filter((s): s is string => typeof s === 'string').map((s) => s.trim().toLowerCase())
	);
	skills.delete('');
	return [...skills].map((skill) => ({ job_id: job.id, skill }));
}

export function profileAndJobSearch(_engine: Engine): Migration {
	return {
		async up(db: Kysely<unknown>) {
			await db.schema
				.alterTable('users')
				.addColumn('headline', 'text', (c) => c.notNull().defaultTo(''))
				.execute();
			await db.schema
				.alterTable('users')
				.addColumn('location', 'text', (c) => c.notNull().defaultTo(''))
				.execute();
			await db.schema
				.alterTable('users')
				.addColumn('remote_preference', 'text', (c) =>
					c
						.notNull()
						.defaultTo('any')
						.check(sql`remote_preference in ('any', 'remote', 'hybrid', 'onsite')`)
				)
				.execute();
			await db.schema.alterTable('users').addColumn('portfolio_url', 'text').execute();

			await db.schema
				.alterTable('jobs')
				.addColumn('work_mode', 'text', (c) =>
					c
						.notNull()
						.defaultTo('onsite')
						.check(sql`work_mode in ('remote', 'hybrid', 'onsite')`)
				)
				.execute();
			// Jobs posted before: their location says how (the rule of workModeOf).
			await sql`update jobs set work_mode = 'remote' where lower(location) like '%remote%'`.execute(
				db
			);
			await sql`update jobs set work_mode = 'hybrid'
				where work_mode = 'onsite' and lower(location) like '%hybrid%'`.execute(db);
			await db.schema.createIndex('jobs_by_work_mode').on('jobs').column('work_mode').execute();

			await db.schema
				.createTable('job_skills')
				.addColumn('job_id', 'integer', (c) =>
					c.notNull().references('jobs.id').onDelete('cascade')
				)
				.addColumn('skill', 'text', (c) => c.notNull())
				.addPrimaryKeyConstraint('job_skills_pk', ['job_id', 'skill'])
				.execute();
			await db.schema.createIndex('job_skills_by_skill').on('job_skills').column('skill').execute();
			const jobs = (await sql<LegacyJob>`select id, location, skills from jobs`.execute(db)).rows;
			const rows = jobs.flatMap(skillRows);
			// A few hundred rows per statement stays under SQLite's bound-parameter limit.
			for (let start = 0; start < rows.length; start += 400) {
				await db
					.insertInto('job_skills' as never)
					.values(rows.slice(start, start + 400) as never)
					.execute();
			}

			// One application per user and job: keep the most recently updated of any repeats.
			await sql`delete from applications where id in (
				select older.id from applications older join applications newer
					on newer.user_id = older.user_id and newer.job_id = older.job_id
					and (newer.updated_at > older.updated_at
						or (newer.updated_at = older.updated_at and newer.id > older.id))
			)`.execute(db);
			await db.schema
				.createIndex('applications_user_job')
				.on('applications')
				.columns(['user_id', 'job_id'])
				.unique()
				.execute();
		}
	};
}
