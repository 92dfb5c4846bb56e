/**
 * The simulate page's actions: each one causes a real domain event for the current user, so every
 * real-time path can be tried by hand. On unless SIMULATE=false.
 */
import type { ApplicationStatus, NotificationCategory } from '$lib/protocol';
import {
	getApplication,
	listApplications,
	nextStatus,
	setApplicationStatus,
	statusLabel,
	type StatusChange
} from './applications';
import { invalid, notFound } from './errors';
import type { DomainStore } from './events';
import { postJob, type JobMatch, type JobRecord } from './jobs';
import { parseStringArray } from './json';
import { createNotification, type NotificationInput, type NotificationRow } from './notifications';

/** Whether the simulate page is available, from the SIMULATE environment variable. */
export function isSimulateEnabled(value: string | undefined): boolean {
	return value !== 'false';
}

/** Skills of a simulated job for a user without any. */
const FALLBACK_SKILLS = ['typescript', 'svelte', 'node'];

/**
 * Post "Senior Software Engineer" at "Tech Corp" asking for (up to five of) the user's own skills,
 * so it matches them at 100% and goes to other users only as far as their skills overlap.
 */
export async function simulateJob(
	store: DomainStore,
	userId: number
): Promise<{ job: JobRecord; matches: JobMatch[] }> {
	const row = await store.db
		.selectFrom('users')
		.select('skills')
		.where('id', '=', userId)
		.executeTakeFirst();
	const own = parseStringArray(row?.skills ?? null).slice(0, 5);
	const skills = own.length > 0 ? own : FALLBACK_SKILLS;
	return postJob(store, {
		title: 'Senior Software Engineer',
		company: 'Tech Corp',
		location: 'Remote',
		salary_range: '$150,000 - $180,000',
		description: `Build and run real-time features with ${skills.join(', ')}.`,
		skills
	});
}

/**
 * Move an application: the one with `id` (else the most recently updated one that can still move)
 * to `status` (else the next status on the usual path). 400 when there is nothing to move, 404
 * when `id` is not one of the user's applications.
 */
export async function simulateApplicationMove(
	store: DomainStore,
	userId: number,
	{ id, status }: { id?: number; status?: ApplicationStatus }
): Promise<StatusChange> {
	const target =
		id === undefined
			? (await listApplications(store.db, userId)).find(
					(application) => nextStatus(application.status) !== null
				)
			: await getApplication(store.db, userId, id);
	if (!target) {
		throw id === undefined
			? invalid('No application can move forward')
			: notFound('Application not found');
	}
	const to = status ?? nextStatus(target.status);
	if (!to) throw invalid(`This application is ${statusLabel(target.status)}: choose a status`);
	return setApplicationStatus(store, userId, target.id, to);
}

/** A plausible notification of each category. */
const SAMPLE_NOTIFICATIONS: Record<NotificationCategory, Omit<NotificationInput, 'category'>> = {
	system: {
		title: 'Scheduled maintenance tonight',
		description: 'Career Copilot will be read-only from 02:00 to 02:30 UTC.'
	},
	job_alert: {
		title: '3 new jobs match your saved search',
		description: 'Frontend roles in Remote posted in the last hour.',
		actionUrl: '/jobs',
		actionLabel: 'View jobs'
	},
	application: {
		title: 'Recruiter viewed your application',
		description: 'Someone at Tech Corp opened your application for Senior Software Engineer.',
		actionUrl: '/applications',
		actionLabel: 'View applications'
	},
	recommendation: {
		title: 'Add a skill to match more jobs',
		description: 'Jobs you viewed often ask for Docker. Add it to your profile if you know it.',
		actionUrl: '/profile',
		actionLabel: 'Open your profile'
	},
	social: {
		title: 'Jordan endorsed you for TypeScript',
		description: 'Endorsements help recruiters trust the skills on your profile.'
	}
};

/** Send the sample notification of a category to the user. */
export function simulateNotification(
	store: DomainStore,
	userId: number,
	category: NotificationCategory
): Promise<NotificationRow> {
	return createNotification(store, userId, { category, ...SAMPLE_NOTIFICATIONS[category] });
}
