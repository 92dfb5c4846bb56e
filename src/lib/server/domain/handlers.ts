/**
 * The domain's handlers for custom client messages arriving over the socket. The hub drops
 * repeats by id and runs each handler inside the transaction that records the id (so it is
 * applied exactly once, on whichever node), then acks; handlers only apply the change.
 */
import * as v from 'valibot';
import type { RealtimeHub } from '../realtime/hub';
import type { DomainTransaction } from './events';
import { markReadIn, notificationIdField } from './notifications';
import { parseInput } from './validate';

/** `notification:read` carries the id of the notification the user read. */
const NotificationReadSchema = v.object({ id: notificationIdField });

/** Register the domain's message handlers on a hub. */
export function registerDomainHandlers(
	hub: Pick<RealtimeHub<DomainTransaction>, 'onMessage'>
): void {
	hub.onMessage('notification:read', async (userId, data, tx) => {
		await markReadIn(tx, userId, parseInput(NotificationReadSchema, data).id);
	});
}
