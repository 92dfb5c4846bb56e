/**
 * A controllable real `ws` server on 127.0.0.1 that speaks the wire protocol of
 * machines/protocol.ts, for the model-based tests, the "one socket" interleavings and the
 * client benchmark. The test decides, at any moment, whether the server accepts sockets,
 * refuses them, leaves the upgrade hanging, goes silent (half-open), closes sockets with a given
 * code, or stops and restarts on the same port.
 *
 * Client identity is the `client` query parameter of the socket URL (`url('a')`), so counts of
 * open sockets can be kept per client.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { EventFrame } from '../../machines/protocol';

/**
 * What the server does with a new upgrade request and with frames on open sockets.
 * - `accept`: upgrade, send `welcome`, answer `resume` (replay or resync), ack messages, answer
 *   `ping` with `pong`.
 * - `silent`: upgrade, then never send anything, and open sockets stop answering (half-open).
 * - `hang`: hold the upgrade request unanswered (the client's connect timeout fires) until
 *   `release()` decides what becomes of it.
 * - `refuse`: answer the upgrade with HTTP 503.
 * - `drop`: destroy the TCP socket of the upgrade request (a network error).
 */
export type ServerMode = 'accept' | 'silent' | 'hang' | 'refuse' | 'drop';

/** A frame the server received, with the client and the connection number it came on. */
export interface ReceivedFrame {
	client: string;
	connection: number;
	frame: unknown;
}

/** Counters for one client identity. */
export interface ClientStats {
	/** Upgrade requests seen, whatever the mode did with them. */
	attempts: number;
	/** Sockets upgraded (accepted or silent). */
	connections: number;
	/** Sockets the server currently sees in the OPEN state. */
	open: number;
	/** The most sockets ever seen OPEN at the same time. */
	maxOpen: number;
}

export interface ControlServerOptions {
	/** `heartbeatInterval` announced in `welcome`. */
	heartbeatInterval?: number;
	/**
	 * Events older than this many are no longer replayable: a `resume` from before them is answered
	 * with `resync`. Default: all events are kept.
	 */
	retain?: number;
}

interface Connection {
	id: number;
	client: string;
	ws: WebSocket;
	/** Whether the server answers this socket (welcome, replay, acks, pongs, new events). */
	answering: boolean;
}

/** An upgrade request held in `hang` mode. */
interface HeldUpgrade {
	client: string;
	request: IncomingMessage;
	socket: Socket;
	head: Buffer;
}

/** What `release()` does with held upgrade requests. */
export type Release = 'accept' | 'silent' | 'refuse' | 'drop';

const DEFAULT_CLIENT = 'anonymous';

function clientOf(request: IncomingMessage): string {
	const url = new URL(request.url ?? '/', 'http://127.0.0.1');
	return url.searchParams.get('client') ?? DEFAULT_CLIENT;
}

function parseFrame(data: RawData): unknown {
	try {
		return JSON.parse(data.toString());
	} catch {
		return undefined;
	}
}

/**
 * Wait until `predicate()` is true, checking it every few milliseconds; reject with a message
 * naming `what` after `timeoutMs`. The bounded wait every test uses instead of a sleep.
 */
export function waitFor(
	predicate: () => boolean,
	timeoutMs: number,
	what = 'condition'
): Promise<void> {
	if (predicate()) return Promise.resolve();
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const timer = setInterval(() => {
			if (predicate()) {
				clearInterval(timer);
				resolve();
			} else if (Date.now() - started >= timeoutMs) {
				clearInterval(timer);
				reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
			}
		}, 1);
	});
}

/** The controllable server. Create with {@link startControlServer}. */
export class ControlServer {
	/** The port, kept across `stop()` / `restart()` so clients can reconnect to the same URL. */
	port = 0;
	mode: ServerMode = 'accept';
	/** The event log, replayed on `resume`. */
	readonly events: EventFrame[] = [];
	/** Every frame received from clients, in order. */
	readonly received: ReceivedFrame[] = [];

	#http: Server | undefined;
	readonly #wss = new WebSocketServer({ noServer: true });
	readonly #connections = new Set<Connection>();
	readonly #held = new Set<HeldUpgrade>();
	readonly #stats = new Map<string, ClientStats>();
	readonly #options: Required<ControlServerOptions>;
	#nextConnection = 1;
	#lastSeq = 0;

	constructor(options: ControlServerOptions = {}) {
		this.#options = {
			heartbeatInterval: options.heartbeatInterval ?? 30_000,
			retain: options.retain ?? Infinity
		};
	}

	/** The socket URL for a client identity. */
	url(client = DEFAULT_CLIENT): string {
		return `ws://127.0.0.1:${this.port}/ws?client=${encodeURIComponent(client)}`;
	}

	get listening(): boolean {
		return this.#http?.listening ?? false;
	}

	/** Start listening: on an ephemeral port the first time, on the same port after `stop()`. */
	async listen(): Promise<void> {
		if (this.listening) return;
		const http = createServer((_req, res) => {
			res.writeHead(426).end();
		});
		http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) =>
			this.#onUpgrade(request, socket, head)
		);
		await new Promise<void>((resolve, reject) => {
			http.once('error', reject);
			http.listen(this.port, '127.0.0.1', () => {
				http.off('error', reject);
				resolve();
			});
		});
		this.#http = http;
		this.port = (http.address() as AddressInfo).port;
	}

	/** Stop listening and drop every socket (an outage). */
	async stop(): Promise<void> {
		const http = this.#http;
		this.#http = undefined;
		for (const held of this.#held) held.socket.destroy();
		this.#held.clear();
		for (const { ws } of this.#connections) ws.terminate();
		if (http?.listening) {
			await new Promise<void>((resolve) => http.close(() => resolve()));
		}
		await waitFor(() => this.#connections.size === 0, 2_000, 'all sockets closed after stop');
	}

	/** Listen again on the same port. */
	restart(): Promise<void> {
		return this.listen();
	}

	/** Stop for good. */
	async close(): Promise<void> {
		await this.stop();
		this.#wss.close();
	}

	/**
	 * Decide what the server does from now on with new upgrades; `silent` also makes open sockets
	 * stop answering (half-open) and `accept` makes them answer again. Held upgrades stay held until
	 * `release()`.
	 */
	setMode(mode: ServerMode): void {
		this.mode = mode;
		if (mode !== 'silent' && mode !== 'accept') return;
		for (const connection of this.#connections) connection.answering = mode === 'accept';
	}

	/**
	 * Resolve the upgrade requests held in `hang` mode (of one client, or all): upgrade them as
	 * `accept` or `silent` sockets, answer 503, or cut them. Returns how many there were.
	 */
	release(outcome: Release, client?: string): number {
		let released = 0;
		for (const held of this.#held) {
			if (client !== undefined && held.client !== client) continue;
			this.#held.delete(held);
			released += 1;
			this.#resolveUpgrade(held, outcome);
		}
		return released;
	}

	/** Upgrade requests held in `hang` mode (of one client, or all). */
	heldUpgrades(client?: string): number {
		let held = 0;
		for (const upgrade of this.#held)
			if (client === undefined || upgrade.client === client) held += 1;
		return held;
	}

	/** Close every open socket (of one client, or all) with `code`, as the server. */
	closeSockets(code: number, reason = '', client?: string): void {
		for (const connection of this.#connections) {
			if (client !== undefined && connection.client !== client) continue;
			if (connection.ws.readyState === WebSocket.OPEN) connection.ws.close(code, reason);
		}
	}

	/** Cut every socket (of one client, or all) without a close frame: the client sees 1006. */
	terminateSockets(client?: string): void {
		for (const connection of this.#connections) {
			if (client === undefined || connection.client === client) connection.ws.terminate();
		}
	}

	/**
	 * Append an event with the next `seq` to the log and send it to every socket the server
	 * answers. Returns the frame.
	 */
	emit<D>(type: string, data: D): EventFrame<string, D> {
		this.#lastSeq += 1;
		const frame: EventFrame<string, D> = {
			type,
			id: `evt-${this.#lastSeq}`,
			seq: this.#lastSeq,
			ts: Date.now(),
			data
		};
		this.events.push(frame);
		if (this.events.length > this.#options.retain) this.events.shift();
		const text = JSON.stringify(frame);
		for (const connection of this.#connections) {
			if (connection.answering && connection.ws.readyState === WebSocket.OPEN) {
				connection.ws.send(text);
			}
		}
		return frame;
	}

	/** Send a raw text frame to every open socket (of one client, or all), whatever the mode. */
	broadcast(text: string, client?: string): void {
		for (const connection of this.#connections) {
			if (client !== undefined && connection.client !== client) continue;
			if (connection.ws.readyState === WebSocket.OPEN) connection.ws.send(text);
		}
	}

	/** Counters for a client identity (zeros for one never seen). */
	stats(client = DEFAULT_CLIENT): ClientStats {
		const stats = this.#stats.get(client) ?? { attempts: 0, connections: 0, open: 0, maxOpen: 0 };
		return { ...stats, open: this.openSockets(client) };
	}

	/** Sockets of a client (or all) the server sees in the OPEN state right now. */
	openSockets(client?: string): number {
		let open = 0;
		for (const connection of this.#connections) {
			if (client !== undefined && connection.client !== client) continue;
			if (connection.ws.readyState === WebSocket.OPEN) open += 1;
		}
		return open;
	}

	/** Sockets (and held upgrade requests) not yet fully closed, of every client. */
	liveSockets(): number {
		return this.#connections.size + this.#held.size;
	}

	/** The frames one client sent, oldest first. */
	framesFrom(client = DEFAULT_CLIENT): unknown[] {
		return this.received.filter((r) => r.client === client).map((r) => r.frame);
	}

	/** Wait until `predicate(this)` holds, at most `timeoutMs`. */
	waitFor(predicate: (server: this) => boolean, timeoutMs: number, what?: string): Promise<void> {
		return waitFor(() => predicate(this), timeoutMs, what);
	}

	#statsOf(client: string): ClientStats {
		let stats = this.#stats.get(client);
		if (!stats) {
			stats = { attempts: 0, connections: 0, open: 0, maxOpen: 0 };
			this.#stats.set(client, stats);
		}
		return stats;
	}

	#onUpgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
		const held: HeldUpgrade = { client: clientOf(request), request, socket, head };
		this.#statsOf(held.client).attempts += 1;
		socket.on('error', () => socket.destroy());
		if (this.mode !== 'hang') {
			this.#resolveUpgrade(held, this.mode);
			return;
		}
		this.#held.add(held);
		socket.once('close', () => this.#held.delete(held));
		// The HTTP server's sockets allow half-open connections: a client giving up only ends its
		// side. Read (flowing, so the end is seen at once) and close ours too. Nothing is lost: a
		// client sends nothing before the answer, and `ws` attaches its reader synchronously on
		// release.
		socket.once('end', () => socket.destroy());
		socket.resume();
	}

	#resolveUpgrade({ client, request, socket, head }: HeldUpgrade, outcome: Release): void {
		if (socket.destroyed) return;
		switch (outcome) {
			case 'refuse':
				socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
				return;
			case 'drop':
				socket.destroy();
				return;
			default:
				this.#wss.handleUpgrade(request, socket, head, (ws) =>
					this.#onConnection(client, ws, outcome === 'accept')
				);
		}
	}

	#onConnection(client: string, ws: WebSocket, answering: boolean): void {
		const connection: Connection = { id: this.#nextConnection++, client, ws, answering };
		this.#connections.add(connection);
		this.#statsOf(client).connections += 1;
		// Sample after the current I/O phase: a close frame from the client's previous socket that
		// arrived in the same poll batch is then already processed, so only sockets the client
		// really keeps open are counted.
		setImmediate(() => {
			const stats = this.#statsOf(client);
			stats.maxOpen = Math.max(stats.maxOpen, this.openSockets(client));
		});
		ws.on('error', () => ws.terminate());
		ws.on('close', () => this.#connections.delete(connection));
		ws.on('message', (data) => this.#onMessage(connection, data));
		if (answering) {
			this.#send(ws, {
				type: 'welcome',
				data: { heartbeatInterval: this.#options.heartbeatInterval, lastSeq: this.#lastSeq }
			});
		}
	}

	#onMessage(connection: Connection, data: RawData): void {
		const frame = parseFrame(data);
		this.received.push({ client: connection.client, connection: connection.id, frame });
		if (!connection.answering || typeof frame !== 'object' || frame === null) return;
		const { type, id, data: payload } = frame as { type?: unknown; id?: unknown; data?: unknown };
		if (type === 'ping') {
			this.#send(connection.ws, { type: 'pong' });
		} else if (type === 'resume') {
			this.#resume(connection.ws, (payload as { lastSeq?: unknown } | undefined)?.lastSeq);
		} else if (typeof id === 'string') {
			this.#send(connection.ws, { type: 'ack', data: { id } });
		}
	}

	#resume(ws: WebSocket, lastSeq: unknown): void {
		const from = typeof lastSeq === 'number' ? lastSeq : 0;
		const oldest = this.events[0]?.seq ?? this.#lastSeq + 1;
		if (from + 1 < oldest) {
			this.#send(ws, { type: 'resync', data: { lastSeq: this.#lastSeq } });
			return;
		}
		for (const event of this.events) if (event.seq > from) this.#send(ws, event);
	}

	#send(ws: WebSocket, frame: unknown): void {
		if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
	}
}

/** Create a control server listening on an ephemeral port of 127.0.0.1. */
export async function startControlServer(options?: ControlServerOptions): Promise<ControlServer> {
	const server = new ControlServer(options);
	await server.listen();
	return server;
}
