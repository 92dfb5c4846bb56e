/**
 * Jobs and recommendations: posting a job scores it against every user's skills, recommends it
 * to those who reach the threshold and tells them live (`job:recommendation` plus a `job_alert`
 * notification).
 */
import * as v from 'valibot';
import { WORK_MODES, workModeOf, type WorkMode } from '$lib/job-search';
import { isExternalHref, safeHref } from '$lib/url';
import type { Queryable } from '../db';
import { emitEvent, type DomainStore, type DomainTransaction } from './events';
import { parseStringArray } from './json';
import {
	insertNotification,
	toNotificationEvent,
	type NotificationInput,
	type NotificationRow
} from './notifications';
import { describeMatch, foldCase, isRecommended, normalizeSkills, scoreMatch } from './scoring';
import { parseInput, text } from './validate';

/** A job as pages and events carry it (a type alias, so it fits the protocol's open Job). */
export type JobRecord = {
	id: number;
	title: string;
	company: string;
	location: string;
	work_mode: WorkMode;
	salary_range: string | null;
	description: string;
	skills: string[];
	url: string | null;
	created_at: string;
};

/** A job recommended to the user. */
export type RecommendedJob = JobRecord & { match_score: number; reason: string; seen: boolean };

/** A job's link to its posting: an absolute http(s) URL, the only kind the UI links to. */
const postingUrl = v.pipe(
	v.string('URL must be text'),
	v.trim(),
	v.check((url) => {
		const href = safeHref(url);
		return href !== null && isExternalHref(href);
	}, 'URL must be an http:// or https:// address')
);

const JobInputSchema = v.object({
	title: text('Title', 200),
	company: text('Company', 200),
	location: v.optional(text('Location', 200), 'Remote'),
	/** How the job is done; read from the location ("Remote (EU)") when not given. */
	work_mode: v.optional(v.picklist(WORK_MODES, 'Work mode must be remote, hybrid or onsite')),
	salary_range: v.optional(v.nullable(text('Salary range', 100)), null),
	description: v.optional(
		v.pipe(
			v.string('Description must be text'),
			v.trim(),
			v.maxLength(5000, 'Description must be at most 5000 characters')
		),
		''
	),
	skills: v.pipe(
		v.array(v.string('Each skill must be text'), 'Skills must be a list'),
		v.transform((skills: string[]) => normalizeSkills(skills)),
		v.minLength(1, 'List at least one skill'),
		v.maxLength(50, 'List at most 50 skills')
	),
	url: v.optional(v.nullable(postingUrl), null)
});

/** What a caller provides to post a job. */
export type JobInput = v.InferInput<typeof JobInputSchema>;

/** One user a posted job was recommended to. */
export interface JobMatch {
	userId: number;
	match_score: number;
	reason: string;
	notification: NotificationRow;
}

/** A job as its row reads: skills as JSON text, the work mode as stored. */
export interface JobDbRow extends Omit<JobRecord, 'skills' | 'work_mode'> {
	skills: string;
	work_mode: string;
}

/** The columns of a JobDbRow, for queries that alias jobs as `j`. */
export const JOB_COLUMNS = [
	'j.id',
	'j.title',
	'j.company',
	'j.location',
	'j.work_mode',
	'j.salary_range',
	'j.description',
	'j.skills',
	'j.url',
	'j.created_at'
] as const;

function toWorkMode(value: string): WorkMode {
	return (WORK_MODES as readonly string[]).includes(value) ? (value as WorkMode) : 'onsite';
}

export function toJobRecord(row: JobDbRow): JobRecord {
	return {
		id: Number(row.id),
		title: row.title,
		company: row.company,
		location: row.location,
		work_mode: toWorkMode(row.work_mode),
		salary_range: row.salary_range,
		description: row.description,
		skills: parseStringArray(row.skills),
		url: row.url,
		created_at: row.created_at
	};
}

/**
 * Validate and store a job, with its skills as `job_skills` rows (what search and the match score
 * read), without recommending it to anyone. Throws a 400 DomainError on invalid input.
 */
export async function insertJob(
	db: Queryable,
	input: JobInput,
	createdAt = new Date().toISOString()
): Promise<JobRecord> {
	const parsed = parseInput(JobInputSchema, input);
	const work_mode = parsed.work_mode ?? workModeOf(parsed.location);
	const { id } = await db
		.insertInto('jobs')
		.values({
			title: parsed.title,
			company: parsed.company,
			location: parsed.location,
			title_folded: foldCase(parsed.title),
			company_folded: foldCase(parsed.company),
			location_folded: foldCase(parsed.location),
			work_mode,
			salary_range: parsed.salary_range,
			description: parsed.description,
			skills: JSON.stringify(parsed.skills),
			url: parsed.url,
			created_at: createdAt
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await db
		.insertInto('job_skills')
		.values(parsed.skills.map((skill) => ({ job_id: id, skill })))
		.execute();
	return { id, ...parsed, work_mode, created_at: createdAt };
}

/** The recommendation of a job for someone with these skills, or null below the threshold. */
export function matchJob(
	job: Pick<JobRecord, 'skills'>,
	userSkills: readonly string[]
): { match_score: number; reason: string } | null {
	const match = scoreMatch(job.skills, userSkills);
	return isRecommended(match.score)
		? { match_score: match.score, reason: describeMatch(match) }
		: null;
}

/** Store one recommendation (unique per user and job). */
export async function insertRecommendation(
	db: Queryable,
	rec: {
		userId: number;
		jobId: number;
		match_score: number;
		reason: string;
		seen: boolean;
		createdAt: string;
	}
): Promise<void> {
	await db
		.insertInto('recommendations')
		.values({
			user_id: rec.userId,
			job_id: rec.jobId,
			match_score: rec.match_score,
			reason: rec.reason,
			seen: rec.seen ? 1 : 0,
			created_at: rec.createdAt
		})
		.execute();
}

/** The `job_alert` notification that tells a user about a recommended job. */
export function jobAlertNotification(
	job: Pick<JobRecord, 'id' | 'title' | 'company'>,
	match: { match_score: number; reason: string }
): NotificationInput {
	return {
		category: 'job_alert',
		title: `New match: ${job.title} at ${job.company}`,
		description: `${match.match_score}% match. ${match.reason}`,
		actionUrl: '/jobs',
		actionLabel: 'View jobs',
		metadata: { job_id: job.id, match_score: match.match_score }
	};
}

/** Every user's id and skills. */
async function listUserSkills(db: Queryable): Promise<{ id: number; skills: string[] }[]> {
	const users = await db.selectFrom('users').select(['id', 'skills']).orderBy('id').execute();
	return users.map((user) => ({ id: user.id, skills: parseStringArray(user.skills) }));
}

/**
 * Recommend a job to one user inside a transaction: the recommendation row, its `job_alert`
 * notification, and both events (`job:recommendation`, `notification:new`) in the outbox.
 */
export async function recommendJob(
	tx: DomainTransaction,
	userId: number,
	job: JobRecord,
	match: { match_score: number; reason: string },
	createdAt: string
): Promise<NotificationRow> {
	await insertRecommendation(tx.db, { userId, jobId: job.id, ...match, seen: false, createdAt });
	const notification = await insertNotification(
		tx.db,
		userId,
		jobAlertNotification(job, match),
		createdAt
	);
	await emitEvent(tx, userId, 'job:recommendation', {
		job,
		match_score: match.match_score,
		reason: match.reason
	});
	await emitEvent(tx, userId, 'notification:new', toNotificationEvent(notification));
	return notification;
}

/**
 * Store a job, recommend it to every user whose score reaches the threshold, and notify them,
 * all in one transaction with the events (delivered once it commits). Throws a 400 DomainError
 * on invalid input.
 */
export function postJob(
	store: DomainStore,
	input: JobInput
): Promise<{ job: JobRecord; matches: JobMatch[] }> {
	return store.transaction(async (tx) => {
		const job = await insertJob(tx.db, input);
		const matches: JobMatch[] = [];
		for (const user of await listUserSkills(tx.db)) {
			const match = matchJob(job, user.skills);
			if (!match) continue;
			const notification = await recommendJob(tx, user.id, job, match, job.created_at);
			matches.push({ userId: user.id, ...match, notification });
		}
		return { job, matches };
	});
}

/** The user's most recent recommendations, newest first. */
export async function recentRecommendations(
	db: Queryable,
	userId: number,
	limit = 5
): Promise<RecommendedJob[]> {
	const rows = await db
		.selectFrom('recommendations as r')
		.innerJoin('jobs as j', 'j.id', 'r.job_id')
		.select([...JOB_COLUMNS, 'r.match_score', 'r.reason', 'r.seen'])
		.where('r.user_id', '=', userId)
		.orderBy('r.created_at', 'desc')
		.orderBy('r.id', 'desc')
		.limit(limit)
		.execute();
	return rows.map((row) => ({
		...toJobRecord(row),
		match_score: row.match_score,
		reason: row.reason,
		seen: row.seen === 1
	}));
}

/** Mark all of the user's recommendations seen (the Jobs page was opened); returns how many. */
export async function markRecommendationsSeen(db: Queryable, userId: number): Promise<number> {
	const result = await db
		.updateTable('recommendations')
		.set({ seen: 1 })
		.where('user_id', '=', userId)
		.where('seen', '=', 0)
		.executeTakeFirst();
	return Number(result.numUpdatedRows);
}

/** How many of the user's recommendations they have not seen yet (the Jobs badge). */
export async function countNewRecommendations(db: Queryable, userId: number): Promise<number> {
	const row = await db
		.selectFrom('recommendations')
		.select((eb) => eb.fn.countAll<number>().as('count'))
		.where('user_id', '=', userId)
		.where('seen', '=', 0)
		.executeTakeFirstOrThrow();
	return Number(row.count);
}
