/**
 * The domain's handlers for custom client messages arriving over the socket. The hub acks each
 * message and drops repeats by id before a handler runs, so handlers only apply the change.
 */
import type Database from 'better-sqlite3';
import * as v from 'valibot';
import { getDb } from '$lib/server/db';
import { getHub, type RealtimeHub } from '$lib/server/realtime/hub';
import { markRead, notificationIdField } from './notifications';
import { parseInput } from './validate';

/** `notification:read` carries the id of the notification the user read. */
const NotificationReadSchema = v.object({ id: notificationIdField });

type Hub = Pick<RealtimeHub, 'onMessage'>;

/**
 * Hubs that already have the handlers, kept on globalThis so a second copy of this module (the
 * Vite SSR graph next to the production bundle) cannot register them twice.
 */
const REGISTERED = Symbol.for('career-copilot.domain-handlers');
const registry = globalThis as typeof globalThis & { [REGISTERED]?: WeakSet<Hub> };

/**
 * Register the domain's message handlers on a hub (default: the process's hub and database).
 * Safe to call any number of times: a hub gets the handlers once.
 */
export function registerDomainHandlers(hub: Hub = getHub(), db: Database.Database = getDb()): void {
	const registered = (registry[REGISTERED] ??= new WeakSet());
	if (registered.has(hub)) return;
	registered.add(hub);
	hub.onMessage('notification:read', (userId, data) => {
		markRead(db, userId, parseInput(NotificationReadSchema, data).id);
	});
}
