/**
 * Notifications: stored per user, pushed live as `notification:new`, listed, and marked read
 * (from a form action or from the client's `notification:read` message over the socket), which
 * is an event too (`notification:read`), so every tab and device follows.
 */
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import {
	NOTIFICATION_CATEGORIES,
	type Notification,
	type NotificationCategory
} from '$lib/protocol';
import type { Queryable } from '../db';
import { emitEvent, type DomainStore, type DomainTransaction } from './events';
import { parseRecord } from './json';
import { safeHref } from '$lib/url';
import { parseInput, text } from './validate';

/** A notification as pages show it: the protocol's shape (with its uuid id) plus its read flag. */
export type NotificationRow = Notification & { id: string; read: boolean };

/** What a caller provides to create a notification. */
export interface NotificationInput {
	category: NotificationCategory;
	title: string;
	description: string;
	/** Kept only when a same-origin path or http(s) URL: `safeHref`, the rule the UI links by. */
	actionUrl?: string;
	actionLabel?: string;
	metadata?: Record<string, unknown>;
}

/** A notification id as a client or form sends it. */
export const notificationIdField = v.pipe(
	v.string('id is required'),
	v.trim(),
	v.nonEmpty('id is required'),
	v.maxLength(64, 'id is too long')
);

const NotificationInputSchema = v.object({
	category: v.picklist(NOTIFICATION_CATEGORIES, 'Unknown notification category'),
	title: text('Title', 200),
	description: v.pipe(
		v.string('Description must be text'),
		v.trim(),
		v.maxLength(2000, 'Description must be at most 2000 characters')
	),
	actionUrl: v.optional(v.string('Action URL must be text')),
	actionLabel: v.optional(text('Action label', 60)),
	metadata: v.optional(v.record(v.string(), v.unknown(), 'Metadata must be an object'))
});

interface NotificationDbRow {
	id: string;
	category: NotificationCategory;
	title: string;
	description: string;
	action_url: string | null;
	action_label: string | null;
	metadata: string | null;
	read: number;
	created_at: string;
}

function toNotificationRow(row: NotificationDbRow): NotificationRow {
	const metadata = parseRecord(row.metadata);
	return {
		id: row.id,
		category: row.category,
		title: row.title,
		description: row.description,
		timestamp: row.created_at,
		...(row.action_url !== null && { actionUrl: row.action_url }),
		...(row.action_url !== null && row.action_label !== null && { actionLabel: row.action_label }),
		...(metadata && { metadata }),
		read: row.read === 1
	};
}

/** The event payload for a stored notification (the row without its read flag). */
export function toNotificationEvent({
	read: _read,
	...notification
}: NotificationRow): Notification {
	return notification;
}

/**
 * Validate and store a notification without sending it, for callers that write several rows in
 * one transaction and emit after it commits. Throws a 400 DomainError on invalid input.
 * An unsafe action URL is dropped together with its label, since a label without a link means
 * nothing.
 */
export async function insertNotification(
	db: Queryable,
	userId: number,
	input: NotificationInput,
	createdAt = new Date().toISOString()
): Promise<NotificationRow> {
	const parsed = parseInput(NotificationInputSchema, input);
	const actionUrl = safeHref(parsed.actionUrl);
	const row: NotificationDbRow = {
		id: randomUUID(),
		category: parsed.category,
		title: parsed.title,
		description: parsed.description,
		action_url: actionUrl,
		action_label: actionUrl === null ? null : (parsed.actionLabel ?? null),
		metadata: parsed.metadata ? JSON.stringify(parsed.metadata) : null,
		read: 0,
		created_at: createdAt
	};
	await db
		.insertInto('notifications')
		.values({ ...row, user_id: userId })
		.execute();
	return toNotificationRow(row);
}

/** Store a notification and push it to the user's sockets as `notification:new`. */
export function createNotification(
	store: DomainStore,
	userId: number,
	input: NotificationInput
): Promise<NotificationRow> {
	return store.transaction(async (tx) => {
		const row = await insertNotification(tx.db, userId, input);
		await emitEvent(tx, userId, 'notification:new', toNotificationEvent(row));
		return row;
	});
}

/** Filters for `listNotifications`. */
export interface NotificationFilter {
	category?: NotificationCategory | null;
	unreadOnly?: boolean;
	limit?: number;
	/** Rows to skip first (paging); only with `limit`. */
	offset?: number;
}

/** A user's notifications, newest first, optionally by category, unread only, or one page. */
export async function listNotifications(
	db: Queryable,
	userId: number,
	{ category = null, unreadOnly = false, limit, offset = 0 }: NotificationFilter = {}
): Promise<NotificationRow[]> {
	let query = db
		.selectFrom('notifications')
		.select([
			'id',
			'category',
			'title',
			'description',
			'action_url',
			'action_label',
			'metadata',
			'read',
			'created_at'
		])
		.where('user_id', '=', userId)
		.orderBy('created_at', 'desc')
		.orderBy('id', 'desc');
	if (category !== null) query = query.where('category', '=', category);
	if (unreadOnly) query = query.where('read', '=', 0);
	if (limit !== undefined && limit >= 0) query = query.limit(limit).offset(offset);
	const rows = await query.execute();
	return rows.map((row) => toNotificationRow(row as NotificationDbRow));
}

/** How many notifications the user has (in a category, or in all), and how many are unread. */
export async function countNotifications(
	db: Queryable,
	userId: number,
	category: NotificationCategory | null = null
): Promise<{ total: number; unread: number }> {
	const row = await db
		.selectFrom('notifications')
		.select((eb) => [
			eb.fn.countAll<number>().as('total'),
			eb.fn.sum<number>(eb.case().when('read', '=', 0).then(1).else(0).end()).as('unread')
		])
		.where('user_id', '=', userId)
		.$if(category !== null, (query) => query.where('category', '=', category!))
		.executeTakeFirstOrThrow();
	return { total: Number(row.total), unread: Number(row.unread ?? 0) };
}

/**
 * Mark one of the user's notifications read inside `tx`, and announce it to every tab and device
 * (`notification:read`, with the unread count after it) in the same transaction. Idempotent: an
 * already read one changes and announces nothing. Returns false when the id does not exist or
 * belongs to another user.
 */
export async function markReadIn(tx: DomainTransaction, userId: number, id: string) {
	const result = await tx.db
		.updateTable('notifications')
		.set({ read: 1 })
		.where('id', '=', id)
		.where('user_id', '=', userId)
		.where('read', '=', 0)
		.executeTakeFirst();
	if (result.numUpdatedRows > 0n) {
		const unread = await unreadCount(tx.db, userId);
		await emitEvent(tx, userId, 'notification:read', { ids: [id], all: false, unread });
		return true;
	}
	const owned = await tx.db
		.selectFrom('notifications')
		.select('id')
		.where('id', '=', id)
		.where('user_id', '=', userId)
		.executeTakeFirst();
	return owned !== undefined;
}

/** {@link markReadIn} in a transaction of its own. */
export function markRead(store: DomainStore, userId: number, id: string): Promise<boolean> {
	return store.transaction((tx) => markReadIn(tx, userId, id));
}

/**
 * Mark all of the user's notifications read and announce it (`notification:read` with `all`)
 * when any was unread; returns how many were.
 */
export function markAllRead(store: DomainStore, userId: number): Promise<number> {
	return store.transaction(async (tx) => {
		const result = await tx.db
			.updateTable('notifications')
			.set({ read: 1 })
			.where('user_id', '=', userId)
			.where('read', '=', 0)
			.executeTakeFirst();
		const count = Number(result.numUpdatedRows);
		if (count > 0) {
			const unread = await unreadCount(tx.db, userId);
			await emitEvent(tx, userId, 'notification:read', { ids: [], all: true, unread });
		}
		return count;
	});
}

/** How many of the user's notifications are unread. */
export async function unreadCount(db: Queryable, userId: number): Promise<number> {
	const row = await db
		.selectFrom('notifications')
		.select((eb) => eb.fn.countAll<number>().as('count'))
		.where('user_id', '=', userId)
		.where('read', '=', 0)
		.executeTakeFirstOrThrow();
	return Number(row.count);
}

export { isNotificationCategory } from '$lib/notification-filter';
