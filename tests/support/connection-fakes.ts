/**
 * Test doubles for the connection package's unit tests: an in-memory WebSocket (the real socket is
 * exercised against a real `ws` server in client-ws.test.ts and the model tests) and a logger
 * that records. The fake implements exactly the WebSocket surface the client uses and lets the
 * test play the server: open, deliver frames, close with a code, fail.
 */
import { createRealtimeClient, type ClientRuntime } from '../../machines/client';
import type { ConnectionOptions, Logger, WebSocketLike } from '../../machines/options';
import type { EventSchemas } from '../../machines/protocol';
import { coreEventSchemas } from '../../src/lib/protocol';

type Listener = (event: unknown) => void;

export class FakeSocket implements WebSocketLike {
	readyState = 0;
	/** Frames the client wrote, parsed. */
	readonly sent: Array<{ type: string; id?: string; data?: unknown }> = [];
	/** Set when the client closed the socket. */
	closedByClient: { code?: number; reason?: string } | null = null;
	private readonly listeners = new Map<string, Set<Listener>>();

	constructor(readonly url: string) {}

	addEventListener(type: string, listener: Listener): void {
		if (!this.listeners.has(type)) this.listeners.set(type, new Set());
		this.listeners.get(type)!.add(listener);
	}

	removeEventListener(type: string, listener: Listener): void {
		this.listeners.get(type)?.delete(listener);
	}

	send(data: string): void {
		if (this.readyState !== 1) throw new Error('send on a socket that is not open');
		this.sent.push(JSON.parse(data));
	}

	close(code?: number, reason?: string): void {
		if (this.readyState >= 2) return;
		this.readyState = 3;
		this.closedByClient = { code, reason };
		// Like a real socket, the close event comes later; the client has detached by then.
		queueMicrotask(() => this.dispatch('close', { code: 1006, reason: '' }));
	}

	/** Listeners still attached, of every type (`error` included). */
	listenerCount(type?: string): number {
		if (type) return this.listeners.get(type)?.size ?? 0;
		return [...this.listeners.values()].reduce((sum, set) => sum + set.size, 0);
	}

	/** The types of the frames the client wrote, in order. */
	sentTypes(): string[] {
		return this.sent.map((frame) => frame.type);
	}

	// The server's side.

	open(): void {
		this.readyState = 1;
		this.dispatch('open', {});
	}

	/** Deliver one frame: a string as is, anything else as JSON. */
	receive(frame: unknown): void {
		this.dispatch('message', { data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
	}

	/** Deliver a raw message event `data` (e.g. a binary frame). */
	receiveRaw(data: unknown): void {
		this.dispatch('message', { data });
	}

	serverClose(code: number, reason = ''): void {
		this.readyState = 3;
		this.dispatch('close', { code, reason });
	}

	fail(): void {
		this.dispatch('error', {});
		this.serverClose(1006);
	}

	private dispatch(type: string, event: unknown): void {
		for (const listener of [...(this.listeners.get(type) ?? [])]) listener(event);
	}
}

/** A WebSocket constructor whose instances the test can reach, in creation order. */
export function fakeSockets() {
	const sockets: FakeSocket[] = [];
	class WebSocket extends FakeSocket {
		constructor(url: string) {
			super(url);
			sockets.push(this);
		}
	}
	return {
		WebSocket,
		sockets,
		/** The newest socket. */
		get last(): FakeSocket {
			const socket = sockets.at(-1);
			if (!socket) throw new Error('no socket was created');
			return socket;
		},
		/** Sockets the client has not closed and the server has not closed. */
		live(): FakeSocket[] {
			return sockets.filter((socket) => socket.readyState < 2);
		}
	};
}

/** A logger that keeps what it is told. */
export function recordingLogger() {
	const warnings: string[] = [];
	const errors: unknown[][] = [];
	const logger: Logger = {
		warn: (message) => void warnings.push(message),
		error: (...details) => void errors.push(details)
	};
	return { logger, warnings, errors };
}

/** An event frame as the server sends it. */
export function eventFrame(
	seq: number,
	type = 'notification:new',
	data: unknown = notification(seq)
) {
	return { type, id: `evt-${seq}`, seq, ts: 1_700_000_000_000 + seq, data };
}

export function notification(n: number) {
	return {
		id: n,
		category: 'system',
		title: `Notice ${n}`,
		description: 'Something happened',
		timestamp: '2026-01-01T00:00:00.000Z'
	};
}

/** Let the socket actor report the batch of event frames gathered in this task. */
export function flushFrames(): Promise<void> {
	return new Promise((resolve) => queueMicrotask(resolve));
}

export const FAKE_URL = 'ws://127.0.0.1:9/ws';

/**
 * A client on fake sockets with deterministic jitter (`random` 0) and a recording logger, plus
 * shortcuts to its snapshot and context. Its events are the Career Copilot app's (valibot
 * schemas), unless `options.events` says otherwise.
 */
export function startFakeClient<S extends EventSchemas = typeof coreEventSchemas>(
	options: Partial<ConnectionOptions<S>> = {},
	runtime: ClientRuntime = {}
) {
	const fake = fakeSockets();
	const log = recordingLogger();
	const client = createRealtimeClient<S>(
		{
			url: FAKE_URL,
			WebSocket: fake.WebSocket,
			random: () => 0,
			logger: log.logger,
			events: coreEventSchemas as EventSchemas as S,
			...options
		},
		runtime
	);
	const snapshot = () => client.actor.getSnapshot();
	return { client, fake, log, snapshot, context: () => snapshot().context };
}

export type FakeClient = ReturnType<typeof startFakeClient>;

/** A fake-socket client whose first socket is open. */
export function connectedFakeClient<S extends EventSchemas = typeof coreEventSchemas>(
	options: Partial<ConnectionOptions<S>> = {}
) {
	const setup = startFakeClient<S>(options);
	setup.fake.last.open();
	return setup;
}
