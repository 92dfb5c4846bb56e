/**
 * The client against a real `ws` WebSocketServer on 127.0.0.1 (port 0): resume first, an event
 * received, a message sent and acked, a server close followed by a reconnect that resumes from
 * the last seq and resends what was queued meanwhile. Real timers; every wait is for a condition,
 * with a bounded timeout.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { waitFor } from 'xstate';
import { createRealtimeClient, type RealtimeClient } from '../../machines/client';
import { eventFrame } from '../support/connection-fakes';
import { coreEventSchemas } from '../../src/lib/protocol';

const TIMEOUT = { timeout: 5000 };

interface Connection {
	socket: ServerSocket;
	frames: Array<{ type: string; id?: string; data?: unknown }>;
}

let server: WebSocketServer;
let url: string;
let connections: Connection[];
let mostOpenAtOnce: number;
let client: RealtimeClient | undefined;

beforeEach(async () => {
	connections = [];
	mostOpenAtOnce = 0;
	server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
	await new Promise<void>((resolve) => server.once('listening', resolve));
	const { port } = server.address() as { port: number };
	url = `ws://127.0.0.1:${port}/ws`;
	server.on('connection', (socket) => {
		const connection: Connection = { socket, frames: [] };
		connections.push(connection);
		mostOpenAtOnce = Math.max(mostOpenAtOnce, server.clients.size);
		socket.on('message', (raw) => {
			const frame = JSON.parse(String(raw));
			connection.frames.push(frame);
			if (frame.id) socket.send(JSON.stringify({ type: 'ack', data: { id: frame.id } }));
		});
	});
});

afterEach(async () => {
	client?.stop();
	client = undefined;
	for (const socket of server.clients) socket.terminate();
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Resolve when `check` passes, polling on the event loop; fail after the timeout. */
async function until(check: () => boolean, what: string): Promise<void> {
	const deadline = Date.now() + TIMEOUT.timeout;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setImmediate(resolve));
	}
}

describe('client against a real ws server', () => {
	it('resumes, receives, sends with ack, reconnects after a server close', async () => {
		const realtime = createRealtimeClient({
			url,
			events: coreEventSchemas,
			WebSocket,
			reconnectInterval: 20,
			jitter: 0
		});
		client = realtime;
		const received: number[] = [];
		realtime.subscribe('notification:new', (_, frame) => received.push(frame.seq));

		await waitFor(realtime.actor, (s) => s.matches({ connection: 'connected' }), TIMEOUT);
		await until(() => connections[0]?.frames.length > 0, 'resume');
		expect(connections[0].frames[0]).toEqual({ type: 'resume', data: { lastSeq: 0 } });

		connections[0].socket.send(JSON.stringify(eventFrame(1)));
		connections[0].socket.send(JSON.stringify(eventFrame(2)));
		await until(() => received.length === 2, 'two events');
		expect(received).toEqual([1, 2]);

		const sent = realtime.send('note', { text: 'hello' });
		expect(sent.outcome).toBe('sent');
		await until(() => realtime.getStatusDetail().queueLength === 0, 'the ack');
		expect(connections[0].frames[1]).toEqual({
			type: 'note',
			id: sent.id,
			data: { text: 'hello' }
		});

		connections[0].socket.close(1001, 'restart');
		await waitFor(realtime.actor, (s) => s.matches({ connection: 'reconnecting' }), TIMEOUT);
		const queued = realtime.send('note', { text: 'while away' });
		expect(queued.outcome).toBe('queued');
		await waitFor(realtime.actor, (s) => s.matches({ connection: 'connected' }), TIMEOUT);
		await until(() => connections[1]?.frames.length >= 2, 'resume and the queued message');
		expect(connections[1].frames.slice(0, 2)).toEqual([
			{ type: 'resume', data: { lastSeq: 2 } },
			{ type: 'note', id: queued.id, data: { text: 'while away' } }
		]);
		await until(() => realtime.getStatusDetail().queueLength === 0, 'the second ack');

		connections[1].socket.send(JSON.stringify(eventFrame(2)));
		connections[1].socket.send(JSON.stringify(eventFrame(3)));
		await until(() => received.length === 3, 'the third event');
		expect(received).toEqual([1, 2, 3]);
		expect(mostOpenAtOnce).toBe(1);
	});

	it('stops retrying on 4401 and closes its socket on stop()', async () => {
		server.on('connection', (socket) => socket.close(4401, 'unauthorized'));
		const realtime = createRealtimeClient({ url, WebSocket, reconnectInterval: 20 });
		client = realtime;
		await waitFor(realtime.actor, (s) => s.matches({ connection: 'failed' }), TIMEOUT);
		expect(realtime.getStatusDetail()).toMatchObject({
			status: 'disconnected',
			reason: 'unauthorized',
			closeCode: 4401
		});
		expect(connections).toHaveLength(1);
	});

	it('closes the server side when the client stops', async () => {
		const realtime = createRealtimeClient({ url, WebSocket });
		client = realtime;
		await waitFor(realtime.actor, (s) => s.matches({ connection: 'connected' }), TIMEOUT);
		await until(() => server.clients.size === 1, 'the connection');
		realtime.stop();
		await until(() => server.clients.size === 0, 'the close');
	});

	it('disconnects during the handshake without an unhandled error from ws', async () => {
		const realtime = createRealtimeClient({ url, WebSocket });
		client = realtime;
		realtime.disconnect();
		expect(realtime.getStatus()).toBe('disconnected');
		// ws reports the aborted handshake on a later tick; give it that tick, then one more.
		await new Promise((resolve) => setImmediate(resolve));
		await new Promise((resolve) => setImmediate(resolve));
		realtime.connect();
		await waitFor(realtime.actor, (s) => s.matches({ connection: 'connected' }), TIMEOUT);
	});
});
