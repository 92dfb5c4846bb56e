/**
 * The node's dedicated NOTIFY connection on PostgreSQL: after a commit, it tells every node
 * which users have new rows (`cc_events`: `<userId>:<seq>,<userId>:<seq>,…`). The notification
 * is only a wake-up (the rows are already durable, and every node reads them from the log), so
 * it is sent after the commit and outside the change's transaction: a transaction that NOTIFYs
 * holds PostgreSQL's database-wide notify lock from pre-commit through its WAL flush, which made
 * every notifying commit wait for the previous one. Here it is one statement per round trip,
 * carrying every user whose rows were committed meanwhile (their latest seq), with
 * `synchronous_commit = off` for that statement's own transaction (its commit does not wait for
 * the flush either). Set in the statement, not on the session: through a pooler in transaction
 * mode a session setting would stay on a pooled server connection and make other clients'
 * commits asynchronous too.
 *
 * A wake-up lost (the node dies between its commit and this, or this connection fails) is made
 * good by the hubs' sweep and the start-up announcement (see RealtimeHub's sweepInterval).
 */
import pg from 'pg';
import { pgClientConfig } from '../db';
import { EVENTS_CHANNEL } from './event-store';

/** The NOTIFY connection's application_name (pg_stat_activity shows which connection it is). */
export const NOTIFIER_NAME = 'career-copilot-notifier';

/**
 * One NOTIFY per payload, in one implicit transaction that does not wait for its WAL flush:
 * `set_config(…, true)` lasts until that transaction's commit, which reads it.
 */
const NOTIFY_STATEMENT =
	"SELECT pg_notify($1, payload) FROM set_config('synchronous_commit', 'off', true), " +
	'unnest($2::text[]) AS payload';

/** A NOTIFY payload must be shorter than 8,000 bytes; this leaves room to spare. */
export const MAX_PAYLOAD_BYTES = 7_900;

/** The latest seq per user as `cc_events` payloads, each under MAX_PAYLOAD_BYTES. */
export function eventPayloads(latest: ReadonlyMap<number, number>): string[] {
	const payloads: string[] = [];
	let current = '';
	for (const [userId, seq] of latest) {
		const entry = `${userId}:${seq}`;
		if (current !== '' && current.length + 1 + entry.length > MAX_PAYLOAD_BYTES) {
			payloads.push(current);
			current = '';
		}
		current = current === '' ? entry : `${current},${entry}`;
	}
	if (current !== '') payloads.push(current);
	return payloads;
}

export class PgNotifier {
	readonly #url: string;
	readonly #logger: Pick<Console, 'warn'>;
	/** Committed and not yet announced: the latest seq per user. */
	#pending = new Map<number, number>();
	#client: pg.Client | undefined;
	#flushing: Promise<void> | undefined;
	#closed = false;
	#failures = 0;

	constructor(url: string, logger: Pick<Console, 'warn'> = console) {
		this.#url = url;
		this.#logger = logger;
	}

	/** Notifications that could not be sent (their users are caught up by the sweep). */
	get failures(): number {
		return this.#failures;
	}

	/** Announce that `userId` has committed rows up to `seq` (sent with whatever else is pending). */
	notify(userId: number, seq: number): void {
		if (this.#closed) return;
		if ((this.#pending.get(userId) ?? 0) < seq) this.#pending.set(userId, seq);
		this.#flushing ??= this.#flush();
	}

	/** Send what is pending, then close the connection. */
	async close(): Promise<void> {
		await this.#flushing;
		this.#closed = true;
		const client = this.#client;
		this.#client = undefined;
		await client?.end().catch(() => {});
	}

	/** One statement per round trip, until nothing is pending. */
	async #flush(): Promise<void> {
		try {
			while (this.#pending.size > 0) {
				const batch = this.#pending;
				this.#pending = new Map();
				try {
					const client = this.#client ?? (await this.#connect());
					await client.query(NOTIFY_STATEMENT, [EVENTS_CHANNEL, eventPayloads(batch)]);
				} catch (error) {
					this.#lost(error);
				}
			}
		} finally {
			this.#flushing = undefined;
		}
	}

	async #connect(): Promise<pg.Client> {
		const client = new pg.Client({ ...pgClientConfig(this.#url), application_name: NOTIFIER_NAME });
		// A connection that breaks between statements: the next statement reconnects.
		client.on('error', () => {});
		client.once('end', () => {
			if (this.#client === client) this.#client = undefined;
		});
		try {
			await client.connect();
		} catch (error) {
			await client.end().catch(() => {});
			throw error;
		}
		this.#client = client;
		return client;
	}

	#lost(error: unknown): void {
		this.#failures += 1;
		const client = this.#client;
		this.#client = undefined;
		void client?.end().catch(() => {});
		if (this.#failures === 1) {
			this.#logger.warn(
				`[outbox] a NOTIFY failed (${String((error as Error)?.message ?? error)}); the sweep catches ` +
					'its users up (further failures are only counted)'
			);
		}
	}
}
