/**
 * The realtime hub: the process's WebSocket endpoint on `/ws`. A reusable server part: it imports
 * nothing of the app. It is handed `authenticate(request)` (who a socket belongs to) and a store
 * (the per-user event log, exactly-once client messages, and signals of new rows), so it keeps no
 * event buffer of its own: it sends each user's events from the log, in seq order, never a seq
 * twice, filling any gap from the log. It admits a socket (Origin, session, rate and per-user
 * limits), replays what a resuming client missed, acks client messages once by id, pings to find
 * dead sockets, and answers every bad frame with an `error` frame instead of failing.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import * as v from 'valibot';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { CloseCode } from 'statechart-websocket';
import { ClientMessageSchema, clientControlSchemas } from '../../protocol/client-frames';
import { isPath, type UpgradeHandler } from './global';
import { clientAddress, isOriginAllowed } from './handshake';
import { resolveHubOptions, type HubOptions } from './options';
import { TokenBucket } from './rate-limit';
import type { HubSession, HubStore, StoreSignal } from './store';

export type { Authenticate, HubOptions, HubLogger, OriginCheck, RateLimit } from './options';
export type { HubSession, HubStore, LogBounds, StoreSignal, StoredEvent } from './store';
export { DEFAULT_HUB_OPTIONS, hubOptionsFromEnv } from './options';

/**
 * Applies a custom client message inside `tx`, the store's transaction that also records the
 * message's id, so a message is applied exactly once even when it is resent to another node.
 * Throw to refuse it: the client gets an `error` frame (code `bad_payload` with the error's
 * message when the error has a 4xx `status`, like the domain's DomainError; `handler_failed`
 * otherwise) instead of an ack, and the transaction (with the id) rolls back.
 */
export type MessageHandler<Tx = unknown> = (
	userId: number,
	data: unknown,
	tx: Tx
) => void | Promise<void>;

/** Why a frame from a client was refused; the `code` of the `error` frame it gets. */
export type FrameErrorCode =
	'bad_json' | 'unknown_type' | 'bad_payload' | 'binary' | 'rate_limited' | 'handler_failed';

/** Why a socket was accepted only to be closed at once (1008, 4401 or 4429). */
export type RefusalKind =
	'unknown_address' | 'foreign_origin' | 'unauthorized' | 'connection_rate' | 'socket_cap';

/** Counters for what the hub refused or cut, by kind. */
export type DropKind =
	| FrameErrorCode
	| RefusalKind
	| 'too_big'
	| 'heartbeat_timeout'
	| 'slow_consumer'
	| 'socket_error'
	| 'store_error'
	| 'store_unavailable';

export interface HubStats {
	sockets: number;
	users: number;
	/** The most sockets one user has held at once since the hub started. */
	peakUserSockets: number;
	dropped: Partial<Record<DropKind, number>>;
}

/** One accepted socket and what the hub tracks about it. */
interface Connection {
	ws: WebSocket;
	userId: number;
	/** The session the socket was admitted with: signing out closes its sockets. */
	sessionId: string;
	/**
	 * The tab group whose one connection this is (the client's `tab-group` query parameter, sent
	 * by a leader tab), or null. A newer socket of the same session and group replaces it.
	 */
	tabGroup: string | null;
	sessionExpiresAt: number;
	/** The user's latest seq when the socket was welcomed. */
	welcomeSeq: number;
	/** The highest seq this socket was sent (or, after `resume`, already had). */
	sentSeq: number;
	/** Answered since the last ping (a pong or any message). */
	alive: boolean;
	/**
	 * Receives live events. False until the client's `resume` (its first frame per the protocol),
	 * so live events can never overtake the replay; a client that never resumes is synced from
	 * its welcome after two heartbeats.
	 */
	synced: boolean;
	unsyncedTicks: number;
	/** Which of the HEARTBEAT_SLICES sub-ticks pings this socket. */
	slot: number;
	messages: TokenBucket;
	/** Messages over the rate limit in a row. */
	overLimit: number;
	/** The frames of this socket are handled one after another, in the order they came. */
	inbound: Promise<void>;
}

/** A user's sockets on this node and the state of sending them the user's log. */
interface Feed {
	userId: number;
	connections: Set<Connection>;
	/** The highest seq any signal announced for this user. */
	latestSeen: number;
	/** A read of the log is under way; `again` asks for one more round after it. */
	pumping: boolean;
	again: boolean;
	/** The last read failed (the store was down): the heartbeat tries again. */
	stale: boolean;
}

type Admission =
	| { ok: true; session: HubSession }
	| { ok: false; kind: RefusalKind; code: number; reason: string };

const TEXT = { binary: false } as const;

/**
 * The heartbeat runs in this many sub-ticks per interval, each pinging its share of the sockets,
 * so 10,000 pings (each a syscall) never stall events in one burst.
 */
const HEARTBEAT_SLICES = 10;

/** Events read from the log per query when a socket is behind. */
const LOG_PAGE = 1_000;

/** Users whose latest seq one query of the sweep reads. */
const SWEEP_BATCH = 1_000;

export class RealtimeHub<Tx = unknown> implements UpgradeHandler {
	readonly #options: HubOptions<Tx>;
	readonly #store: HubStore<Tx>;
	readonly #wss: WebSocketServer;
	readonly #handlers = new Map<string, MessageHandler<Tx>>();
	readonly #feeds = new Map<number, Feed>();
	readonly #addresses = new Map<string, TokenBucket>();
	readonly #dropped: Partial<Record<DropKind, number>> = {};
	readonly #heartbeat: NodeJS.Timeout;
	readonly #sweep: NodeJS.Timeout;
	readonly #unsubscribe: () => void;
	#closing: Promise<void> | undefined;
	#peakUserSockets = 0;
	#nextSlot = 0;
	#slice = 0;
	#sweeping = false;

	/** @throws TypeError naming the first invalid option */
	constructor(options: Partial<HubOptions<Tx>> & Pick<HubOptions<Tx>, 'store' | 'authenticate'>) {
		this.#options = resolveHubOptions(options);
		const { store, maxPayload, heartbeatInterval, sweepInterval } = this.#options;
		this.#store = store;
		this.#wss = new WebSocketServer({
			noServer: true,
			maxPayload,
			clientTracking: false,
			perMessageDeflate: false
		});
		this.#unsubscribe = store.subscribe((signal) => this.#onSignal(signal));
		this.#heartbeat = setInterval(() => this.#tick(), heartbeatInterval / HEARTBEAT_SLICES);
		this.#sweep = setInterval(() => void this.#sweepFeeds(), sweepInterval);
		// The hub must not keep a process (a test, a tool) alive on its own; the HTTP server does.
		this.#heartbeat.unref();
		this.#sweep.unref();
	}

	/** Serve upgrades on the hub's path from this HTTP server; other paths are left alone. */
	attach(server: HttpServer): void {
		server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
			this.handleUpgrade(req, socket, head);
		});
	}

	/**
	 * Take over an HTTP upgrade if it is for the hub's path (returns false and does nothing
	 * otherwise). A refused socket is accepted and then closed with a code the client can act on:
	 * 1008 foreign Origin, 4401 no valid session, 4429 too many connections.
	 */
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
		if (!isPath(req.url, this.#options.path)) return false;
		if (this.#closing) {
			socket.destroy();
			return true;
		}
		// The socket may fail while the session is looked up; nothing else listens yet.
		const onEarlyError = () => socket.destroy();
		socket.on('error', onEarlyError);
		this.#admit(req).then(
			(admission) => {
				socket.off('error', onEarlyError);
				if (socket.destroyed) return;
				if (this.#closing) return void socket.destroy();
				this.#wss.handleUpgrade(req, socket, head, (ws) => {
					ws.on('error', (error) => this.#onSocketError(error));
					if (admission.ok) this.#open(ws, admission.session, tabGroupOf(req.url));
					else this.#refuseSocket(ws, admission.kind, admission.code, admission.reason);
				});
			},
			(error: unknown) => {
				// The sessions could not be read (the store is down): the client retries.
				this.#count('store_error', `authenticate: ${describe(error)}`);
				socket.destroy();
			}
		);
		return true;
	}

	/** Handle custom client messages of `type` (one handler per type; a second replaces it). */
	onMessage(type: string, handler: MessageHandler<Tx>): void {
		if (typeof type !== 'string' || type === '' || ['resume', 'ping', 'pong'].includes(type)) {
			throw new TypeError(
				`onMessage: type must be a custom message type, got ${JSON.stringify(type)}`
			);
		}
		if (typeof handler !== 'function') throw new TypeError('onMessage: handler must be a function');
		this.#handlers.set(type, handler);
	}

	/** Close this node's sockets of a user (default 1001: they reconnect and resume). */
	dropUser(userId: number, code: number = CloseCode.GOING_AWAY): void {
		for (const connection of this.#feeds.get(userId)?.connections ?? [])
			connection.ws.close(code, 'dropped');
	}

	/**
	 * Close this node's sockets admitted with session `sessionId` with 4401: after a sign-out its
	 * tabs must stop receiving the user's events at once, not at the session's old expiry. Other
	 * sessions of the same user keep their sockets. (The store's `session_ended` signal calls this
	 * on every node.)
	 */
	endSession(sessionId: string): void {
		for (const connection of this.#connections())
			if (connection.sessionId === sessionId)
				connection.ws.close(CloseCode.UNAUTHORIZED, 'signed out');
	}

	/** Close every socket of this node with 1001; clients reconnect and resume. */
	restart(): void {
		for (const connection of this.#connections())
			connection.ws.close(CloseCode.GOING_AWAY, 'restart');
	}

	/**
	 * Stop: refuse new upgrades, stop the heartbeat, close every socket with 1001 and wait for the
	 * closing handshakes (at most `closeTimeout`, then the rest are cut). Idempotent.
	 */
	close(): Promise<void> {
		this.#closing ??= this.#shutDown();
		return this.#closing;
	}

	stats(): HubStats {
		let sockets = 0;
		for (const feed of this.#feeds.values()) sockets += feed.connections.size;
		return {
			sockets,
			users: this.#feeds.size,
			peakUserSockets: this.#peakUserSockets,
			dropped: { ...this.#dropped }
		};
	}

	async #shutDown(): Promise<void> {
		clearInterval(this.#heartbeat);
		clearInterval(this.#sweep);
		this.#unsubscribe();
		const open = [...this.#connections()];
		const closed = open.map(
			({ ws }) =>
				new Promise<void>((resolve) =>
					ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve())
				)
		);
		for (const { ws } of open) ws.close(CloseCode.GOING_AWAY, 'server shutting down');
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([
			Promise.all(closed),
			new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#options.closeTimeout)))
		]);
		clearTimeout(timer);
		for (const { ws } of open) ws.terminate();
		await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
	}

	*#connections(): Generator<Connection> {
		for (const feed of this.#feeds.values()) yield* feed.connections;
	}

	async #admit(req: IncomingMessage): Promise<Admission> {
		const address = clientAddress(req, this.#options);
		if (address === undefined) {
			const reason = `no client address in ${this.#options.addressHeader || 'the socket'}`;
			return { ok: false, kind: 'unknown_address', code: CloseCode.POLICY, reason };
		}
		let bucket = this.#addresses.get(address);
		if (!bucket) {
			bucket = new TokenBucket(
				this.#options.connectionRate.burst,
				this.#options.connectionRate.perSecond
			);
			this.#addresses.set(address, bucket);
		}
		if (!bucket.take()) {
			const reason = 'too many connections';
			return { ok: false, kind: 'connection_rate', code: CloseCode.RATE_LIMITED, reason };
		}
		if (!isOriginAllowed(req, this.#options.allowedOrigins)) {
			const reason = 'origin not allowed';
			return { ok: false, kind: 'foreign_origin', code: CloseCode.POLICY, reason };
		}
		const session = await this.#options.authenticate(req);
		if (!session || session.expiresAt <= Date.now()) {
			return {
				ok: false,
				kind: 'unauthorized',
				code: CloseCode.UNAUTHORIZED,
				reason: 'unauthorized'
			};
		}
		return { ok: true, session };
	}

	#open(ws: WebSocket, session: HubSession, tabGroup: string | null): void {
		const { userId } = session;
		if (tabGroup !== null) this.#replaceTabGroup(userId, session.id, tabGroup);
		let feed = this.#feeds.get(userId);
		if ((feed?.connections.size ?? 0) >= this.#options.maxSocketsPerUser) {
			this.#refuseSocket(ws, 'socket_cap', CloseCode.RATE_LIMITED, 'too many sockets');
			return;
		}
		if (!feed) {
			feed = {
				userId,
				connections: new Set(),
				latestSeen: 0,
				pumping: false,
				again: false,
				stale: false
			};
			this.#feeds.set(userId, feed);
		}
		const { burst, perSecond } = this.#options.messageRate;
		const connection: Connection = {
			ws,
			userId,
			sessionId: session.id,
			tabGroup,
			sessionExpiresAt: session.expiresAt,
			welcomeSeq: 0,
			sentSeq: 0,
			alive: true,
			synced: false,
			unsyncedTicks: 0,
			slot: this.#nextSlot++ % HEARTBEAT_SLICES,
			messages: new TokenBucket(burst, perSecond),
			overLimit: 0,
			inbound: Promise.resolve()
		};
		feed.connections.add(connection);
		this.#peakUserSockets = Math.max(this.#peakUserSockets, feed.connections.size);
		ws.on('message', (data, isBinary) => this.#onMessage(connection, data, isBinary));
		ws.on('pong', () => (connection.alive = true));
		ws.on('close', () => this.#remove(connection));
		// Frames that arrive before the welcome is out wait for it (they are chained after it).
		this.#enqueue(connection, async () => {
			connection.welcomeSeq = (await this.#store.bounds(userId)).latest;
			this.#send(connection, {
				type: 'welcome',
				data: { heartbeatInterval: this.#options.heartbeatInterval, lastSeq: connection.welcomeSeq }
			});
		});
	}

	/** Run `task` after the socket's earlier frames; a failure is counted (the first logged). */
	#enqueue(connection: Connection, task: () => Promise<void>): void {
		connection.inbound = connection.inbound.then(task).catch((error: unknown) => {
			this.#count('store_error', describe(error));
			// Without the store the socket cannot be served correctly: let the client retry.
			connection.ws.close(CloseCode.GOING_AWAY, 'store unavailable');
		});
	}

	/** Close a just-accepted socket with a code the client acts on (see handleUpgrade). */
	#refuseSocket(ws: WebSocket, kind: RefusalKind, code: number, reason: string): void {
		this.#count(kind, `socket closed with ${code} (${reason})`);
		ws.close(code, reason);
	}

	/**
	 * A new leader tab of a browser connects: the group's previous socket, if the hub still has it,
	 * belonged to a leader that is gone (closed or crashed before its close reached the server).
	 * Cut it now rather than at its heartbeat timeout, so the group never holds two sockets here.
	 */
	#replaceTabGroup(userId: number, sessionId: string, tabGroup: string): void {
		for (const connection of this.#feeds.get(userId)?.connections ?? []) {
			if (connection.sessionId !== sessionId || connection.tabGroup !== tabGroup) continue;
			this.#remove(connection);
			connection.ws.terminate();
		}
	}

	#remove(connection: Connection): void {
		const feed = this.#feeds.get(connection.userId);
		if (!feed) return;
		feed.connections.delete(connection);
		if (feed.connections.size === 0) this.#feeds.delete(connection.userId);
	}

	#onMessage(connection: Connection, data: RawData, isBinary: boolean): void {
		connection.alive = true;
		if (!connection.messages.take()) {
			this.#overRateLimit(connection);
			return;
		}
		connection.overLimit = 0;
		if (isBinary) return this.#refuse(connection, 'binary', 'binary frames are not accepted');
		let frame: unknown;
		try {
			frame = JSON.parse(data.toString());
		} catch {
			return this.#refuse(connection, 'bad_json', 'frame is not valid JSON');
		}
		const type = (frame as { type?: unknown } | null)?.type;
		if (typeof frame !== 'object' || Array.isArray(frame) || typeof type !== 'string') {
			return this.#refuse(connection, 'bad_payload', 'a frame is a JSON object with a string type');
		}
		switch (type) {
			case 'resume': {
				const resume = v.safeParse(clientControlSchemas.resume, frame);
				if (!resume.success) {
					return this.#refuse(
						connection,
						'bad_payload',
						'resume needs data.lastSeq, an integer >= 0'
					);
				}
				const { lastSeq } = resume.output.data;
				return this.#enqueue(connection, () => this.#resume(connection, lastSeq));
			}
			case 'ping':
				return this.#enqueue(connection, async () => this.#send(connection, { type: 'pong' }));
			case 'pong':
				return;
		}
		const id = (frame as { id?: unknown }).id;
		const handler = this.#handlers.get(type);
		if (!handler) {
			return this.#refuse(
				connection,
				'unknown_type',
				`unknown message type ${type.slice(0, 64)}`,
				id
			);
		}
		const message = v.safeParse(ClientMessageSchema, frame);
		if (!message.success) {
			return this.#refuse(
				connection,
				'bad_payload',
				'a message needs an id (1-128 characters)',
				id
			);
		}
		const { id: messageId, data: payload } = message.output;
		this.#enqueue(connection, () => this.#apply(connection, messageId, type, payload, handler));
	}

	async #apply(
		connection: Connection,
		id: string,
		type: string,
		data: unknown,
		handler: MessageHandler<Tx>
	): Promise<void> {
		const { userId } = connection;
		try {
			await this.#store.applyOnce(userId, id, type, async (tx) => {
				await handler(userId, data, tx);
			});
		} catch (error) {
			const status = (error as { status?: unknown } | null)?.status;
			if (typeof status === 'number' && status >= 400 && status < 500) {
				return this.#refuse(connection, 'bad_payload', String((error as Error).message), id);
			}
			if (this.#store.isUnavailable?.(error)) {
				// Neither applied nor refused: the client resends it once it is back, on any node.
				this.#count('store_unavailable', `message ${id} not applied: ${describe(error)}`);
				connection.ws.close(CloseCode.GOING_AWAY, 'store unavailable');
				return;
			}
			this.#options.logger.error(`[realtime] handler for ${type} failed: ${describe(error)}`);
			return this.#refuse(connection, 'handler_failed', 'the message could not be applied', id);
		}
		this.#send(connection, { type: 'ack', data: { id } });
	}

	/**
	 * Replay what the client lacks after `lastSeq`, or tell it to resync when the log no longer
	 * holds all of it (or it claims more than the log has, e.g. the database was reset). From
	 * here on the socket gets live events, in seq order after the replay.
	 */
	async #resume(connection: Connection, lastSeq: number): Promise<void> {
		const { oldest, latest } = await this.#store.bounds(connection.userId);
		const feed = this.#feeds.get(connection.userId);
		if (!feed || connection.ws.readyState !== WebSocket.OPEN) return;
		const replayable =
			lastSeq === latest || (lastSeq < latest && oldest > 0 && lastSeq >= oldest - 1);
		if (!replayable) {
			this.#send(connection, { type: 'resync', data: { lastSeq: latest } });
		}
		connection.sentSeq = replayable ? lastSeq : latest;
		connection.synced = true;
		feed.latestSeen = Math.max(feed.latestSeen, latest);
		if (feed.latestSeen > connection.sentSeq) this.#pump(feed);
	}

	#onSignal(signal: StoreSignal): void {
		switch (signal.kind) {
			case 'events':
				return this.#onEvents(signal.userId, signal.seq, signal.json);
			case 'session_ended':
				return this.endSession(signal.sessionId);
			case 'drop_user':
				return this.dropUser(signal.userId);
			case 'restart':
				return this.restart();
			case 'reset':
				for (const feed of this.#feeds.values()) this.#pump(feed);
				return;
		}
	}

	/**
	 * The user has rows up to `seq`. With the frame of that very seq at hand (a commit of this
	 * process) and every socket just one behind, it is sent as is; otherwise the sockets are
	 * caught up from the log.
	 */
	#onEvents(userId: number, seq: number, json: string | undefined): void {
		const feed = this.#feeds.get(userId);
		if (!feed) return;
		feed.latestSeen = Math.max(feed.latestSeen, seq);
		if (feed.pumping) {
			feed.again = true;
			return;
		}
		let behind = false;
		let bytes: Buffer | undefined;
		for (const connection of feed.connections) {
			if (!connection.synced || connection.sentSeq >= seq) continue;
			if (json !== undefined && connection.sentSeq === seq - 1) {
				bytes ??= Buffer.from(json);
				this.#deliver(connection, bytes, seq);
			} else {
				behind = true;
			}
		}
		if (behind) this.#pump(feed);
	}

	/**
	 * Send every synced socket of the user what it lacks, from the log, in seq order; one read at a
	 * time per user, and again while signals came in meanwhile.
	 */
	#pump(feed: Feed): void {
		if (feed.pumping) {
			feed.again = true;
			return;
		}
		feed.pumping = true;
		void this.#drain(feed);
	}

	/**
	 * The pump's work. `pumping` is cleared in the same synchronous step as the last check of
	 * `again`, so a signal that comes in between can never be left unanswered.
	 */
	async #drain(feed: Feed): Promise<void> {
		try {
			do {
				feed.again = false;
				feed.stale = false;
				for (;;) {
					let from = Infinity;
					for (const connection of feed.connections) {
						if (connection.synced) from = Math.min(from, connection.sentSeq);
					}
					if (from === Infinity) return;
					const events = await this.#store.eventsAfter(feed.userId, from, LOG_PAGE);
					for (const event of events) {
						feed.latestSeen = Math.max(feed.latestSeen, event.seq);
						let bytes: Buffer | undefined;
						for (const connection of feed.connections) {
							if (!connection.synced || connection.sentSeq >= event.seq) continue;
							if (event.seq > connection.sentSeq + 1) {
								// The rows in between were pruned while this socket lagged.
								this.#send(connection, { type: 'resync', data: { lastSeq: event.seq - 1 } });
							}
							bytes ??= Buffer.from(event.json);
							this.#deliver(connection, bytes, event.seq);
						}
					}
					if (events.length < LOG_PAGE) break;
				}
			} while (feed.again);
		} catch (error) {
			feed.stale = true;
			this.#count('store_error', describe(error));
		} finally {
			feed.pumping = false;
		}
	}

	/**
	 * Every sweepInterval: read the latest seq of every user with sockets here and catch up those
	 * whose sockets are behind. A notification is only a wake-up sent after the commit, so one can
	 * be lost (its node died in between, or its connection failed); this bounds how late such an
	 * event arrives. One sweep at a time.
	 */
	async #sweepFeeds(): Promise<void> {
		if (this.#sweeping || this.#feeds.size === 0) return;
		this.#sweeping = true;
		try {
			const userIds = [...this.#feeds.keys()];
			for (let i = 0; i < userIds.length; i += SWEEP_BATCH) {
				const latest = await this.#store.latestSeqs(userIds.slice(i, i + SWEEP_BATCH));
				for (const [userId, seq] of latest) this.#onEvents(userId, seq, undefined);
			}
		} catch (error) {
			this.#count('store_error', `sweep: ${describe(error)}`);
		} finally {
			this.#sweeping = false;
		}
	}

	#overRateLimit(connection: Connection): void {
		connection.overLimit += 1;
		if (connection.overLimit === 1) {
			this.#refuse(connection, 'rate_limited', 'too many messages: slow down');
		} else if (connection.overLimit > this.#options.messageRate.closeAfter) {
			connection.ws.close(CloseCode.RATE_LIMITED, 'rate limited');
		}
	}

	/** Answer a refused frame with an `error` frame; the connection stays up. */
	#refuse(connection: Connection, code: FrameErrorCode, message: string, id?: unknown): void {
		this.#count(code, message);
		const data = typeof id === 'string' ? { code, message, id } : { code, message };
		this.#send(connection, { type: 'error', data });
	}

	/** Count a dropped frame or cut socket; the first of each kind is logged, the rest counted. */
	#count(kind: DropKind, detail: string): void {
		const count = (this.#dropped[kind] ?? 0) + 1;
		this.#dropped[kind] = count;
		if (count === 1) {
			this.#options.logger.warn(`[realtime] ${kind}: ${detail} (further ones are only counted)`);
		}
	}

	#onSocketError(error: Error & { code?: string }): void {
		// ws closes the socket itself (1009 for an oversize frame); only count it.
		if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.#count('too_big', error.message);
		else this.#count('socket_error', `${error.code ?? 'error'}: ${error.message}`);
	}

	#send(connection: Connection, frame: object): void {
		if (connection.ws.readyState === WebSocket.OPEN)
			connection.ws.send(JSON.stringify(frame), TEXT);
	}

	/** Send an event frame and record its seq as sent (also when the socket is past saving). */
	#deliver(connection: Connection, bytes: Buffer, seq: number): void {
		connection.sentSeq = seq;
		const { ws } = connection;
		if (ws.readyState !== WebSocket.OPEN) return;
		if (ws.bufferedAmount > this.#options.maxBufferedBytes) {
			this.#count(
				'slow_consumer',
				`a socket had over ${this.#options.maxBufferedBytes} bytes unsent`
			);
			ws.terminate();
			return;
		}
		ws.send(bytes, TEXT);
	}

	/**
	 * Every heartbeatInterval / HEARTBEAT_SLICES, for the sockets in this slice: cut those that did
	 * not answer their previous ping, ping the rest, close those whose session expired. Each socket
	 * is so pinged once per heartbeatInterval and has that long to answer. Feeds whose last read
	 * of the log failed are tried again.
	 */
	#tick(): void {
		const now = Date.now();
		const slice = this.#slice;
		this.#slice = (slice + 1) % HEARTBEAT_SLICES;
		for (const connection of this.#connections()) {
			if (connection.slot !== slice) continue;
			const { ws } = connection;
			if (!connection.alive) {
				this.#count('heartbeat_timeout', 'a socket did not answer the ping in time');
				ws.terminate();
			} else if (connection.sessionExpiresAt <= now) {
				ws.close(CloseCode.UNAUTHORIZED, 'session expired');
			} else {
				connection.alive = false;
				ws.ping();
				if (!connection.synced && ++connection.unsyncedTicks >= 2) {
					this.#enqueue(connection, () => this.#resume(connection, connection.welcomeSeq));
				}
			}
		}
		for (const feed of this.#feeds.values()) if (feed.stale) this.#pump(feed);
		if (slice !== 0) return;
		const clock = performance.now();
		for (const [address, bucket] of this.#addresses) {
			if (bucket.isFull(clock)) this.#addresses.delete(address);
		}
		this.#store.pruneMessages(now - this.#options.dedupeRetention).catch((error: unknown) => {
			this.#count('store_error', describe(error));
		});
	}
}

/** An error in one line (no stack): store errors while a database restarts are expected. */
/** The `tab-group` query parameter of a socket's request URL (see machines/tabs.ts), or null. */
function tabGroupOf(url: string | undefined): string | null {
	const group = new URL(url ?? '/', 'http://localhost').searchParams.get('tab-group');
	return group && group.length <= 128 ? group : null;
}

function describe(error: unknown): string {
	return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A hub with these options. */
export function createHub<Tx>(
	options: Partial<HubOptions<Tx>> & Pick<HubOptions<Tx>, 'store' | 'authenticate'>
): RealtimeHub<Tx> {
	return new RealtimeHub(options);
}
