/**
 * The user's profile, and what saving it causes: new skills re-score every open job for the
 * user in the same transaction. A job that now reaches the threshold becomes a recommendation
 * with its `job_alert` notification, and both events (`job:recommendation`, `notification:new`)
 * go into the outbox with the change, exactly as when a job is posted. A job that no longer
 * matches loses its recommendation silently; one that still does gets its new score.
 */
import { REMOTE_PREFERENCES, type Profile, type RemotePreference } from '$lib/profile';
import type { Queryable } from '../db';
import { notFound } from './errors';
import type { DomainStore, DomainTransaction } from './events';
import { JOB_COLUMNS, matchJob, recommendJob, toJobRecord } from './jobs';
import { parseStringArray } from './json';
import { normalizeSkills } from './scoring';

function toRemotePreference(value: string): RemotePreference {
	return (REMOTE_PREFERENCES as readonly string[]).includes(value)
		? (value as RemotePreference)
		: 'any';
}

/** The user's profile; 404 when there is no such user. */
export async function getProfile(db: Queryable, userId: number): Promise<Profile> {
	const row = await db
		.selectFrom('users')
		.select(['name', 'headline', 'location', 'remote_preference', 'skills', 'portfolio_url'])
		.where('id', '=', userId)
		.executeTakeFirst();
	if (!row) throw notFound('User not found');
	return {
		name: row.name,
		headline: row.headline,
		location: row.location,
		remote_preference: toRemotePreference(row.remote_preference),
		skills: parseStringArray(row.skills),
		portfolio_url: row.portfolio_url
	};
}

/** What saving a profile did. */
export interface ProfileUpdate {
	profile: Profile;
	/** Jobs that match the user now and did not before (each announced once). */
	newMatches: { jobId: number; match_score: number }[];
}

/**
 * Re-score every job for the user's skills, inside `tx`: insert new recommendations (and their
 * notifications and events), update the score of those that still match, drop those that no
 * longer do. Returns the jobs that newly match.
 */
export async function rescoreJobsForUser(
	tx: DomainTransaction,
	userId: number,
	skills: readonly string[],
	now: string
): Promise<ProfileUpdate['newMatches']> {
	const jobs = (
		await tx.db.selectFrom('jobs as j').select(JOB_COLUMNS).orderBy('j.id').execute()
	).map(toJobRecord);
	const existing = new Map(
		(
			await tx.db
				.selectFrom('recommendations')
				.select(['job_id', 'match_score', 'reason'])
				.where('user_id', '=', userId)
				.execute()
		).map((row) => [Number(row.job_id), row])
	);
	const newMatches: ProfileUpdate['newMatches'] = [];
	for (const job of jobs) {
		const match = matchJob(job, skills);
		const before = existing.get(job.id);
		if (!match) {
			if (before) {
				await tx.db
					.deleteFrom('recommendations')
					.where('user_id', '=', userId)
					.where('job_id', '=', job.id)
					.execute();
			}
			continue;
		}
		if (before) {
			if (before.match_score !== match.match_score || before.reason !== match.reason) {
				await tx.db
					.updateTable('recommendations')
					.set({ match_score: match.match_score, reason: match.reason })
					.where('user_id', '=', userId)
					.where('job_id', '=', job.id)
					.execute();
			}
			continue;
		}
		await recommendJob(tx, userId, job, match, now);
		newMatches.push({ jobId: job.id, match_score: match.match_score });
	}
	return newMatches;
}

/**
 * Store a validated profile (see profile-form.ts) and, in the same transaction, re-score the
 * jobs when the skills changed. 404 when there is no such user.
 */
export async function updateProfile(
	store: DomainStore,
	userId: number,
	profile: Profile
): Promise<ProfileUpdate> {
	const skills = normalizeSkills(profile.skills);
	return store.transaction(async (tx) => {
		const before = await getProfile(tx.db, userId);
		await tx.db
			.updateTable('users')
			.set({
				name: profile.name,
				headline: profile.headline,
				location: profile.location,
				remote_preference: profile.remote_preference,
				skills: JSON.stringify(skills),
				portfolio_url: profile.portfolio_url
			})
			.where('id', '=', userId)
			.execute();
		const changed =
			before.skills.length !== skills.length || before.skills.some((s, i) => s !== skills[i]);
		const newMatches = changed
			? await rescoreJobsForUser(tx, userId, skills, new Date().toISOString())
			: [];
		return { profile: { ...profile, skills }, newMatches };
	});
}
