/**
 * The Jobs page's queries: search by text (title, company, skills) and filters (skill, location,
 * work mode, minimum match), sorted by match or date, one page at a time; and one job with the
 * user's match. The match score is computed in SQL from `job_skills` with the same formula as
 * `scoreMatch` (scoring.ts), so filtering, sorting and paging by it happen in the database, on
 * SQLite and PostgreSQL alike (LIKE over text folded to lower case by the app, no engine-specific
 * operators).
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { ApplicationStatus } from '$lib/protocol';
import { JOBS_PAGE_SIZE, type JobSearch } from '$lib/job-search';
import { pageCount, pageOffset } from '$lib/paging';
import type { Queryable, Schema } from '../db';
import { JOB_COLUMNS, toJobRecord, type JobRecord } from './jobs';
import { parseStringArray } from './json';
import {
	describeMatch,
	foldCase,
	isRecommended,
	normalizeSkills,
	scoreMatch,
	RECOMMENDATION_THRESHOLD
} from './scoring';

/** One result: the job, the user's score (0-100), whether it is a new recommendation, their application. */
export type JobResult = JobRecord & {
	match_score: number;
	is_new: boolean;
	application_status: ApplicationStatus | null;
};

export interface JobSearchPage {
	jobs: JobResult[];
	/** Results of the whole search, over every page. */
	total: number;
	pageCount: number;
	pageSize: number;
}

type Jobs = ExpressionBuilder<Schema & { j: Schema['jobs'] }, 'j'>;

/** `%text%` for LIKE, folded, with LIKE's own wildcards in the text taken literally (escape `\`). */
function containsPattern(text: string): string {
	return `%${foldCase(text).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Whether `folded`, a column already in lower case (a `*_folded` column, or a skill, stored
 * through normalizeSkills), contains `text` in any case. No SQL lower(): it folds ASCII only on
 * SQLite, and on PostgreSQL under the C locale.
 */
function contains(folded: Expression<string>, text: string): Expression<SqlBool> {
	return sql<SqlBool>`${folded} like ${containsPattern(text)} escape '\\'`;
}

/**
 * The user's score for job `j`: round(100 × matched / asked) over the job's skills, 0 for a job
 * that asks for none: scoreMatch's formula. ROUND of an exact numeric (PostgreSQL) or a double
 * (SQLite) rounds halves away from zero, as Math.round does for these positive values.
 */
function matchScore(eb: Jobs, userSkills: readonly string[]) {
	const matched =
		userSkills.length === 0
			? sql<number>`0`
			: sql<number>`sum(case when ${sql.ref('s.skill')} in (${sql.join(userSkills)}) then 1 else 0 end)`;
	return eb
		.selectFrom('job_skills as s')
		.select(
			sql<number>`case when count(*) = 0 then 0
				else cast(round(100.0 * ${matched} / count(*)) as integer) end`.as('score')
		)
		.whereRef('s.job_id', '=', 'j.id');
}

/** The filters of a search as one condition on `j` (the score is filtered outside). */
function matchesFilters(eb: Jobs, search: JobSearch): Expression<SqlBool> {
	const conditions: Expression<SqlBool>[] = [];
	for (const word of search.q.split(' ').filter(Boolean)) {
		conditions.push(
			eb.or([
				contains(eb.ref('j.title_folded'), word),
				contains(eb.ref('j.company_folded'), word),
				eb.exists(
					eb
						.selectFrom('job_skills as ws')
						.select('ws.skill')
						.whereRef('ws.job_id', '=', 'j.id')
						.where((inner) => contains(inner.ref('ws.skill'), word))
				)
			])
		);
	}
	if (search.skill) {
		conditions.push(
			eb.exists(
				eb
					.selectFrom('job_skills as fs')
					.select('fs.skill')
					.whereRef('fs.job_id', '=', 'j.id')
					.where('fs.skill', '=', search.skill)
			)
		);
	}
	if (search.location) conditions.push(contains(eb.ref('j.location_folded'), search.location));
	if (search.remote) conditions.push(eb('j.work_mode', '=', search.remote));
	return eb.and(conditions);
}

function scoredJobs(
	db: Queryable,
	userId: number,
	userSkills: readonly string[],
	search: JobSearch
) {
	return db
		.selectFrom('jobs as j')
		.leftJoin('recommendations as r', (join) =>
			join.onRef('r.job_id', '=', 'j.id').on('r.user_id', '=', userId)
		)
		.leftJoin('applications as a', (join) =>
			join.onRef('a.job_id', '=', 'j.id').on('a.user_id', '=', userId)
		)
		.select((eb) => [
			...JOB_COLUMNS,
			'r.seen',
			'a.status as application_status',
			matchScore(eb, userSkills).as('match_score')
		])
		.where((eb) => matchesFilters(eb, search));
}

/** The user's skills as stored (normalised JSON). */
export async function userSkills(db: Queryable, userId: number): Promise<string[]> {
	const row = await db
		.selectFrom('users')
		.select('skills')
		.where('id', '=', userId)
		.executeTakeFirst();
	return normalizeSkills(parseStringArray(row?.skills ?? null));
}

/** One page of the search's results for the user, with the total over all pages. */
export async function searchJobs(
	db: Queryable,
	userId: number,
	search: JobSearch,
	pageSize = JOBS_PAGE_SIZE
): Promise<JobSearchPage> {
	const skills = await userSkills(db, userId);
	const scored = scoredJobs(db, userId, skills, search).as('scored');
	const results = db
		.selectFrom(scored)
		.$if(search.minMatch > 0, (query) => query.where('match_score', '>=', search.minMatch));
	const counted = await results
		.select((eb) => eb.fn.countAll<number>().as('total'))
		.executeTakeFirstOrThrow();
	const total = Number(counted.total);
	const rows = await results
		.selectAll()
		.$if(search.sort === 'match', (query) => query.orderBy('match_score', 'desc'))
		.orderBy('created_at', 'desc')
		.orderBy('id', 'desc')
		.limit(pageSize)
		.offset(pageOffset(search.page, pageSize))
		.execute();
	return {
		jobs: rows.map((row) => ({
			...toJobRecord(row),
			match_score: Number(row.match_score ?? 0),
			is_new: row.seen !== null && Number(row.seen) === 0,
			application_status: (row.application_status as ApplicationStatus | null) ?? null
		})),
		total,
		pageCount: pageCount(total, pageSize),
		pageSize
	};
}

/** Every skill some job asks for, alphabetically (the skill filter's choices). */
export async function listJobSkills(db: Queryable): Promise<string[]> {
	const rows = await db
		.selectFrom('job_skills')
		.select('skill')
		.distinct()
		.orderBy('skill')
		.execute();
	return rows.map((row) => row.skill);
}

/** How the user's skills meet one job's. */
export interface JobMatchDetail {
	score: number;
	matched: string[];
	missing: string[];
	reason: string;
	recommended: boolean;
}

/** One job with the user's match and application; undefined when there is no such job. */
export async function getJobForUser(
	db: Queryable,
	userId: number,
	jobId: number
): Promise<
	| {
			job: JobRecord;
			match: JobMatchDetail;
			applicationStatus: ApplicationStatus | null;
			threshold: number;
	  }
	| undefined
> {
	const row = await db
		.selectFrom('jobs as j')
		.leftJoin('applications as a', (join) =>
			join.onRef('a.job_id', '=', 'j.id').on('a.user_id', '=', userId)
		)
		.select([...JOB_COLUMNS, 'a.status as application_status'])
		.where('j.id', '=', jobId)
		.executeTakeFirst();
	if (!row) return undefined;
	const job = toJobRecord(row);
	const match = scoreMatch(job.skills, await userSkills(db, userId));
	return {
		job,
		match: {
			...match,
			reason: describeMatch(match),
			recommended: isRecommended(match.score)
		},
		applicationStatus: (row.application_status as ApplicationStatus | null) ?? null,
		threshold: RECOMMENDATION_THRESHOLD
	};
}
