/**
 * Job applications: listed per user, counted by status, and moved between statuses. A move is
 * announced to every socket of the user (`application:status_change`) and kept as an
 * `application` notification.
 */
import type Database from 'better-sqlite3';
import { APPLICATION_STATUSES, type ApplicationStatus } from '$lib/protocol';
import { invalid, notFound } from './errors';
import { emitEvent, getHub, type EventSink } from './events';
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

const SUMMARY_SELECT = `SELECT a.id, a.job_id, j.title AS job_title, j.company, a.status, a.updated_at
	FROM applications a JOIN jobs j ON j.id = a.job_id`;

/** The user's applications, most recently updated first. */
export function listApplications(db: Database.Database, userId: number): ApplicationSummary[] {
	return db
		.prepare<[number], ApplicationSummary>(
			`${SUMMARY_SELECT} WHERE a.user_id = ? ORDER BY a.updated_at DESC, a.id DESC`
		)
		.all(userId);
}

/** One of the user's applications, or undefined when it does not exist or is someone else's. */
export function getApplication(
	db: Database.Database,
	userId: number,
	id: number
): ApplicationSummary | undefined {
	return db
		.prepare<[number, number], ApplicationSummary>(
			`${SUMMARY_SELECT} WHERE a.id = ? AND a.user_id = ?`
		)
		.get(id, userId);
}

/**
 * Move one of the user's applications to a status. Validates the status (400) and that the
 * application is the user's (404 otherwise). The update and its notification are written in one
 * transaction; `application:status_change` and `notification:new` go out after it commits.
 * Setting the status it already has changes and sends nothing.
 */
export function setApplicationStatus(
	db: Database.Database,
	userId: number,
	id: number,
	status: string,
	hub: EventSink = getHub()
): StatusChange {
	if (!isApplicationStatus(status)) {
		throw invalid(`Unknown status "${status}"; expected one of ${APPLICATION_STATUSES.join(', ')}`);
	}
	const change = db.transaction((): StatusChange => {
		const current = getApplication(db, userId, id);
		if (!current) throw notFound('Application not found');
		if (current.status === status) {
			return { application: current, old_status: status, changed: false, notification: null };
		}
		const updatedAt = new Date().toISOString();
		db.prepare('UPDATE applications SET status = ?, updated_at = ? WHERE id = ?').run(
			status,
			updatedAt,
			id
		);
		const application = { ...current, status, updated_at: updatedAt };
		const notification = insertNotification(
			db,
			userId,
			statusChangeNotification(current, status),
			updatedAt
		);
		return { application, old_status: current.status, changed: true, notification };
	})();
	if (change.notification) {
		const { application } = change;
		emitEvent(hub, userId, 'application:status_change', {
			application_id: application.id,
			old_status: change.old_status,
			new_status: application.status,
			application: { ...application },
			job_title: application.job_title,
			company: application.company
		});
		emitEvent(hub, userId, 'notification:new', toNotificationEvent(change.notification));
	}
	return change;
}

/** How many of the user's applications are in each status (every status present, 0 if none). */
export function countByStatus(
	db: Database.Database,
	userId: number
): Record<ApplicationStatus, number> {
	const counts = Object.fromEntries(APPLICATION_STATUSES.map((status) => [status, 0])) as Record<
		ApplicationStatus,
		number
	>;
	const rows = db
		.prepare<[number], { status: string; count: number }>(
			'SELECT status, COUNT(*) AS count FROM applications WHERE user_id = ? GROUP BY status'
		)
		.all(userId);
	for (const row of rows) {
		if (isApplicationStatus(row.status)) counts[row.status] = row.count;
	}
	return counts;
}
