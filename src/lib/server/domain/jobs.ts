/**
 * Jobs and recommendations: posting a job scores it against every user's skills, recommends it
 * to those who reach the threshold and tells them live (`job:recommendation` plus a `job_alert`
 * notification).
 */
import type Database from 'better-sqlite3';
import * as v from 'valibot';
import { isExternalHref, safeHref } from '$lib/url';
import { emitEvent, getHub, type EventSink } from './events';
import { parseStringArray } from './json';
import {
	insertNotification,
	toNotificationEvent,
	type NotificationInput,
	type NotificationRow
} from './notifications';
import { describeMatch, isRecommended, normalizeSkills, scoreMatch } from './scoring';
import { parseInput, text } from './validate';

/** A job as pages and events carry it (a type alias, so it fits the protocol's open Job). */
export type JobRecord = {
	id: number;
	title: string;
	company: string;
	location: string;
	salary_range: string | null;
	description: string;
	skills: string[];
	url: string | null;
	created_at: string;
};

/** A job in the user's list, with their match when the job was recommended to them. */
export type JobListItem = JobRecord & {
	match_score: number | null;
	reason: string | null;
	is_new: boolean;
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

interface JobDbRow extends Omit<JobRecord, 'skills'> {
	skills: string;
}

const JOB_COLUMNS =
	'j.id, j.title, j.company, j.location, j.salary_range, j.description, j.skills, j.url, j.created_at';

function toJobRecord(row: JobDbRow): JobRecord {
	return {
		id: row.id,
		title: row.title,
		company: row.company,
		location: row.location,
		salary_range: row.salary_range,
		description: row.description,
		skills: parseStringArray(row.skills),
		url: row.url,
		created_at: row.created_at
	};
}

/**
 * Validate and store a job without recommending it to anyone. Throws a 400 DomainError on invalid
 * input.
 */
export function insertJob(
	db: Database.Database,
	input: JobInput,
	createdAt = new Date().toISOString()
): JobRecord {
	const parsed = parseInput(JobInputSchema, input);
	const id = Number(
		db
			.prepare(
				`INSERT INTO jobs (title, company, location, salary_range, description, skills, url, created_at)
				 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
			)
			.run(
				parsed.title,
				parsed.company,
				parsed.location,
				parsed.salary_range,
				parsed.description,
				JSON.stringify(parsed.skills),
				parsed.url,
				createdAt
			).lastInsertRowid
	);
	return { id, ...parsed, created_at: createdAt };
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
export function insertRecommendation(
	db: Database.Database,
	rec: {
		userId: number;
		jobId: number;
		match_score: number;
		reason: string;
		seen: boolean;
		createdAt: string;
	}
): void {
	db.prepare(
		`INSERT INTO recommendations (user_id, job_id, match_score, reason, seen, created_at)
		 VALUES (?, ?, ?, ?, ?, ?)`
	).run(rec.userId, rec.jobId, rec.match_score, rec.reason, rec.seen ? 1 : 0, rec.createdAt);
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
function listUserSkills(db: Database.Database): { id: number; skills: string[] }[] {
	return db
		.prepare<[], { id: number; skills: string }>('SELECT id, skills FROM users ORDER BY id')
		.all()
		.map((user) => ({ id: user.id, skills: parseStringArray(user.skills) }));
}

/**
 * Store a job, recommend it to every user whose score reaches the threshold, and notify them.
 * All rows are written in one transaction; the events go out after it commits. Throws a 400
 * DomainError on invalid input.
 */
export function postJob(
	db: Database.Database,
	input: JobInput,
	hub: EventSink = getHub()
): { job: JobRecord; matches: JobMatch[] } {
	const { job, matches } = db.transaction(() => {
		const job = insertJob(db, input);
		return { job, matches: recommendToUsers(db, job) };
	})();
	for (const match of matches) {
		emitEvent(hub, match.userId, 'job:recommendation', {
			job,
			match_score: match.match_score,
			reason: match.reason
		});
		emitEvent(hub, match.userId, 'notification:new', toNotificationEvent(match.notification));
	}
	return { job, matches };
}

function recommendToUsers(db: Database.Database, job: JobRecord): JobMatch[] {
	const matches: JobMatch[] = [];
	for (const user of listUserSkills(db)) {
		const match = matchJob(job, user.skills);
		if (!match) continue;
		insertRecommendation(db, {
			userId: user.id,
			jobId: job.id,
			...match,
			seen: false,
			createdAt: job.created_at
		});
		const notification = insertNotification(
			db,
			user.id,
			jobAlertNotification(job, match),
			job.created_at
		);
		matches.push({ userId: user.id, ...match, notification });
	}
	return matches;
}

/**
 * Every job, newest first, with the user's match where the job was recommended to them.
 * `is_new` is true for a recommendation the user has not yet seen on the Jobs page.
 */
export function listJobs(db: Database.Database, userId: number): JobListItem[] {
	const rows = db
		.prepare<
			[number],
			JobDbRow & { match_score: number | null; reason: string | null; seen: number | null }
		>(
			`SELECT ${JOB_COLUMNS}, r.match_score, r.reason, r.seen
			 FROM jobs j LEFT JOIN recommendations r ON r.job_id = j.id AND r.user_id = ?
			 ORDER BY j.created_at DESC, j.id DESC`
		)
		.all(userId);
	return rows.map((row) => ({
		...toJobRecord(row),
		match_score: row.match_score,
		reason: row.reason,
		is_new: row.seen === 0
	}));
}

/** The user's most recent recommendations, newest first. */
export function recentRecommendations(
	db: Database.Database,
	userId: number,
	limit = 5
): RecommendedJob[] {
	const rows = db
		.prepare<[number, number], JobDbRow & { match_score: number; reason: string; seen: number }>(
			`SELECT ${JOB_COLUMNS}, r.match_score, r.reason, r.seen
			 FROM recommendations r JOIN jobs j ON j.id = r.job_id
			 WHERE r.user_id = ?
			 ORDER BY r.created_at DESC, r.id DESC
			 LIMIT ?`
		)
		.all(userId, limit);
	return rows.map((row) => ({
		...toJobRecord(row),
		match_score: row.match_score,
		reason: row.reason,
		seen: row.seen === 1
	}));
}

/** Mark all of the user's recommendations seen (the Jobs page was opened); returns how many. */
export function markRecommendationsSeen(db: Database.Database, userId: number): number {
	return db
		.prepare('UPDATE recommendations SET seen = 1 WHERE user_id = ? AND seen = 0')
		.run(userId).changes;
}

/** How many of the user's recommendations they have not seen yet (the Jobs badge). */
export function countNewRecommendations(db: Database.Database, userId: number): number {
	return db
		.prepare<[number], number>(
			'SELECT COUNT(*) FROM recommendations WHERE user_id = ? AND seen = 0'
		)
		.pluck()
		.get(userId) as number;
}
