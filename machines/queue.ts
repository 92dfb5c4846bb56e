/**
 * The outgoing queue (outbox): every message the app sent that the server has not acked yet, in
 * the order it was sent. Pure functions over an immutable array, so the chart keeps it in context.
 *
 * The first `inFlight` entries have been written to the open socket and wait for their ack; the
 * rest wait for a connection. When the socket closes `inFlight` drops to 0, which puts the unacked
 * messages back at the front of the queue in their order, to be sent again after the reconnect
 * (the server drops duplicates by id). The bound `maxQueueSize` covers the whole outbox.
 */
import { parseClientMessage } from './protocol';
import type { StorageAdapter } from './storage';

/** A message from the app to the server; `id` is what the server acks. */
export interface QueuedMessage {
	readonly id: string;
	readonly type: string;
	readonly data?: unknown;
}

/**
 * What happens to a new message when the outbox is full: `drop-oldest` evicts the oldest message
 * (reported as `evicted`), `reject` refuses the new one (outcome `rejected`).
 */
export type OverflowPolicy = 'drop-oldest' | 'reject';
export const OVERFLOW_POLICIES: readonly OverflowPolicy[] = ['drop-oldest', 'reject'];

export interface QueueLimits {
	enableMessageQueue: boolean;
	maxQueueSize: number;
	queueOverflow: OverflowPolicy;
}

/**
 * What `send()` did with a message: `sent` (written to the open socket, tracked until acked),
 * `queued` (sent when the connection opens), `dropped` (not connected and the queue is disabled),
 * `rejected` (the outbox is full and the policy is `reject`).
 */
export type SendOutcome = 'sent' | 'queued' | 'dropped' | 'rejected';

export interface SendPlan {
	outcome: SendOutcome;
	/** The id of the message evicted to make room (`drop-oldest` on a full outbox). */
	evicted?: string;
}

/** Whether a new message goes into the outbox (possibly evicting the oldest). */
export function acceptsMessage(queueLength: number, limits: QueueLimits): boolean {
	return (
		limits.enableMessageQueue &&
		(queueLength < limits.maxQueueSize || limits.queueOverflow === 'drop-oldest')
	);
}

/** The outcome of sending one message now; the chart and the facade both decide with it. */
export function planSend(
	queue: readonly QueuedMessage[],
	limits: QueueLimits,
	connected: boolean
): SendPlan {
	if (!limits.enableMessageQueue) return { outcome: connected ? 'sent' : 'dropped' };
	if (!acceptsMessage(queue.length, limits)) return { outcome: 'rejected' };
	const outcome = connected ? 'sent' : 'queued';
	return queue.length >= limits.maxQueueSize ? { outcome, evicted: queue[0].id } : { outcome };
}

export interface Outbox {
	queue: readonly QueuedMessage[];
	inFlight: number;
}

/** Append a message, evicting from the front while the outbox is over its bound. */
export function enqueue(outbox: Outbox, message: QueuedMessage, maxQueueSize: number): Outbox {
	const excess = Math.max(0, outbox.queue.length + 1 - maxQueueSize);
	return {
		queue: [...outbox.queue.slice(excess), message],
		inFlight: Math.max(0, outbox.inFlight - excess)
	};
}

/** Remove the message the server answered (acked, or refused); unknown ids change nothing. */
export function acknowledge(outbox: Outbox, id: string): Outbox {
	const index = outbox.queue.findIndex((message) => message.id === id);
	if (index === -1) return outbox;
	return {
		queue: outbox.queue.filter((_, i) => i !== index),
		inFlight: index < outbox.inFlight ? outbox.inFlight - 1 : outbox.inFlight
	};
}

/** The messages not yet written to the current socket, in order. */
export function pending(outbox: Outbox): readonly QueuedMessage[] {
	return outbox.queue.slice(outbox.inFlight);
}

/** The wire frame of a message: `{type, id, data}`. */
export function serializeMessage(message: QueuedMessage): string {
	return JSON.stringify({ type: message.type, id: message.id, data: message.data });
}

/**
 * The queue saved under `key`, plus what pages that went away handed over (see `handOverQueue`),
 * newest `maxQueueSize` kept. Anything unreadable (another version's format, a hand-edited value)
 * counts as empty rather than breaking the client.
 */
export function loadQueue(
	storage: StorageAdapter,
	key: string,
	maxQueueSize: number
): QueuedMessage[] {
	const own = parseQueue(storage.getItem(key));
	const handedOver = takeHandedOver(storage, key);
	if (handedOver.length === 0) return own.slice(-maxQueueSize);
	// Messages of pages that went away: after this tab's own, each id once, oldest kept first.
	const ids = new Set(own.map((message) => message.id));
	const adopted = handedOver.filter((message) => !ids.has(message.id));
	const kept = [...own, ...adopted].slice(-maxQueueSize);
	// Saved at once: the hand-over copies are gone from the shared storage now.
	saveQueue(storage, key, kept);
	return kept;
}

/** The messages of a saved queue; none when it is missing or not a valid queue. */
function parseQueue(text: string | null): QueuedMessage[] {
	if (text === null) return [];
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch {
		return [];
	}
	if (!Array.isArray(raw)) return [];
	const messages = raw.map(parseClientMessage);
	return messages.every((message) => message !== null) ? (messages as QueuedMessage[]) : [];
}

/**
 * The messages pages that went away handed over for `key`, oldest first, each id once; taken out
 * of the storage, so one page adopts them.
 */
export function takeHandedOver(storage: StorageAdapter, key: string): QueuedMessage[] {
	const seen = new Set<string>();
	const messages: QueuedMessage[] = [];
	for (const message of (storage.takeHandedOver?.(key) ?? []).flatMap(parseQueue)) {
		if (seen.has(message.id)) continue;
		seen.add(message.id);
		messages.push(message);
	}
	return messages;
}

/** Keep the queue for whichever page loads next (this page is going away); nothing if empty. */
export function handOverQueue(
	storage: StorageAdapter,
	key: string,
	queue: readonly QueuedMessage[]
): void {
	if (queue.length > 0) storage.handOver?.(key, JSON.stringify(queue));
}

/** Save the queue under `key` (an empty queue removes the key). */
export function saveQueue(
	storage: StorageAdapter,
	key: string,
	queue: readonly QueuedMessage[]
): void {
	if (queue.length === 0) storage.removeItem(key);
	else storage.setItem(key, JSON.stringify(queue));
}
