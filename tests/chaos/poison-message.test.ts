/**
 * A client message the server refuses must not stay in the client's outgoing queue forever.
 *
 * The hub answers a message whose handler refuses it with `{type:'error', data:{code, message,
 * id}}` instead of an ack, and does not record the id (src/lib/server/realtime/hub.ts, #apply).
 * If the client keeps such a message as "unacked", it is resent after every reconnect (and, in a
 * browser, survives page loads in the saved outbox), never acked, and with a bounded queue
 * (drop-oldest) enough of them push out good messages. Real hub, real domain handlers, real
 * client; the fault is a reconnect (the hub drops the user's sockets).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRealtimeClient, type RealtimeClient } from '../../machines/client';
import { countingWebSocket } from '../support/chaos-ws';
import { waitFor } from '../support/chaos-wait';
import { startRealtimeTestServer, type RealtimeTestServer } from '../support/server-harness';
import { coreEventSchemas } from '../../src/lib/protocol';

let server: RealtimeTestServer | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
	client?.stop();
	await server?.close();
});

describe('a message the server refuses', () => {
	it('leaves the queue and is not resent after a reconnect', async () => {
		server = await startRealtimeTestServer();
		const userId = await server.createUser('poison');
		const frames: string[] = [];
		const sent: string[] = [];
		const { WebSocket } = countingWebSocket({
			bearer: await server.makeToken(userId),
			onFrame: (text) => frames.push(text),
			onSend: (text) => sent.push(text)
		});
		client = createRealtimeClient({
			url: server.url,
			events: coreEventSchemas,
			WebSocket: WebSocket,
			reconnectInterval: 50,
			logger: { warn: () => {}, error: () => {} }
		});
		await waitFor(() => client!.isConnected(), 'connected');

		// `id` must be text: the domain's handler refuses a number with a 400.
		const { id } = client.send('notification:read', { id: 42 });
		await waitFor(() => frames.some((f) => f.includes('"error"') && f.includes(id)), 'refusal');
		const refusal = JSON.parse(frames.find((f) => f.includes('"error"'))!);
		expect(refusal.data).toMatchObject({ code: 'bad_payload', id });

		// A good message after it is acked as usual.
		const good = client.send('notification:read', { id: 'no-such-notification' });
		await waitFor(() => frames.some((f) => f.includes('"ack"') && f.includes(good.id)), 'ack');

		await server.store.dropUser(userId);
		await waitFor(() => sent.filter((f) => f.includes('"resume"')).length === 2, 'reconnected');
		await waitFor(() => frames.filter((f) => f.includes('"welcome"')).length === 2, 'welcomed');

		const transmissions = sent.filter((f) => f.includes(`"${id}"`)).length;
		expect(
			{ queueLength: client.getStatusDetail().queueLength, transmissions },
			'the refused message is out of the queue and was sent once'
		).toEqual({ queueLength: 0, transmissions: 1 });
	});
});
