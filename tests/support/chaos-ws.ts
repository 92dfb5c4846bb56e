/**
 * A WebSocket constructor for Node clients of the realtime package under test: the `ws` client
 * with the headers a browser would send (Origin, Cookie) or a Bearer token, an `x-chaos-client`
 * tag per socket (`<client>#<n>`) the fault proxy can read, and a count of the instances that are
 * OPEN at any moment, so a test can prove a client never holds two open sockets.
 *
 * A socket counts as open from its `open` event until the client calls `close()`/`terminate()`
 * on it or its `close` event fires, whichever comes first ("released"); a socket the client has
 * given up on but whose TCP close handshake is still pending (a black-holed peer) no longer counts.
 */
import { WebSocket } from 'ws';

export interface SocketCounter {
	/** OPEN sockets now. */
	open: number;
	/** The most OPEN sockets at any moment. */
	maxOpen: number;
	/** Sockets ever constructed. */
	created: number;
	/** Sockets constructed but whose `close` event has not fired yet (CONNECTING/OPEN/CLOSING). */
	alive: number;
	maxAlive: number;
	/** Per-socket tags the client has released (closed or seen closed), with when. */
	released: Map<string, number>;
}

/** What happened to one socket, for tests that time detection and reconnection. */
export interface SocketNotice {
	socketTag: string;
	kind: 'open' | 'release';
	at: number;
}

export interface CountingWebSocketOptions {
	origin?: string;
	cookie?: string;
	bearer?: string;
	/** The client's tag; each socket sends `x-chaos-client: <tag>#<n>`. */
	tag?: string;
	/** Source address to connect from (e.g. 127.0.0.7, to look like another host). */
	localAddress?: string;
	/** Every text frame a socket receives, before the client sees it. */
	onFrame?: (text: string) => void;
	/** Every text frame the client sends. */
	onSend?: (text: string) => void;
	/** A socket opened or was released. */
	onNotice?: (notice: SocketNotice) => void;
}

/** A counter and the WebSocket class that feeds it, for one client. */
export function countingWebSocket(options: CountingWebSocketOptions): {
	WebSocket: new (url: string) => WebSocket;
	counter: SocketCounter;
} {
	const counter: SocketCounter = {
		open: 0,
		maxOpen: 0,
		created: 0,
		alive: 0,
		maxAlive: 0,
		released: new Map()
	};
	const headers: Record<string, string> = {};
	if (options.origin) headers.origin = options.origin;
	if (options.cookie) headers.cookie = options.cookie;
	if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
	const { onFrame, onSend, onNotice } = options;

	class CountingWebSocket extends WebSocket {
		readonly socketTag: string;
		private counted = false;

		constructor(url: string | URL, protocols?: string | string[]) {
			const socketTag = `${options.tag ?? 'client'}#${counter.created + 1}`;
			super(url, protocols, {
				headers: { ...headers, 'x-chaos-client': socketTag },
				localAddress: options.localAddress
			});
			this.socketTag = socketTag;
			counter.created++;
			counter.alive++;
			counter.maxAlive = Math.max(counter.maxAlive, counter.alive);
			this.on('open', () => {
				this.counted = true;
				counter.open++;
				counter.maxOpen = Math.max(counter.maxOpen, counter.open);
				onNotice?.({ socketTag, kind: 'open', at: Date.now() });
			});
			this.on('close', () => {
				this.release();
				counter.alive--;
			});
			// An unhandled 'error' on an EventEmitter would throw; the client listens via its own API.
			this.on('error', () => {});
			if (onFrame) {
				this.on('message', (data, isBinary) => {
					if (!isBinary) onFrame(data.toString());
				});
			}
		}

		override send(data: unknown, ...rest: unknown[]): void {
			if (onSend && typeof data === 'string') onSend(data);
			(super.send as (...args: unknown[]) => void)(data, ...rest);
		}

		override close(code?: number, reason?: string | Buffer): void {
			this.release();
			super.close(code, reason);
		}

		override terminate(): void {
			this.release();
			super.terminate();
		}

		private release(): void {
			if (!counter.released.has(this.socketTag)) counter.released.set(this.socketTag, Date.now());
			if (!this.counted) return;
			this.counted = false;
			counter.open--;
			onNotice?.({ socketTag: this.socketTag, kind: 'release', at: Date.now() });
		}
	}
	return { WebSocket: CountingWebSocket, counter };
}
