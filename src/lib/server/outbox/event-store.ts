/**
 * The transactional outbox and the hub's store, on either engine through Kysely.
 *
 * A change and the events it causes commit together: `transaction(work)` hands `work` a
 * transaction and an `emit` that appends to the user's event log inside it, taking the user's
 * next seq with `UPDATE users SET last_seq = last_seq + 1 ... RETURNING` (the row lock makes the
 * seqs gapless under concurrent writers, on one node or many). Only after the commit are
 * subscribers told: on PostgreSQL every node first, through the node's notifier (its own
 * connection, outside the transaction: see pg-notifier.ts), then in-process. A notification
 * carries user ids and seqs only; nodes read the rows from the log. Nothing is told of a
 * transaction that rolled back.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Insertable } from 'kysely';
import type { EventFrame } from 'statechart-websocket';
import type { Db, Engine, Tx } from '../db';
import type { EventLogTable } from '../db/schema';
import type {
	HubStore,
	LogBounds,
	StoreListener,
	StoreSignal,
	StoredEvent
} from '../realtime/store';

/**
 * The NOTIFY channels: new event rows (`<userId>:<seq>`, comma-separated, one per user) and
 * other signals (JSON).
 */
export const EVENTS_CHANNEL = 'cc_events';
export const SIGNALS_CHANNEL = 'cc_signals';

/** A transaction of the outbox: queries on `db`, events through `emit`, committed together. */
export interface OutboxTransaction {
	db: Tx;
	/** Log an event for a user inside this transaction; it is delivered after the commit. */
	emit(userId: number, type: string, data: unknown): Promise<EventFrame>;
}

/** Tells the other nodes of committed rows (on PostgreSQL the PgNotifier). */
export interface CommitNotifier {
	notify(userId: number, seq: number): void;
}

export interface EventStoreOptions {
	db: Db;
	engine: Engine;
	/** Told of every commit's latest seq per user, before this process's subscribers. */
	notifier?: CommitNotifier;
	/** Events kept per user for replay; older ones are deleted as new ones are appended. */
	retainedEvents?: number;
	/**
	 * Called after a commit that appended events, before anyone (another node or a socket) is
	 * told of them. Only the crash-after-commit tests set it (see faultAfterCommitFromEnv).
	 */
	afterCommit?: () => void;
}

export const DEFAULT_RETAINED_EVENTS = 1_000;

/**
 * The text frame of an event. `data` is already JSON (as stored), so replay never parses and
 * re-serializes it.
 */
export function eventFrameJson(
	type: string,
	id: string,
	seq: number,
	ts: number,
	data: string
): string {
	return `{"type":${JSON.stringify(type)},"id":${JSON.stringify(id)},"seq":${seq},"ts":${ts},"data":${data}}`;
}

/**
 * Error codes of a database that is not reachable right now: PostgreSQL's connection exceptions
 * (SQLSTATE class 08) and shutdown/start-up states (57P01-57P03), the socket's own errors, and
 * SQLite's busy/locked.
 */
const UNAVAILABLE_CODES = new Set([
	'57P01',
	'57P02',
	'57P03',
	'ECONNREFUSED',
	'ECONNRESET',
	'EPIPE',
	'ETIMEDOUT',
	'SQLITE_BUSY',
	'SQLITE_LOCKED'
]);

/** Whether `error` (or its cause) says the database could not be reached, not that the work failed. */
export function isStoreUnavailable(error: unknown): boolean {
	for (let e = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
		const code = (e as { code?: unknown }).code;
		if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_CODES.has(code))) {
			return true;
		}
		// pg's own errors for a connection that went away carry no code.
		if (
			/connection terminated|connection timeout|connection error/i.test(
				String((e as Error).message)
			)
		) {
			return true;
		}
	}
	return false;
}

interface Appended {
	userId: number;
	seq: number;
	json: string;
}

export class EventStore implements HubStore<OutboxTransaction> {
	readonly db: Db;
	readonly engine: Engine;
	readonly #retained: number;
	readonly #afterCommit: (() => void) | undefined;
	readonly #notifier: CommitNotifier | undefined;
	readonly #listeners = new Set<StoreListener>();
	/** What each open transaction appended, to announce after its commit. */
	readonly #appended = new WeakMap<OutboxTransaction, Appended[]>();

	constructor({
		db,
		engine,
		retainedEvents = DEFAULT_RETAINED_EVENTS,
		afterCommit,
		notifier
	}: EventStoreOptions) {
		if (!Number.isSafeInteger(retainedEvents) || retainedEvents <= 0) {
			throw new TypeError('EventStore: retainedEvents must be a positive integer');
		}
		this.db = db;
		this.engine = engine;
		this.#retained = retainedEvents;
		this.#afterCommit = afterCommit;
		this.#notifier = notifier;
	}

	/**
	 * Run `work` in one transaction; the events it emits are delivered after the commit, and
	 * none if it throws (the whole transaction rolls back, the error is rethrown).
	 */
	async transaction<T>(work: (tx: OutboxTransaction) => Promise<T>): Promise<T> {
		const appended: Appended[] = [];
		let current: OutboxTransaction | undefined;
		let result: T;
		try {
			result = await this.db.transaction().execute(async (db) => {
				const tx: OutboxTransaction = {
					db,
					emit: (userId, type, data) => this.append(tx, userId, type, data)
				};
				current = tx;
				this.#appended.set(tx, appended);
				return work(tx);
			});
		} finally {
			// An emit after the transaction ended (a promise nobody awaited) is refused.
			if (current) this.#appended.delete(current);
		}
		if (appended.length > 0) {
			this.#afterCommit?.();
			// The other nodes first: this node's own sockets are written to synchronously below.
			for (const { userId, seq } of appended) this.#notifier?.notify(userId, seq);
			for (const { userId, seq, json } of appended) {
				this.#publish({ kind: 'events', userId, seq, json });
			}
		}
		return result;
	}

	async append(
		tx: OutboxTransaction,
		userId: number,
		type: string,
		data: unknown
	): Promise<EventFrame> {
		if (!Number.isSafeInteger(userId)) throw new TypeError('emit: userId must be an integer');
		if (typeof type !== 'string' || type === '') {
			throw new TypeError('emit: type must be a non-empty string');
		}
		const json = data === undefined ? undefined : JSON.stringify(data);
		if (json === undefined) throw new TypeError(`event ${type}: data must be JSON-serializable`);
		const appended = this.#appended.get(tx);
		if (!appended) throw new Error('emit: the transaction is over');
		const id = randomUUID();
		const ts = Date.now();
		const seq = await this.#insertNext(tx.db, { user_id: userId, id, type, data: json, ts });
		appended.push({ userId, seq, json: eventFrameJson(type, id, seq, ts, json) });
		return { type, id, seq, ts, data };
	}

	/**
	 * Take the user's next seq and log the event under it, dropping what falls out of the
	 * retention. On PostgreSQL that is one statement (one round trip inside the change's
	 * transaction); SQLite runs in-process, and has no data-modifying WITH, so three.
	 */
	async #insertNext(db: Tx, event: Omit<Insertable<EventLogTable>, 'seq'>): Promise<number> {
		const userId = event.user_id;
		if (this.engine === 'postgres') {
			const row = await db
				.with('next', (q) =>
					q
						.updateTable('users')
						.set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
						.where('id', '=', userId)
						.returning('last_seq')
				)
				.with('pruned', (q) =>
					q
						.deleteFrom('event_log')
						.where('user_id', '=', userId)
						.where('seq', '<=', (eb) =>
							eb.selectFrom('next').select(sql<number>`last_seq - ${this.#retained}`.as('bound'))
						)
				)
				.insertInto('event_log')
				.columns(['user_id', 'seq', 'id', 'type', 'data', 'ts'])
				.expression((eb) =>
					eb
						.selectFrom('next')
						.select([
							sql<number>`${userId}::integer`.as('user_id'),
							'last_seq',
							sql<string>`${event.id}::text`.as('id'),
							sql<string>`${event.type}::text`.as('type'),
							sql<string>`${event.data}::text`.as('data'),
							sql<number>`${event.ts}::bigint`.as('ts')
						])
				)
				.returning('seq')
				.executeTakeFirst();
			if (!row) throw new Error(`emit: there is no user ${userId}`);
			return Number(row.seq);
		}
		const row = await db
			.updateTable('users')
			.set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
			.where('id', '=', userId)
			.returning('last_seq')
			.executeTakeFirst();
		if (!row) throw new Error(`emit: there is no user ${userId}`);
		const seq = Number(row.last_seq);
		await db
			.insertInto('event_log')
			.values({ ...event, seq })
			.execute();
		if (seq > this.#retained) {
			await db
				.deleteFrom('event_log')
				.where('user_id', '=', userId)
				.where('seq', '<=', seq - this.#retained)
				.execute();
		}
		return seq;
	}

	async bounds(userId: number): Promise<LogBounds> {
		const row = await this.db
			.selectFrom('users')
			.select((eb) => [
				'last_seq',
				eb
					.selectFrom('event_log')
					.select((inner) => inner.fn.min('seq').as('oldest'))
					.where('event_log.user_id', '=', userId)
					.as('oldest')
			])
			.where('id', '=', userId)
			.executeTakeFirst();
		return { oldest: Number(row?.oldest ?? 0), latest: Number(row?.last_seq ?? 0) };
	}

	/** The user's latest seq (0 when none): a page carries it so its client resumes from there. */
	async latestSeq(db: Db | Tx, userId: number): Promise<number> {
		const row = await db
			.selectFrom('users')
			.select('last_seq')
			.where('id', '=', userId)
			.executeTakeFirst();
		return Number(row?.last_seq ?? 0);
	}

	async latestSeqs(userIds: readonly number[]): Promise<Map<number, number>> {
		const latest = new Map<number, number>();
		if (userIds.length === 0) return latest;
		const rows = await this.db
			.selectFrom('users')
			.select(['id', 'last_seq'])
			.where('id', 'in', userIds)
			.execute();
		for (const row of rows) latest.set(row.id, Number(row.last_seq));
		return latest;
	}

	async eventsAfter(userId: number, seq: number, limit: number): Promise<StoredEvent[]> {
		const rows = await this.db
			.selectFrom('event_log')
			.select(['type', 'id', 'seq', 'ts', 'data'])
			.where('user_id', '=', userId)
			.where('seq', '>', seq)
			.orderBy('seq')
			.limit(limit)
			.execute();
		return rows.map((row) => {
			const eventSeq = Number(row.seq);
			return {
				seq: eventSeq,
				json: eventFrameJson(row.type, row.id, eventSeq, Number(row.ts), row.data)
			};
		});
	}

	async applyOnce(
		userId: number,
		id: string,
		type: string,
		apply: (tx: OutboxTransaction) => Promise<void>
	): Promise<boolean> {
		return this.transaction(async (tx) => {
			const recorded = await tx.db
				.insertInto('client_messages')
				.values({ user_id: userId, id, type, received_at: Date.now() })
				.onConflict((conflict) => conflict.columns(['user_id', 'id']).doNothing())
				.returning('id')
				.executeTakeFirst();
			if (!recorded) return false;
			await apply(tx);
			return true;
		});
	}

	async pruneMessages(before: number): Promise<void> {
		await this.db.deleteFrom('client_messages').where('received_at', '<', before).execute();
	}

	isUnavailable(error: unknown): boolean {
		return isStoreUnavailable(error);
	}

	subscribe(listener: StoreListener): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** Close the sockets of a session, on every node (call after the session row is deleted). */
	endSession(sessionId: string): Promise<void> {
		return this.#signal({ kind: 'session_ended', sessionId });
	}

	/** Close every socket of a user, on every node (1001: they reconnect). */
	dropUser(userId: number): Promise<void> {
		return this.#signal({ kind: 'drop_user', userId });
	}

	/** Close every socket, on every node (1001: they reconnect). */
	restartSockets(): Promise<void> {
		return this.#signal({ kind: 'restart' });
	}

	/**
	 * Tell every node that this one has started: each catches its local users up from the log, as
	 * after a LISTEN reconnect. A node that died between a commit and its notification (or a
	 * predecessor that did) leaves nothing behind once a node comes back.
	 */
	announceStart(): Promise<void> {
		return this.#signal({ kind: 'reset' });
	}

	/**
	 * A signal from another process (the PostgreSQL listener), or `reset` when some may have been
	 * missed. Not for the app: it uses the methods above.
	 */
	receive(signal: StoreSignal): void {
		this.#publish(signal);
	}

	/** On SQLite (one process) the listeners are told here; on PostgreSQL through NOTIFY. */
	async #signal(signal: Exclude<StoreSignal, { kind: 'events' }>): Promise<void> {
		if (this.engine === 'postgres') {
			await sql`select pg_notify(${SIGNALS_CHANNEL}, ${JSON.stringify(signal)})`.execute(this.db);
		} else {
			this.#publish(signal);
		}
	}

	#publish(signal: StoreSignal): void {
		for (const listener of this.#listeners) {
			try {
				listener(signal);
			} catch (error) {
				console.error('[outbox] a listener failed:', error);
			}
		}
	}
}

/**
 * The crash-after-commit fault hook: with NODE_ENV=test and CC_TEST_CRASH_AFTER_COMMIT=1 the
 * process kills itself (SIGKILL) right after the first commit that appended events, before any
 * socket is told and before its notification to the other nodes. Never active outside tests.
 */
export function faultAfterCommitFromEnv(env: NodeJS.ProcessEnv): (() => void) | undefined {
	if (env.NODE_ENV !== 'test' || env.CC_TEST_CRASH_AFTER_COMMIT !== '1') return undefined;
	return () => process.kill(process.pid, 'SIGKILL');
}
