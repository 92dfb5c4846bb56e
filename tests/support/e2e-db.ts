/**
 * Writing to a running server's SQLite file from the test process, for content no page can
 * create: a stored notification row (bypassing the domain's URL filter, as an old or imported row
 * could) and its `notification:new` event appended to the user's event log through the server's
 * own outbox, in one transaction. The running server (another process) is not told; it sends the
 * event to a client that resumes after it (a reconnect).
 */
import { randomUUID } from 'node:crypto';
import type { Notification } from '../../src/lib/protocol';
import { openDatabase } from '../../src/lib/server/db';
import { EventStore } from '../../src/lib/server/outbox/event-store';

export type InjectedNotification = Omit<Notification, 'id' | 'timestamp'>;

/** Store a notification for the user with `email` and log its event; returns its id. */
export async function injectNotification(
	databasePath: string,
	email: string,
	input: InjectedNotification
): Promise<Notification['id']> {
	const database = await openDatabase({ engine: 'sqlite', path: databasePath });
	try {
		// Never prunes: the retention bound is the server's business.
		const store = new EventStore({
			db: database.db,
			engine: 'sqlite',
			retainedEvents: Number.MAX_SAFE_INTEGER
		});
		const user = await database.db
			.selectFrom('users')
			.select('id')
			.where('email', '=', email)
			.executeTakeFirst();
		if (!user) throw new Error(`no user ${email}`);
		const notification: Notification = {
			id: randomUUID(),
			timestamp: new Date().toISOString(),
			...input
		};
		await store.transaction(async (tx) => {
			await tx.db
				.insertInto('notifications')
				.values({
					id: String(notification.id),
					user_id: user.id,
					category: notification.category,
					title: notification.title,
					description: notification.description,
					action_url: notification.actionUrl ?? null,
					action_label: notification.actionLabel ?? null,
					metadata: null,
					read: 0,
					created_at: notification.timestamp
				})
				.execute();
			await tx.emit(user.id, 'notification:new', notification);
		});
		return notification.id;
	} finally {
		await database.close();
	}
}
