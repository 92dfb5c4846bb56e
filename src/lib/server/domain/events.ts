/**
 * How domain code changes data and emits events: in one transaction (a transactional outbox).
 *
 * ```ts
 * const row = await store.transaction(async (tx) => {
 *   await tx.db.updateTable('applications').set({ status }).where('id', '=', id).execute();
 *   await emitEvent(tx, userId, 'application:status_change', { ... }); // same transaction
 *   return ...;
 * });
 * // Committed: the user's sockets get the event now, on every node. Had the work thrown, the
 * // change and its events would both have rolled back, and nothing would be sent.
 * ```
 *
 * - `store.db` runs reads (and writes that announce nothing) outside a transaction.
 * - `store.transaction(work)` hands `work` a `tx`: `tx.db` is the transaction (use it for every
 *   query inside, never `store.db`, or SQLite waits on itself), `emitEvent(tx, ...)` appends the
 *   event to the user's log with the user's next seq, inside the transaction.
 * - Client messages arriving over the socket are handled inside such a transaction too (the hub
 *   records the message id in it): a handler registered in handlers.ts gets the `tx`.
 * - Domain functions take the store (or a `Queryable` for plain reads) as their first argument;
 *   nothing here reaches for a process-wide instance.
 */
import type { EventFrame } from 'statechart-websocket';
import type { CoreEventMap, CoreEventType } from '$lib/protocol';
import type { EventStore, OutboxTransaction } from '../outbox/event-store';

/** What domain functions write through: reads on `db`, changes with events in `transaction`. */
export type DomainStore = Pick<EventStore, 'db' | 'transaction'>;

/** One transaction of the outbox: `db` for queries, and events through emitEvent. */
export type DomainTransaction = OutboxTransaction;

/**
 * Log one core event for a user inside the transaction, typed by the protocol's event map. It is
 * stored with the user's next seq and delivered to their sockets after the commit (and replayed
 * to a user who was offline).
 */
export function emitEvent<K extends CoreEventType>(
	tx: DomainTransaction,
	userId: number,
	type: K,
	data: CoreEventMap[K]
): Promise<EventFrame> {
	return tx.emit(userId, type, data);
}
