import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
	ENGINES,
	startRealtimeTestServer,
	type RealtimeTestServer
} from '../support/server-harness';
import { TestClient, connectReady } from '../support/server-client';

/** Messages a socket may send at once; the refill is too slow to matter during a test. */
const BURST = 20;

describe.each(ENGINES)('client messages and bad frames (%s)', (engine) => {
	let server: RealtimeTestServer;
	let userId: number;
	let client: TestClient;

	beforeEach(async () => {
		server = await startRealtimeTestServer({
			engine,
			hub: { maxPayload: 1024, messageRate: { burst: BURST, perSecond: 0.001, closeAfter: 5 } }
		});
		userId = await server.createUser('alex');
		({ client } = await connectReady(server.url, { token: await server.makeToken(userId) }));
	});
	afterEach(async () => {
		client.close();
		await server.close();
	});

	it('acks a message, applies it once, and acks a repeat of its id without applying it', async () => {
		const applied: unknown[] = [];
		server.hub.onMessage('notification:read', (from, data) => void applied.push({ from, data }));
		const message = { type: 'notification:read', id: 'm-1', data: { id: 'n-7' } };
		client.send(message);
		expect(await client.next()).toEqual({ type: 'ack', data: { id: 'm-1' } });
		client.send(message);
		expect(await client.next()).toEqual({ type: 'ack', data: { id: 'm-1' } });
		expect(applied).toEqual([{ from: userId, data: { id: 'n-7' } }]);
	});

	it('remembers applied ids across reconnects and hub restarts (stored in the database)', async () => {
		let applied = 0;
		server.hub.onMessage('note', () => void applied++);
		client.send({ type: 'note', id: 'once', data: null });
		await client.next('ack');
		client.close();
		const { client: again } = await connectReady(server.url, {
			token: await server.makeToken(userId)
		});
		again.send({ type: 'note', id: 'once', data: null });
		expect(await again.next()).toEqual({ type: 'ack', data: { id: 'once' } });
		expect(applied).toBe(1);
		again.close();
	});

	it('refuses a message its handler rejects, without recording its id', async () => {
		let calls = 0;
		server.hub.onMessage('notification:read', () => {
			calls++;
			throw Object.assign(new Error('id: id is required'), { status: 400 });
		});
		const message = { type: 'notification:read', id: 'm-2', data: {} };
		client.send(message);
		expect(await client.next()).toEqual({
			type: 'error',
			data: { code: 'bad_payload', message: 'id: id is required', id: 'm-2' }
		});
		client.send(message);
		expect((await client.next()).type).toBe('error');
		expect(calls).toBe(2);
	});

	it('answers a ping with a pong', async () => {
		client.send({ type: 'ping' });
		expect(await client.next()).toEqual({ type: 'pong' });
	});

	it('answers each bad frame kind with an error, keeps the connection, logs once per kind', async () => {
		const bad: [unknown, string][] = [
			['{"type":', 'bad_json'],
			[{ type: 'no:such-type', id: 'x-1', data: 1 }, 'unknown_type'],
			[{ type: 'resume', data: { lastSeq: -1 } }, 'bad_payload'],
			[[1, 2], 'bad_payload'],
			[{ notype: true }, 'bad_payload']
		];
		server.hub.onMessage('known', () => undefined);
		bad.push([{ type: 'known', data: 1 }, 'bad_payload']); // no id
		for (const [frame, code] of [...bad, ...bad]) {
			client.send(frame);
			const reply = await client.next();
			expect(reply.type).toBe('error');
			expect((reply.data as { code: string }).code).toBe(code);
		}
		client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
		expect(await client.next()).toMatchObject({ type: 'error', data: { code: 'binary' } });

		client.send({ type: 'ping' });
		expect(await client.next()).toEqual({ type: 'pong' });
		expect(server.hub.stats().dropped).toEqual({
			bad_json: 2,
			unknown_type: 2,
			bad_payload: 8,
			binary: 1
		});
		expect(server.logger.lines.map((line) => line.split(':')[0])).toEqual([
			'[realtime] bad_json',
			'[realtime] unknown_type',
			'[realtime] bad_payload',
			'[realtime] binary'
		]);
	});

	it('closes a socket that sends an oversize frame with 1009; the hub keeps serving', async () => {
		client.send({ type: 'ping', pad: 'x'.repeat(2048) });
		expect((await client.waitClosed()).code).toBe(1009);
		const { client: next } = await connectReady(server.url, {
			token: await server.makeToken(userId)
		});
		next.send({ type: 'ping' });
		expect(await next.next()).toEqual({ type: 'pong' });
		next.close();
	});

	it('answers a flood with rate_limited once, then closes with 4429', async () => {
		const allowed = BURST - 1; // the resume sent on connect took one
		for (let i = 0; i < allowed; i++) client.send({ type: 'ping' });
		expect(await client.take(allowed)).toEqual(Array(allowed).fill({ type: 'pong' }));
		for (let i = 0; i < 10; i++) client.send({ type: 'ping' });
		expect(await client.next()).toEqual({
			type: 'error',
			data: { code: 'rate_limited', message: 'too many messages: slow down' }
		});
		expect((await client.waitClosed()).code).toBe(4429);
		expect(client.pending).toEqual([]);
	});
});
