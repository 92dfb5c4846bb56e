/**
 * The node's dedicated LISTEN connection on PostgreSQL: it hears of every node's commits
 * (`cc_events`: `<userId>:<seq>` pairs, comma-separated) and signals (`cc_signals`: JSON, among
 * them `reset` when a node starts) and hands them to the event store's subscribers. When the
 * connection drops it reconnects (backoff up to 5 s) and then signals `reset`, so the hub catches
 * every local user up from the log: what was committed while it was away still arrives, once.
 */
import pg from 'pg';
import { pgClientConfig } from '../db';
import type { StoreSignal } from '../realtime/store';
import { EVENTS_CHANNEL, SIGNALS_CHANNEL } from './event-store';

const RETRY_MIN_MS = 100;
/** The LISTEN connection's application_name (pg_stat_activity shows which connection it is). */
export const LISTENER_NAME = 'career-copilot-listener';
const RETRY_MAX_MS = 5_000;

/** `<userId>:<seq>` pairs, comma-separated: what the notifier sends (pg-notifier.ts). */
const EVENTS_PAYLOAD = /^\d{1,15}:\d{1,15}(?:,\d{1,15}:\d{1,15})*$/;

/**
 * A NOTIFY payload as signals: one per user on `cc_events`, one on `cc_signals`; none when the
 * payload is not one of ours (malformed anywhere: nothing of it is taken).
 */
export function parseNotification(channel: string, payload: string | undefined): StoreSignal[] {
	if (!payload) return [];
	if (channel === EVENTS_CHANNEL) {
		if (!EVENTS_PAYLOAD.test(payload)) return [];
		return payload.split(',').map((entry) => {
			const colon = entry.indexOf(':');
			const userId = Number(entry.slice(0, colon));
			return { kind: 'events', userId, seq: Number(entry.slice(colon + 1)) };
		});
	}
	if (channel !== SIGNALS_CHANNEL) return [];
	try {
		const signal = JSON.parse(payload) as StoreSignal;
		switch (signal.kind) {
			case 'session_ended':
				return typeof signal.sessionId === 'string' ? [signal] : [];
			case 'drop_user':
				return Number.isSafeInteger(signal.userId) ? [signal] : [];
			case 'restart':
			case 'reset':
				return [{ kind: signal.kind }];
			default:
				return [];
		}
	} catch {
		return [];
	}
}

export interface PgListenerOptions {
	/** The first reconnect delay (doubled per failure up to 5 s). Default 100 ms. */
	retryMinMs?: number;
}

export class PgListener {
	readonly #url: string;
	readonly #onSignal: (signal: StoreSignal) => void;
	readonly #retryMinMs: number;
	#client: pg.Client | undefined;
	#retryMs: number;
	#timer: NodeJS.Timeout | undefined;
	#closed = false;
	#ignored = 0;

	constructor(
		url: string,
		onSignal: (signal: StoreSignal) => void,
		options: PgListenerOptions = {}
	) {
		this.#url = url;
		this.#onSignal = onSignal;
		this.#retryMinMs = options.retryMinMs ?? RETRY_MIN_MS;
		this.#retryMs = this.#retryMinMs;
	}

	/** Connect and LISTEN; resolves once listening (throws when the first attempt fails). */
	async start(): Promise<void> {
		await this.#connect();
	}

	/** Whether the LISTEN connection is up. */
	get listening(): boolean {
		return this.#client !== undefined;
	}

	async close(): Promise<void> {
		this.#closed = true;
		clearTimeout(this.#timer);
		const client = this.#client;
		this.#client = undefined;
		await client?.end().catch(() => {});
	}

	async #connect(): Promise<void> {
		const client = new pg.Client({ ...pgClientConfig(this.#url), application_name: LISTENER_NAME });
		client.on('notification', ({ channel, payload }) => {
			const signals = parseNotification(channel, payload);
			if (signals.length === 0) this.#ignore(channel, payload);
			for (const signal of signals) this.#onSignal(signal);
		});
		// 'error' then 'end' when the server goes away; reconnect once.
		client.on('error', () => {});
		try {
			await client.connect();
			await client.query(`LISTEN ${EVENTS_CHANNEL}`);
			await client.query(`LISTEN ${SIGNALS_CHANNEL}`);
		} catch (error) {
			await client.end().catch(() => {});
			throw error;
		}
		if (this.#closed) {
			await client.end().catch(() => {});
			return;
		}
		client.once('end', () => this.#lost(client));
		this.#client = client;
		this.#retryMs = this.#retryMinMs;
	}

	/** Notifications that were not ours or malformed: dropped and counted, the first one logged. */
	get ignored(): number {
		return this.#ignored;
	}

	#ignore(channel: string, payload: string | undefined): void {
		this.#ignored += 1;
		if (this.#ignored === 1) {
			console.warn(
				`[outbox] ignored a notification on ${channel}: ${JSON.stringify(payload?.slice(0, 80))} (further ones are only counted)`
			);
		}
	}

	#lost(client: pg.Client): void {
		if (this.#client !== client) return;
		this.#client = undefined;
		if (this.#closed) return;
		console.warn('[outbox] LISTEN connection lost; reconnecting');
		this.#schedule();
	}

	#schedule(): void {
		this.#timer = setTimeout(() => {
			this.#connect().then(
				() => {
					if (this.#client) this.#onSignal({ kind: 'reset' });
				},
				() => {
					this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
					this.#schedule();
				}
			);
		}, this.#retryMs);
		this.#timer.unref();
	}
}
