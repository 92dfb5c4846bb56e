/**
 * A WebSocket constructor for Node clients of the realtime package under test: the `ws` client
 * with the headers a browser would send (Origin, Cookie) or a Bearer token, an `x-chaos-client`
 * tag the fault proxy can read, and a count of the instances that are OPEN at any moment, so a
 * test can prove a client never holds two open sockets.
 *
 * A socket counts as open from its `open` event until the client calls `close()`/`terminate()`
 * on it or its `close` event fires, whichever comes first; a socket the client has given up on
 * but whose TCP close handshake is still pending (a black-holed peer) no longer counts.
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
}

export interface CountingWebSocketOptions {
	origin?: string;
	cookie?: string;
	bearer?: string;
	/** Value of the `x-chaos-client` header. */
	tag?: string;
	/** Source address to connect from (e.g. 127.0.0.7, to look like another host). */
	localAddress?: string;
	/** Called with every text frame a socket receives, before the client sees it. */
	onFrame?: (text: string) => void;
}

/** A counter and the WebSocket class that feeds it, for one client. */
export function countingWebSocket(options: CountingWebSocketOptions): {
	WebSocket: typeof WebSocket;
	counter: SocketCounter;
} {
	const counter: SocketCounter = { open: 0, maxOpen: 0, created: 0, alive: 0, maxAlive: 0 };
	const headers: Record<string, string> = {};
	if (options.origin) headers.origin = options.origin;
	if (options.cookie) headers.cookie = options.cookie;
	if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
	if (options.tag) headers['x-chaos-client'] = options.tag;

	class CountingWebSocket extends WebSocket {
		private counted = false;

		constructor(url: string | URL, protocols?: string | string[]) {
			super(url, protocols, { headers, localAddress: options.localAddress });
			counter.created++;
			counter.alive++;
			counter.maxAlive = Math.max(counter.maxAlive, counter.alive);
			this.on('open', () => {
				this.counted = true;
				counter.open++;
				counter.maxOpen = Math.max(counter.maxOpen, counter.open);
			});
			this.on('close', () => {
				this.uncount();
				counter.alive--;
			});
			// An unhandled 'error' on an EventEmitter would throw; the client listens via its own API.
			this.on('error', () => {});
			if (options.onFrame) {
				const onFrame = options.onFrame;
				this.on('message', (data, isBinary) => {
					if (!isBinary) onFrame(data.toString());
				});
			}
		}

		override close(code?: number, reason?: string | Buffer): void {
			this.uncount();
			super.close(code, reason);
		}

		override terminate(): void {
			this.uncount();
			super.terminate();
		}

		private uncount(): void {
			if (!this.counted) return;
			this.counted = false;
			counter.open--;
		}
	}
	return { WebSocket: CountingWebSocket, counter };
}
