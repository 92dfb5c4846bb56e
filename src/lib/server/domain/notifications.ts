/**
 * Notifications: stored per user, pushed live as `notification:new`, listed, and marked read
 * (from a form action or from the client's `notification:read` message over the socket).
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import * as v from 'valibot';
import {
	NOTIFICATION_CATEGORIES,
	type Notification,
	type NotificationCategory
} from '$lib/protocol';
import { emitEvent, getHub, type EventSink } from './events';
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
export function insertNotification(
	db: Database.Database,
	userId: number,
	input: NotificationInput,
	createdAt = new Date().toISOString()
): NotificationRow {
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
	db.prepare(
		`INSERT INTO notifications
			(id, user_id, category, title, description, action_url, action_label, metadata, read, created_at)
		 VALUES (@id, @user_id, @category, @title, @description, @action_url, @action_label, @metadata,
			@read, @created_at)`
	).run({ ...row, user_id: userId });
	return toNotificationRow(row);
}

/** Store a notification and push it to the user's sockets as `notification:new`. */
export function createNotification(
	db: Database.Database,
	userId: number,
	input: NotificationInput,
	hub: EventSink = getHub()
): NotificationRow {
	const row = insertNotification(db, userId, input);
	emitEvent(hub, userId, 'notification:new', toNotificationEvent(row));
	return row;
}

/** Filters for `listNotifications`. */
export interface NotificationFilter {
	category?: NotificationCategory | null;
	unreadOnly?: boolean;
	limit?: number;
}

/** A user's notifications, newest first, optionally by category, unread only, or limited. */
export function listNotifications(
	db: Database.Database,
	userId: number,
	{ category = null, unreadOnly = false, limit = -1 }: NotificationFilter = {}
): NotificationRow[] {
	const rows = db
		.prepare<[number, string | null, string | null, number, number], NotificationDbRow>(
			`SELECT id, category, title, description, action_url, action_label, metadata, read, created_at
			 FROM notifications
			 WHERE user_id = ? AND (? IS NULL OR category = ?) AND (? = 0 OR read = 0)
			 ORDER BY created_at DESC, id DESC
			 LIMIT ?`
		)
		.all(userId, category, category, unreadOnly ? 1 : 0, limit);
	return rows.map(toNotificationRow);
}

/**
 * Mark one of the user's notifications read. Idempotent. Returns false when the id does not exist
 * or belongs to another user.
 */
export function markRead(db: Database.Database, userId: number, id: string): boolean {
	return (
		db.prepare('UPDATE notifications SET read = 1 WHERE id = ? AND user_id = ?').run(id, userId)
			.changes > 0
	);
}

/** Mark all of the user's notifications read; returns how many were unread. */
export function markAllRead(db: Database.Database, userId: number): number {
	return db.prepare('UPDATE notifications SET read = 1 WHERE user_id = ? AND read = 0').run(userId)
		.changes;
}

/** How many of the user's notifications are unread. */
export function unreadCount(db: Database.Database, userId: number): number {
	return db
		.prepare<[number], number>('SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read = 0')
		.pluck()
		.get(userId) as number;
}

/** Whether a value is one of the protocol's notification categories. */
export function isNotificationCategory(value: unknown): value is NotificationCategory {
	return (NOTIFICATION_CATEGORIES as readonly unknown[]).includes(value);
}
