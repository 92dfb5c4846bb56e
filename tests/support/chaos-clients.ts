/**
 * A Node client of the real realtime package, instrumented for chaos runs: it records every event
 * its subscribers get (with `seq`), every resync, every message it sends and every ack it sees,
 * and counts its open sockets through the WebSocket constructor it is given. Invariants are
 * checked from these records at the end of a run.
 */
import { createRealtimeClient, type RealtimeClient } from '../../machines/client';
import { countingWebSocket, type SocketCounter, type SocketNotice } from './chaos-ws';
import { coreEventSchemas } from '../../src/lib/protocol';

export interface ChaosClientOptions {
	tag: string;
	userId: number;
	url: string;
	origin: string;
	cookie: string;
	localAddress?: string;
	random: () => number;
	heartbeatInterval: number;
	heartbeatTimeout: number;
	reconnectInterval: number;
	maxReconnectInterval: number;
	timeoutInterval: number;
	onNotice?: (client: ChaosClient, notice: SocketNotice) => void;
}

export interface Delivery {
	seq: number;
	id: string;
	type: string;
}

/** Every event the server sends (a new kind must be delivered too, or it counts as missing). */
const EVENT_TYPES = Object.keys(coreEventSchemas) as (keyof typeof coreEventSchemas)[];

export class ChaosClient {
	readonly tag: string;
	readonly userId: number;
	readonly client: RealtimeClient;
	readonly counter: SocketCounter;
	/** Events as the subscribers got them, in order. */
	readonly delivered: Delivery[] = [];
	/** Deliveries whose seq was not above the previous one (a duplicate or out of order). */
	readonly orderBreaches: string[] = [];
	/** `lastSeq` of every resync the client announced. */
	readonly resyncs: number[] = [];
	/** Messages sent through `send()`, by id. */
	readonly sent = new Map<string, { type: string; data: { id: string } }>();
	/** How often each message id went out on a socket (resends after reconnects included). */
	readonly transmissions = new Map<string, number>();
	/** Message ids the server acked on the wire (an id may be acked more than once). */
	readonly acked = new Map<string, number>();
	/** `error` frames the server answered with. */
	readonly serverErrors: string[] = [];
	/** What the client logged at error level (a subscriber threw, ...). */
	readonly loggedErrors: string[] = [];
	/** Send outcomes other than sent/queued. */
	readonly refusedSends: string[] = [];
	/** Notification ids this client received, for `notification:read` messages. */
	readonly notificationIds: string[] = [];

	constructor(options: ChaosClientOptions) {
		this.tag = options.tag;
		this.userId = options.userId;
		const { WebSocket, counter } = countingWebSocket({
			origin: options.origin,
			cookie: options.cookie,
			tag: options.tag,
			localAddress: options.localAddress,
			onFrame: (text) => this.onFrame(text),
			onSend: (text) => this.onSend(text),
			onNotice: (notice) => options.onNotice?.(this, notice)
		});
		this.counter = counter;
		this.client = createRealtimeClient({
			url: options.url,
			events: coreEventSchemas,
			// ws's typings name the listener maps; the client's WebSocketLike is looser at run time.
			WebSocket: WebSocket,
			random: options.random,
			heartbeatInterval: options.heartbeatInterval,
			heartbeatTimeout: options.heartbeatTimeout,
			reconnectInterval: options.reconnectInterval,
			maxReconnectInterval: options.maxReconnectInterval,
			timeoutInterval: options.timeoutInterval,
			jitter: 0.5,
			logger: {
				warn: () => {},
				error: (message: string, ...details: unknown[]) =>
					this.loggedErrors.push(`${message} ${details.map(String).join(' ')}`)
			}
		});
		for (const type of EVENT_TYPES) {
			this.client.subscribe(type, (data, meta) => {
				const previous = this.delivered.at(-1)?.seq ?? 0;
				if (meta.seq <= previous) {
					this.orderBreaches.push(`${this.tag}: seq ${meta.seq} after ${previous}`);
				}
				this.delivered.push({ seq: meta.seq, id: meta.id, type });
				if (type === 'notification:new') {
					this.notificationIds.push(String((data as { id: string | number }).id));
				}
			});
		}
		this.client.onResync((lastSeq) => this.resyncs.push(lastSeq));
	}

	/**
	 * Mark one of the received notifications read, over the socket (acked by the server):
	 * the first one `isFree` accepts, so a run can give every message its own notification.
	 * Returns the notification id, or null when there was none to read.
	 */
	sendRead(isFree: (notificationId: string) => boolean): string | null {
		const id = this.notificationIds.find(isFree);
		if (id === undefined) return null;
		const result = this.client.send('notification:read', { id });
		if (result.outcome !== 'sent' && result.outcome !== 'queued') {
			this.refusedSends.push(`${result.id}: ${result.outcome}`);
			return id;
		}
		this.sent.set(result.id, { type: 'notification:read', data: { id } });
		return id;
	}

	get lastSeq(): number {
		return this.client.getStatusDetail().lastSeq;
	}

	/** Seqs in (0, latest] neither delivered nor covered by a resync (the app refetches those). */
	missing(latest: number): { missing: number[]; coveredByResync: number } {
		const delivered = new Set(this.delivered.map((d) => d.seq));
		const resyncedUpTo = Math.max(0, ...this.resyncs);
		const missing: number[] = [];
		let coveredByResync = 0;
		for (let seq = 1; seq <= latest; seq++) {
			if (delivered.has(seq)) continue;
			if (seq <= resyncedUpTo) coveredByResync++;
			else missing.push(seq);
		}
		return { missing, coveredByResync };
	}

	private onFrame(text: string): void {
		if (!text.startsWith('{"type":"ack"') && !text.startsWith('{"type":"error"')) return;
		const frame = JSON.parse(text) as { type: string; data: { id?: string; code?: string } };
		if (frame.type === 'ack' && frame.data.id) {
			this.acked.set(frame.data.id, (this.acked.get(frame.data.id) ?? 0) + 1);
		} else if (frame.type === 'error') {
			this.serverErrors.push(`${frame.data.code}: ${text.slice(0, 200)}`);
		}
	}

	private onSend(text: string): void {
		if (!text.includes('"notification:read"')) return;
		const { id } = JSON.parse(text) as { id: string };
		this.transmissions.set(id, (this.transmissions.get(id) ?? 0) + 1);
	}
}
