/**
 * The transactional outbox and fan-out across nodes: a change and its events commit together
 * (a rolled-back change sends nothing), seqs are gapless per user under concurrent writers, and
 * on PostgreSQL two nodes (two apps on one database, as two processes would be) deliver each
 * other's events from the log through LISTEN/NOTIFY, close each other's signed-out sockets,
 * apply a resent message once, and catch up after their LISTEN connection drops.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { emitEvent } from '../../src/lib/server/domain/events';
import { createNotification } from '../../src/lib/server/domain/notifications';
import { parseNotification, LISTENER_NAME } from '../../src/lib/server/outbox/pg-listener';
import { eventPayloads, MAX_PAYLOAD_BYTES } from '../../src/lib/server/outbox/pg-notifier';
import {
	ENGINES,
	createTestStorage,
	startRealtimeTestServer,
	type RealtimeTestServer,
	type TestStorage
} from '../support/server-harness';
import { connectReady, TestClient, type Frame } from '../support/server-client';
import { waitFor } from '../support/chaos-wait';

const servers: RealtimeTestServer[] = [];
const clients: TestClient[] = [];
let storage: TestStorage | undefined;

afterEach(async () => {
	for (const client of clients.splice(0)) client.close();
	for (const server of servers.splice(0)) await server.close();
	await storage?.remove();
	storage = undefined;
});

async function node(options: Parameters<typeof startRealtimeTestServer>[0]) {
	const server = await startRealtimeTestServer(options);
	servers.push(server);
	return server;
}

async function ready(server: RealtimeTestServer, token: string, lastSeq?: number) {
	const { client } = await connectReady(server.url, { token, lastSeq });
	clients.push(client);
	// The resume is handled once the pong for a later ping comes back.
	client.send({ type: 'ping' });
	await client.next('pong');
	return client;
}

/** Every frame up to (not including) the event with id `markerId`. */
async function until(client: TestClient, markerId: string): Promise<Frame[]> {
	const frames: Frame[] = [];
	for (;;) {
		const frame = await client.next();
		if (frame.id === markerId) return frames;
		frames.push(frame);
	}
}

describe.each(ENGINES)('outbox (%s)', (engine) => {
	it('a rolled-back change emits nothing: no row, no seq taken, no signal, no frame', async () => {
		const server = await node({ engine });
		const userId = await server.createUser();
		const client = await ready(server, await server.makeToken(userId));
		const signals: unknown[] = [];
		const off = server.store.subscribe((signal) => signals.push(signal));
		await expect(
			server.store.transaction(async (tx) => {
				await tx.db.insertInto('settings').values({ key: 'rolled-back', value: 'x' }).execute();
				await emitEvent(tx, userId, 'notification:new', {
					id: 'never',
					category: 'system',
					title: 'never sent',
					description: '',
					timestamp: new Date().toISOString()
				});
				throw new Error('the change fails after its event was appended');
			})
		).rejects.toThrow(/fails/);
		off();
		expect(signals).toEqual([]);
		expect(await server.store.latestSeq(server.db, userId)).toBe(0);
		const logged = await server.db.selectFrom('event_log').selectAll().execute();
		expect(logged).toEqual([]);
		const setting = await server.db
			.selectFrom('settings')
			.selectAll()
			.where('key', '=', 'rolled-back')
			.execute();
		expect(setting).toEqual([]);

		// The next event takes seq 1 and is the first frame the socket gets.
		const marker = await server.emit(userId, 'marker', {});
		expect(marker.seq).toBe(1);
		expect(await until(client, marker.id)).toEqual([]);
	});

	it('gives one user gapless, strictly increasing seqs under concurrent writers', async () => {
		storage = await createTestStorage(engine);
		// On PostgreSQL two nodes (each with a pool of 4) write at once; on SQLite one process.
		const writers =
			engine === 'postgres'
				? [await node({ storage }), await node({ storage })]
				: [await node({ storage })];
		const userId = await writers[0].createUser();
		const client = await ready(writers[0], await writers[0].makeToken(userId));
		const COUNT = 60;
		const frames = await Promise.all(
			Array.from({ length: COUNT }, (_, i) =>
				writers[i % writers.length].store.transaction(async (tx) => {
					const first = await tx.emit(userId, 'notification:new', { n: i, part: 1 });
					const second = await tx.emit(userId, 'notification:new', { n: i, part: 2 });
					return [first, second];
				})
			)
		);
		const seqs = frames.flat().map((frame) => frame.seq);
		expect([...seqs].sort((a, b) => a - b)).toEqual(
			Array.from({ length: COUNT * 2 }, (_, i) => i + 1)
		);
		// A transaction's two events are adjacent: nothing interleaves inside it.
		for (const [first, second] of frames) expect(second.seq).toBe(first.seq + 1);
		// The socket gets all of them once, in seq order.
		const received = await client.take(COUNT * 2);
		expect(received.map((frame) => frame.seq)).toEqual(
			Array.from({ length: COUNT * 2 }, (_, i) => i + 1)
		);
	});
});

describe('across nodes (postgres)', () => {
	async function twoNodes(
		options: Pick<
			Parameters<typeof startRealtimeTestServer>[0] & object,
			'listenRetryMs' | 'hub'
		> = {}
	) {
		storage = await createTestStorage('postgres');
		const a = await node({ storage, ...options });
		const b = await node({ storage, ...options });
		return { a, b };
	}

	it('an event committed on node A reaches the user on both nodes, once and in order', async () => {
		const { a, b } = await twoNodes();
		const userId = await a.createUser();
		const onA = await ready(a, await a.makeToken(userId));
		const onB = await ready(b, await b.makeToken(userId));
		const sent = [];
		for (let i = 0; i < 20; i++) sent.push(await a.emit(userId, 'notification:new', { n: i }));
		// Node B writes too: both nodes' events interleave in one per-user order.
		for (let i = 0; i < 5; i++) sent.push(await b.emit(userId, 'notification:new', { n: 20 + i }));
		const marker = await a.emit(userId, 'marker', {});
		for (const client of [onA, onB]) {
			expect(await until(client, marker.id)).toEqual(sent);
		}
	});

	it('signing out on node A closes that session’s sockets on node B with 4401', async () => {
		const { a, b } = await twoNodes();
		const userId = await a.createUser();
		const token = await a.makeToken(userId);
		const other = await a.makeToken(userId);
		const signedOut = await ready(b, token);
		const stays = await ready(b, other);
		await a.db.deleteFrom('sessions').where('id', '=', token.split('.')[0]).execute();
		await a.store.endSession(token.split('.')[0]);
		expect((await signedOut.waitClosed()).code).toBe(4401);
		const marker = await a.emit(userId, 'marker', {});
		expect(await until(stays, marker.id)).toEqual([]);
	});

	it('a message applied on node A and resent to node B after a failover is applied once', async () => {
		const { a, b } = await twoNodes();
		const userId = await a.createUser();
		const notification = await createNotification(a.store, userId, {
			category: 'system',
			title: 'read me',
			description: ''
		});
		const first = await ready(a, await a.makeToken(userId), 1);
		const message = { type: 'notification:read', id: 'failover-1', data: { id: notification.id } };
		first.send(message);
		expect(await first.next('ack')).toEqual({ type: 'ack', data: { id: 'failover-1' } });
		first.close();
		const second = await ready(b, await b.makeToken(userId), 1);
		second.send(message);
		expect(await second.next('ack')).toEqual({ type: 'ack', data: { id: 'failover-1' } });
		const recorded = await b.db
			.selectFrom('client_messages')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.where('id', '=', 'failover-1')
			.executeTakeFirstOrThrow();
		expect(Number(recorded.n)).toBe(1);
	});

	it('after its LISTEN connection drops, a node catches its users up from the log, once each', async () => {
		// The sweep is kept out of the way: the catch-up shown here is the reconnect's.
		const { a, b } = await twoNodes({ listenRetryMs: 1_000, hub: { sweepInterval: 600_000 } });
		const userId = await a.createUser();
		const onB = await ready(b, await b.makeToken(userId));
		const before = await a.emit(userId, 'notification:new', { n: 'before' });
		expect(await onB.next()).toEqual(before);

		// Cut every LISTEN connection of the database (both nodes'); they come back after 1 s.
		await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = ${LISTENER_NAME}`.execute(a.db);
		await waitFor(() => !b.app.listener?.listening, 'node B noticed its LISTEN connection drop');
		const whileDown = [];
		for (let i = 0; i < 3; i++) whileDown.push(await a.emit(userId, 'notification:new', { n: i }));
		expect(b.app.listener?.listening, 'committed while node B could not hear').toBe(false);

		await waitFor(() => b.app.listener?.listening, 'node B listening again', 10_000);
		expect(await onB.take(3)).toEqual(whileDown);
		const marker = await a.emit(userId, 'marker', {});
		expect(await until(onB, marker.id)).toEqual([]);
	});
});

describe('NOTIFY payloads', () => {
	it('reads ids only, one signal per user, and ignores anything malformed as a whole', () => {
		expect(parseNotification('cc_events', '12:345')).toEqual([
			{ kind: 'events', userId: 12, seq: 345 }
		]);
		expect(parseNotification('cc_events', '12:345,7:1')).toEqual([
			{ kind: 'events', userId: 12, seq: 345 },
			{ kind: 'events', userId: 7, seq: 1 }
		]);
		for (const bad of ['12:x', '12:345,', ',12:345', '12:345,7', '12:345;7:1', '1:2 ', '']) {
			expect(parseNotification('cc_events', bad), bad).toEqual([]);
		}
		expect(parseNotification('cc_events', `1:${'9'.repeat(16)}`)).toEqual([]);
		expect(parseNotification('cc_signals', '{"kind":"session_ended","sessionId":"s"}')).toEqual([
			{ kind: 'session_ended', sessionId: 's' }
		]);
		expect(parseNotification('cc_signals', '{"kind":"reset","extra":1}')).toEqual([
			{ kind: 'reset' }
		]);
		expect(parseNotification('cc_signals', '{"kind":"drop_user","userId":"7"}')).toEqual([]);
		expect(parseNotification('cc_signals', '{"kind":"events","userId":1,"seq":2}')).toEqual([]);
		expect(parseNotification('cc_signals', 'not json')).toEqual([]);
		expect(parseNotification('other', '1:2')).toEqual([]);
	});

	it('packs the latest seq of every user into payloads under the NOTIFY limit', () => {
		const latest = new Map(Array.from({ length: 3_000 }, (_, i) => [i + 1, 1_000_000 + i]));
		const payloads = eventPayloads(latest);
		expect(payloads.length).toBeGreaterThan(1);
		for (const payload of payloads) {
			expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
		}
		const parsed = payloads.flatMap((payload) => parseNotification('cc_events', payload));
		expect(parsed).toEqual([...latest].map(([userId, seq]) => ({ kind: 'events', userId, seq })));
		expect(eventPayloads(new Map())).toEqual([]);
	});
});
