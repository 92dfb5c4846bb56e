/**
 * The realtime hub: the process's WebSocket endpoint on `/ws`. It admits a socket (Origin, session,
 * rate and per-user limits), logs every event for a user before sending it to that user's sockets,
 * replays what a resuming client missed, acks client messages once by id, pings to find dead
 * sockets, and answers every bad frame with an `error` frame instead of failing.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import * as v from 'valibot';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { CloseCode, type EventFrame } from 'statechart-websocket';
import { ClientMessageSchema, clientControlSchemas } from '../../protocol/client-frames';
import { sessionFromToken, type Session } from '../auth';
import { getDb } from '../db';
import { ClientMessageLog } from './client-messages';
import { EventLog } from './event-log';
import { HUB_KEY, isPath, type UpgradeHandler } from './global';
import { clientAddress, isOriginAllowed, readToken } from './handshake';
import { hubOptionsFromEnv, resolveHubOptions, type HubOptions } from './options';
import { TokenBucket } from './rate-limit';

export type { HubOptions, HubLogger, OriginCheck, RateLimit } from './options';
export { DEFAULT_HUB_OPTIONS, hubOptionsFromEnv } from './options';

/**
 * Applies a custom client message. Throw to refuse it: the client gets an `error` frame (code
 * `bad_payload` with the error's message when the error has a 4xx `status`, like the domain's
 * DomainError; `handler_failed` otherwise) instead of an ack, and the id is not recorded.
 */
export type MessageHandler = (userId: number, data: unknown) => void | Promise<void>;

/** Why a frame from a client was refused; the `code` of the `error` frame it gets. */
export type FrameErrorCode =
	'bad_json' | 'unknown_type' | 'bad_payload' | 'binary' | 'rate_limited' | 'handler_failed';

/** Why a socket was accepted only to be closed at once (1008, 4401 or 4429). */
export type RefusalKind =
	'unknown_address' | 'foreign_origin' | 'unauthorized' | 'connection_rate' | 'socket_cap';

/** Counters for what the hub refused or cut, by kind. */
export type DropKind =
	FrameErrorCode | RefusalKind | 'too_big' | 'heartbeat_timeout' | 'slow_consumer' | 'socket_error';

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
}

type Admission =
	{ ok: true; session: Session } | { ok: false; kind: RefusalKind; code: number; reason: string };

const TEXT = { binary: false } as const;

/**
 * The heartbeat runs in this many sub-ticks per interval, each pinging its share of the sockets,
 * so 10,000 pings (each a syscall) never stall events in one burst.
 */
const HEARTBEAT_SLICES = 10;

export class RealtimeHub implements UpgradeHandler {
	readonly #options: HubOptions;
	readonly #wss: WebSocketServer;
	readonly #log: EventLog;
	readonly #messages: ClientMessageLog;
	readonly #handlers = new Map<string, MessageHandler>();
	readonly #byUser = new Map<number, Set<Connection>>();
	readonly #addresses = new Map<string, TokenBucket>();
	readonly #dropped: Partial<Record<DropKind, number>> = {};
	readonly #heartbeat: NodeJS.Timeout;
	#closing: Promise<void> | undefined;
	#peakUserSockets = 0;
	#nextSlot = 0;
	#slice = 0;

	/** @throws TypeError naming the first invalid option */
	constructor(options: Partial<HubOptions> & Pick<HubOptions, 'db'>) {
		this.#options = resolveHubOptions(options);
		const { db, retainedEvents, maxPayload, heartbeatInterval } = this.#options;
		this.#wss = new WebSocketServer({
			noServer: true,
			maxPayload,
			clientTracking: false,
			perMessageDeflate: false
		});
		this.#log = new EventLog(db, retainedEvents);
		this.#messages = new ClientMessageLog(db);
		this.#heartbeat = setInterval(() => this.#tick(), heartbeatInterval / HEARTBEAT_SLICES);
		// The hub must not keep a process (a test, a tool) alive on its own; the HTTP server does.
		this.#heartbeat.unref();
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
		const admission = this.#admit(req);
		this.#wss.handleUpgrade(req, socket, head, (ws) => {
			ws.on('error', (error) => this.#onSocketError(error));
			if (admission.ok) this.#open(ws, admission.session, tabGroupOf(req.url));
			else this.#refuseSocket(ws, admission.kind, admission.code, admission.reason);
		});
		return true;
	}

	/**
	 * Log an event for a user with their next seq, then send it to every one of their sockets
	 * that is synced (the others get it from the log when they resume). Serialized once.
	 */
	emit<T extends string, D>(userId: number, type: T, data: D): EventFrame<T, D> {
		if (!Number.isSafeInteger(userId)) throw new TypeError('emit: userId must be an integer');
		if (typeof type !== 'string' || type === '')
			throw new TypeError('emit: type must be a non-empty string');
		const { frame, json } = this.#log.append(userId, type, data);
		const connections = this.#byUser.get(userId);
		if (connections) {
			const bytes = Buffer.from(json);
			for (const connection of connections) {
				if (connection.synced) this.#deliver(connection, bytes);
			}
		}
		return frame as EventFrame<T, D>;
	}

	/** The user's latest event seq (0 when none): page data can carry it to start the client. */
	lastSeq(userId: number): number {
		return this.#log.bounds(userId).latest;
	}

	/** Handle custom client messages of `type` (one handler per type; a second replaces it). */
	onMessage(type: string, handler: MessageHandler): void {
		if (typeof type !== 'string' || type === '' || ['resume', 'ping', 'pong'].includes(type)) {
			throw new TypeError(
				`onMessage: type must be a custom message type, got ${JSON.stringify(type)}`
			);
		}
		if (typeof handler !== 'function') throw new TypeError('onMessage: handler must be a function');
		this.#handlers.set(type, handler);
	}

	/** Close every socket of a user (default 1001: they reconnect and resume). */
	dropUser(userId: number, code: number = CloseCode.GOING_AWAY): void {
		for (const connection of this.#byUser.get(userId) ?? []) connection.ws.close(code, 'dropped');
	}

	/**
	 * Close the sockets admitted with session `sessionId` with 4401: after a sign-out its tabs must
	 * stop receiving the user's events at once, not at the session's old expiry. Other sessions of
	 * the same user keep their sockets.
	 */
	endSession(sessionId: string): void {
		for (const connection of this.#connections())
			if (connection.sessionId === sessionId)
				connection.ws.close(CloseCode.UNAUTHORIZED, 'signed out');
	}

	/** Close every socket with 1001; clients reconnect and resume. The hub keeps serving. */
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
		for (const connections of this.#byUser.values()) sockets += connections.size;
		return {
			sockets,
			users: this.#byUser.size,
			peakUserSockets: this.#peakUserSockets,
			dropped: { ...this.#dropped }
		};
	}

	async #shutDown(): Promise<void> {
		clearInterval(this.#heartbeat);
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
		for (const connections of this.#byUser.values()) yield* connections;
	}

	#admit(req: IncomingMessage): Admission {
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
		const session = sessionFromToken(this.#options.db, readToken(req));
		if (!session) {
			return {
				ok: false,
				kind: 'unauthorized',
				code: CloseCode.UNAUTHORIZED,
				reason: 'unauthorized'
			};
		}
		return { ok: true, session };
	}

	#open(ws: WebSocket, session: Session, tabGroup: string | null): void {
		const userId = session.user.id;
		if (tabGroup !== null) this.#replaceTabGroup(userId, session.id, tabGroup);
		let connections = this.#byUser.get(userId);
		if ((connections?.size ?? 0) >= this.#options.maxSocketsPerUser) {
			this.#refuseSocket(ws, 'socket_cap', CloseCode.RATE_LIMITED, 'too many sockets');
			return;
		}
		if (!connections) {
			connections = new Set();
			this.#byUser.set(userId, connections);
		}
		const { burst, perSecond } = this.#options.messageRate;
		const connection: Connection = {
			ws,
			userId,
			sessionId: session.id,
			tabGroup,
			sessionExpiresAt: session.expiresAt,
			welcomeSeq: this.#log.bounds(userId).latest,
			alive: true,
			synced: false,
			unsyncedTicks: 0,
			slot: this.#nextSlot++ % HEARTBEAT_SLICES,
			messages: new TokenBucket(burst, perSecond),
			overLimit: 0
		};
		connections.add(connection);
		this.#peakUserSockets = Math.max(this.#peakUserSockets, connections.size);
		ws.on('message', (data, isBinary) => this.#onMessage(connection, data, isBinary));
		ws.on('pong', () => (connection.alive = true));
		ws.on('close', () => this.#remove(connection));
		this.#send(connection, {
			type: 'welcome',
			data: { heartbeatInterval: this.#options.heartbeatInterval, lastSeq: connection.welcomeSeq }
		});
	}

	/**
	 * A new leader tab of a browser connects: the group's previous socket, if the hub still has it,
	 * belonged to a leader that is gone (closed or crashed before its close reached the server).
	 * Cut it now rather than at its heartbeat timeout, so the group never holds two sockets here.
	 */
	#replaceTabGroup(userId: number, sessionId: string, tabGroup: string): void {
		for (const connection of this.#byUser.get(userId) ?? []) {
			if (connection.sessionId !== sessionId || connection.tabGroup !== tabGroup) continue;
			this.#remove(connection);
			connection.ws.terminate();
		}
	}

	/** Close a just-accepted socket with a code the client acts on (see handleUpgrade). */
	#refuseSocket(ws: WebSocket, kind: RefusalKind, code: number, reason: string): void {
		this.#count(kind, `socket closed with ${code} (${reason})`);
		ws.close(code, reason);
	}

	#remove(connection: Connection): void {
		const connections = this.#byUser.get(connection.userId);
		if (!connections) return;
		connections.delete(connection);
		if (connections.size === 0) this.#byUser.delete(connection.userId);
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
				return this.#resume(connection, resume.output.data.lastSeq);
			}
			case 'ping':
				return this.#send(connection, { type: 'pong' });
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
		void this.#apply(connection, message.output.id, type, message.output.data, handler);
	}

	async #apply(
		connection: Connection,
		id: string,
		type: string,
		data: unknown,
		handler: MessageHandler
	): Promise<void> {
		const { userId } = connection;
		if (this.#messages.record(userId, id, type)) {
			try {
				await handler(userId, data);
			} catch (error) {
				this.#messages.forget(userId, id);
				const status = (error as { status?: unknown } | null)?.status;
				if (typeof status === 'number' && status >= 400 && status < 500) {
					return this.#refuse(connection, 'bad_payload', String((error as Error).message), id);
				}
				this.#options.logger.error(`[realtime] handler for ${type} failed:`, error);
				return this.#refuse(connection, 'handler_failed', 'the message could not be applied', id);
			}
		}
		this.#send(connection, { type: 'ack', data: { id } });
	}

	/**
	 * Replay what the client lacks after `lastSeq`, or tell it to resync when the log no longer
	 * holds all of it (or it claims more than the log has, e.g. the database was reset).
	 * Synchronous, so no live event can slip in between the replay and the switch to live.
	 */
	#resume(connection: Connection, lastSeq: number): void {
		const { oldest, latest } = this.#log.bounds(connection.userId);
		connection.synced = true;
		if (lastSeq === latest) return;
		if (lastSeq > latest || lastSeq < oldest - 1) {
			this.#send(connection, { type: 'resync', data: { lastSeq: latest } });
			return;
		}
		for (const json of this.#log.after(connection.userId, lastSeq)) connection.ws.send(json, TEXT);
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

	#deliver(connection: Connection, bytes: Buffer): void {
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
	 * is so pinged once per heartbeatInterval and has that long to answer.
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
				if (!connection.synced && ++connection.unsyncedTicks >= 2)
					this.#resume(connection, connection.welcomeSeq);
			}
		}
		if (slice !== 0) return;
		const clock = performance.now();
		for (const [address, bucket] of this.#addresses) {
			if (bucket.isFull(clock)) this.#addresses.delete(address);
		}
		this.#messages.prune(now - this.#options.dedupeRetention);
	}
}

/** The `tab-group` query parameter of a socket's request URL (see machines/tabs.ts), or null. */
function tabGroupOf(url: string | undefined): string | null {
	const group = new URL(url ?? '/', 'http://localhost').searchParams.get('tab-group');
	return group && group.length <= 128 ? group : null;
}

/** A hub with these options (tests, tools). The app uses getHub(). */
export function createHub(options: Partial<HubOptions> & Pick<HubOptions, 'db'>): RealtimeHub {
	return new RealtimeHub(options);
}

const registry = globalThis as typeof globalThis & { [HUB_KEY]?: RealtimeHub };

/**
 * The process's hub, created on first use from the environment (see hubOptionsFromEnv) on
 * getDb(). Kept on globalThis, so the SvelteKit server bundle and the production server entry,
 * which each bundle a copy of this module, share one instance.
 */
export function getHub(): RealtimeHub {
	return (registry[HUB_KEY] ??= createHub({ ...hubOptionsFromEnv(process.env), db: getDb() }));
}
