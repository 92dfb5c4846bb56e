/**
 * Writing to a running server's SQLite file from the test process, for content no page can
 * create: a stored notification row (bypassing the domain's URL filter, as an old or imported row
 * could) and its `notification:new` event appended to the user's event log with the server's own
 * EventLog class. The running server sends it to a client that resumes after it (a reconnect).
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Notification } from '../../src/lib/protocol';
import { EventLog } from '../../src/lib/server/realtime/event-log';

export type InjectedNotification = Omit<Notification, 'id' | 'timestamp'>;

/** Store a notification for the user with `email` and log its event; returns its id. */
export function injectNotification(
	databasePath: string,
	email: string,
	input: InjectedNotification
): Notification['id'] {
	const db = new Database(databasePath);
	try {
		db.pragma('busy_timeout = 5000');
		const userId = db
			.prepare<[string], number>('SELECT id FROM users WHERE email = ?')
			.pluck()
			.get(email);
		if (userId === undefined) throw new Error(`no user ${email}`);
		const notification: Notification = {
			id: randomUUID(),
			timestamp: new Date().toISOString(),
			...input
		};
		db.prepare(
			`INSERT INTO notifications
				(id, user_id, category, title, description, action_url, action_label, metadata, read, created_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0, ?)`
		).run(
			notification.id,
			userId,
			notification.category,
			notification.title,
			notification.description,
			notification.actionUrl ?? null,
			notification.actionLabel ?? null,
			notification.timestamp
		);
		// Never prunes: the retention bound is the server's business.
		new EventLog(db, Number.MAX_SAFE_INTEGER).append(userId, 'notification:new', notification);
		return notification.id;
	} finally {
		db.close();
	}
}
