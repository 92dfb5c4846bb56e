/**
 * Job applications: listed per user, counted by status, and moved between statuses. A move is
 * announced to every socket of the user (`application:status_change`) and kept as an
 * `application` notification.
 */
import { APPLICATION_STATUSES, type ApplicationStatus } from '$lib/protocol';
import { invalid, notFound } from './errors';
import type { Queryable } from '../db';
import { emitEvent, type DomainStore } from './events';
import {
	insertNotification,
	toNotificationEvent,
	type NotificationInput,
	type NotificationRow
} from './notifications';

/** An application as the Applications page lists it. */
export interface ApplicationSummary {
	id: number;
	job_id: number;
	job_title: string;
	company: string;
	status: ApplicationStatus;
	updated_at: string;
}

/** The outcome of `setApplicationStatus`. */
export interface StatusChange {
	application: ApplicationSummary;
	old_status: ApplicationStatus;
	/** False when the application already had the requested status: nothing was written or sent. */
	changed: boolean;
	notification: NotificationRow | null;
}

/** The usual path of an application; the other statuses end it. */
const PIPELINE: readonly ApplicationStatus[] = [
	'saved',
	'applied',
	'screening',
	'interview',
	'offer',
	'accepted'
];

/** Whether a value is one of the protocol's application statuses. */
export function isApplicationStatus(value: unknown): value is ApplicationStatus {
	return (APPLICATION_STATUSES as readonly unknown[]).includes(value);
}

/** The status after this one on the usual path, or null when the application has ended. */
export function nextStatus(status: ApplicationStatus): ApplicationStatus | null {
	const index = PIPELINE.indexOf(status);
	return index >= 0 && index < PIPELINE.length - 1 ? PIPELINE[index + 1] : null;
}

/** "interview" -> "Interview", for people to read. */
export function statusLabel(status: ApplicationStatus): string {
	return status.charAt(0).toUpperCase() + status.slice(1);
}

/** The `application` notification for a move ("Software Engineer at Tech Corp → Interview"). */
export function statusChangeNotification(
	from: Pick<ApplicationSummary, 'id' | 'job_title' | 'company' | 'status'>,
	to: ApplicationStatus
): NotificationInput {
	return {
		category: 'application',
		title: `${from.job_title} at ${from.company} → ${statusLabel(to)}`,
		description: `Your application moved from ${statusLabel(from.status)} to ${statusLabel(to)}.`,
		actionUrl: '/applications',
		actionLabel: 'View applications',
		metadata: { application_id: from.id, old_status: from.status, new_status: to }
	};
}

/** The applications query with the columns of an ApplicationSummary. */
function summaries(db: Queryable) {
	return db
		.selectFrom('applications as a')
		.innerJoin('jobs as j', 'j.id', 'a.job_id')
		.select(['a.id', 'a.job_id', 'j.title as job_title', 'j.company', 'a.status', 'a.updated_at'])
		.$narrowType<{ status: ApplicationStatus }>();
}

/** The user's applications, most recently updated first. */
export function listApplications(db: Queryable, userId: number): Promise<ApplicationSummary[]> {
	return summaries(db)
		.where('a.user_id', '=', userId)
		.orderBy('a.updated_at', 'desc')
		.orderBy('a.id', 'desc')
		.execute();
}

/** One of the user's applications, or undefined when it does not exist or is someone else's. */
export function getApplication(
	db: Queryable,
	userId: number,
	id: number
): Promise<ApplicationSummary | undefined> {
	return summaries(db).where('a.id', '=', id).where('a.user_id', '=', userId).executeTakeFirst();
}

/**
 * Move one of the user's applications to a status. Validates the status (400) and that the
 * application is the user's (404 otherwise). The update, its notification and the events
 * `application:status_change` and `notification:new` are written in one transaction; the events
 * are delivered once it commits. Setting the status it already has changes and sends nothing.
 */
export async function setApplicationStatus(
	store: DomainStore,
	userId: number,
	id: number,
	status: string
): Promise<StatusChange> {
	if (!isApplicationStatus(status)) {
		throw invalid(`Unknown status "${status}"; expected one of ${APPLICATION_STATUSES.join(', ')}`);
	}
	return store.transaction(async (tx): Promise<StatusChange> => {
		const current = await getApplication(tx.db, userId, id);
		if (!current) throw notFound('Application not found');
		if (current.status === status) {
			return { application: current, old_status: status, changed: false, notification: null };
		}
		const updatedAt = new Date().toISOString();
		await tx.db
			.updateTable('applications')
			.set({ status, updated_at: updatedAt })
			.where('id', '=', id)
			.execute();
		const application = { ...current, status, updated_at: updatedAt };
		const notification = await insertNotification(
			tx.db,
			userId,
			statusChangeNotification(current, status),
			updatedAt
		);
		await emitEvent(tx, userId, 'application:status_change', {
			application_id: application.id,
			old_status: current.status,
			new_status: application.status,
			application: { ...application },
			job_title: application.job_title,
			company: application.company
		});
		await emitEvent(tx, userId, 'notification:new', toNotificationEvent(notification));
		return { application, old_status: current.status, changed: true, notification };
	});
}

/** How many of the user's applications are in each status (every status present, 0 if none). */
export async function countByStatus(
	db: Queryable,
	userId: number
): Promise<Record<ApplicationStatus, number>> {
	const counts = Object.fromEntries(APPLICATION_STATUSES.map((status) => [status, 0])) as Record<
		ApplicationStatus,
		number
	>;
	const rows = await db
		.selectFrom('applications')
		.select((eb) => ['status', eb.fn.countAll<number>().as('count')])
		.where('user_id', '=', userId)
		.groupBy('status')
		.execute();
	for (const row of rows) {
		if (isApplicationStatus(row.status)) counts[row.status] = Number(row.count);
	}
	return counts;
}
