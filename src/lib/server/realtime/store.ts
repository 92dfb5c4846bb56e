/**
 * What the hub needs from storage, as an interface the app implements (on SQLite and on
 * PostgreSQL): the per-user event log, exactly-once client messages, and a feed of signals
 * (new rows, ended sessions). The hub keeps no event buffer of its own: it sends from the log.
 */
import type { EventFrame } from 'statechart-websocket';

/** One logged event in its wire form (serialized once, sent as is). */
export interface StoredEvent {
	seq: number;
	json: string;
}

/** The seq range a user's log can replay: `oldest` 0 when the log holds nothing. */
export interface LogBounds {
	oldest: number;
	latest: number;
}

/** What the store tells its subscribers. */
export type StoreSignal =
	/**
	 * The user has committed rows up to `seq`. `json` is the frame of exactly that seq when the
	 * signal comes from this process (in-process after commit); from another node only ids arrive.
	 */
	| { kind: 'events'; userId: number; seq: number; json?: string }
	/** A session ended (signed out): its sockets must close, on every node. */
	| { kind: 'session_ended'; sessionId: string }
	/** Close every socket of a user (1001: they reconnect and resume). */
	| { kind: 'drop_user'; userId: number }
	/** Close every socket (1001). */
	| { kind: 'restart' }
	/**
	 * Signals may have been missed (the notification connection came back, or a node started, so
	 * one may have died between a commit and its notification): catch up from the log.
	 */
	| { kind: 'reset' };

export type StoreListener = (signal: StoreSignal) => void;

/**
 * The hub's storage. `Tx` is the caller's transaction type: events are appended inside the
 * transaction of the change that causes them, and a message handler runs inside the transaction
 * that records its id.
 */
export interface HubStore<Tx = unknown> {
	/** Append an event for a user inside `tx`, with the user's next seq (gapless per user). */
	append(tx: Tx, userId: number, type: string, data: unknown): Promise<EventFrame>;
	bounds(userId: number): Promise<LogBounds>;
	/** Each listed user's latest seq (users without a row are left out). */
	latestSeqs(userIds: readonly number[]): Promise<Map<number, number>>;
	/** Logged events with seq > `seq`, in seq order, at most `limit`. */
	eventsAfter(userId: number, seq: number, limit: number): Promise<StoredEvent[]>;
	/**
	 * Record a client message id and run `apply` in the same transaction; false (nothing run)
	 * when the id was recorded before. A throwing `apply` rolls the record back too.
	 */
	applyOnce(
		userId: number,
		id: string,
		type: string,
		apply: (tx: Tx) => Promise<void>
	): Promise<boolean>;
	/** Forget message ids received before `before` (epoch ms). */
	pruneMessages(before: number): Promise<void>;
	/** Be told of signals; returns the unsubscribe function. */
	subscribe(listener: StoreListener): () => void;
	/**
	 * Whether an error means the store could not be reached (connection refused or lost, the
	 * database restarting): nothing was applied and the same request may succeed later. The hub
	 * then neither acks nor refuses a client message; it closes the socket with 1001, so the client
	 * resends the message from its outbox once it is back (on any node). Without it, every failure
	 * refuses the message.
	 */
	isUnavailable?(error: unknown): boolean;
}

/** A socket's identity, as the app's `authenticate` finds it from the upgrade request. */
export interface HubSession {
	/** The session's id: signing out closes the sockets admitted with it. */
	id: string;
	userId: number;
	/** Epoch ms after which the socket is closed with 4401. */
	expiresAt: number;
}
