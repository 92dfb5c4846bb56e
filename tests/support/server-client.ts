/**
 * A `ws` client for server tests that records every frame and close, and lets a test wait for
 * them with a bounded timeout instead of sleeping.
 */
import WebSocket from 'ws';

export interface Frame {
	type: string;
	id?: string;
	seq?: number;
	ts?: number;
	data?: unknown;
}

export interface Closed {
	code: number;
	reason: string;
}

export interface ConnectOptions {
	token?: string;
	/** Send the token as the `session` cookie (default) or as `Authorization: Bearer`. */
	via?: 'cookie' | 'bearer';
	origin?: string;
	/** Answer protocol pings (default true). */
	autoPong?: boolean;
	maxPayload?: number;
	/** More request headers, e.g. X-Forwarded-For. */
	headers?: Record<string, string>;
	/** The local address to connect from (any 127.x.y.z is loopback on Linux). */
	localAddress?: string;
}

const DEFAULT_TIMEOUT = 5_000;

export class TestClient {
	readonly ws: WebSocket;
	/** Frames not yet taken by next(). */
	readonly #inbox: Frame[] = [];
	#waiter: (() => void) | undefined;
	readonly closed: Promise<Closed>;
	readonly opened: Promise<void>;

	constructor(url: string, options: ConnectOptions = {}) {
		const headers: Record<string, string> = { ...options.headers };
		if (options.token && options.via === 'bearer')
			headers.authorization = `Bearer ${options.token}`;
		else if (options.token) headers.cookie = `session=${options.token}`;
		this.ws = new WebSocket(url, {
			headers,
			origin: options.origin,
			autoPong: options.autoPong ?? true,
			maxPayload: options.maxPayload,
			localAddress: options.localAddress
		});
		this.opened = new Promise((resolve, reject) => {
			this.ws.once('open', () => resolve());
			this.ws.once('error', reject);
		});
		this.closed = new Promise((resolve) => {
			this.ws.on('close', (code, reason) => {
				resolve({ code, reason: reason.toString() });
				this.#waiter?.();
			});
		});
		this.ws.on('error', () => {
			// Recorded through `closed`; a refused handshake rejects `opened`.
		});
		this.ws.on('message', (data) => {
			this.#inbox.push(JSON.parse(data.toString()) as Frame);
			this.#waiter?.();
		});
	}

	/** The next frame (optionally the next one of `type`, skipping others), or throw on timeout. */
	async next(type?: string, timeout = DEFAULT_TIMEOUT): Promise<Frame> {
		const deadline = Date.now() + timeout;
		for (;;) {
			const index = this.#inbox.findIndex((frame) => type === undefined || frame.type === type);
			if (index >= 0) return this.#inbox.splice(index, 1)[0];
			if (this.ws.readyState === WebSocket.CLOSED) {
				throw new Error(`socket closed while waiting for ${type ?? 'a frame'}`);
			}
			const left = deadline - Date.now();
			if (left <= 0) throw new Error(`no ${type ?? 'frame'} within ${timeout} ms`);
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, left);
				this.#waiter = () => {
					clearTimeout(timer);
					resolve();
				};
			});
		}
	}

	/** The next `count` frames, in order. */
	async take(count: number, timeout = DEFAULT_TIMEOUT): Promise<Frame[]> {
		const frames: Frame[] = [];
		for (let i = 0; i < count; i++) frames.push(await this.next(undefined, timeout));
		return frames;
	}

	/** Frames received and not yet taken. */
	get pending(): readonly Frame[] {
		return this.#inbox;
	}

	send(frame: unknown): void {
		this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
	}

	/** Wait for the close, or throw after `timeout`. */
	async waitClosed(timeout = DEFAULT_TIMEOUT): Promise<Closed> {
		let timer: NodeJS.Timeout | undefined;
		try {
			return await Promise.race([
				this.closed,
				new Promise<never>((_, reject) => {
					timer = setTimeout(() => reject(new Error(`not closed within ${timeout} ms`)), timeout);
				})
			]);
		} finally {
			clearTimeout(timer);
		}
	}

	close(): void {
		if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) {
			this.ws.terminate();
		}
	}
}

/**
 * Open a socket, wait for the welcome and send `resume` (from `lastSeq`, default the welcome's),
 * so the socket receives live events. Returns the client and the welcome's lastSeq.
 */
export async function connectReady(
	url: string,
	options: ConnectOptions & { lastSeq?: number } = {}
): Promise<{ client: TestClient; welcomeSeq: number }> {
	const client = new TestClient(url, options);
	const welcome = await client.next('welcome');
	const welcomeSeq = (welcome.data as { lastSeq: number }).lastSeq;
	client.send({ type: 'resume', data: { lastSeq: options.lastSeq ?? welcomeSeq } });
	return { client, welcomeSeq };
}
