import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
	ENGINES,
	createTestStorage,
	startRealtimeTestServer,
	type RealtimeTestServer,
	type TestStorage
} from '../support/server-harness';
import { TestClient, connectReady, type Frame } from '../support/server-client';

const RETAINED = 100;

describe.each(ENGINES)('event log and resume (%s)', (engine) => {
	let storage: TestStorage;
	let server: RealtimeTestServer;
	let userId: number;
	let token: string;

	beforeEach(async () => {
		storage = await createTestStorage(engine);
		server = await startRealtimeTestServer({ storage, retainedEvents: RETAINED });
		userId = await server.createUser('alex');
		token = await server.makeToken(userId);
	});
	afterEach(async () => {
		await server.close();
		await storage.remove();
	});

	async function emit(count: number): Promise<Frame[]> {
		const frames: Frame[] = [];
		for (let i = 0; i < count; i++) {
			frames.push((await server.emit(userId, 'notification:new', { n: i })) as Frame);
		}
		return frames;
	}

	/** Resume from `lastSeq` and collect frames up to a live marker event sent afterwards. */
	async function resumeAndCollect(client: TestClient, lastSeq: number): Promise<Frame[]> {
		client.send({ type: 'resume', data: { lastSeq } });
		// The marker is sent after the resume is handled (the ack of a ping proves that).
		client.send({ type: 'ping' });
		await client.next('pong');
		const marker = await server.emit(userId, 'marker', {});
		const frames: Frame[] = [];
		for (;;) {
			const frame = await client.next();
			if (frame.id === marker.id) return frames;
			frames.push(frame);
		}
	}

	it('stores events with consecutive seqs before sending', async () => {
		const frames = await emit(3);
		expect(frames.map((f) => f.seq)).toEqual([1, 2, 3]);
		expect(await server.store.latestSeq(server.db, userId)).toBe(3);
	});

	it('replays exactly the 50 missed events, in order, once', async () => {
		const { client: first } = await connectReady(server.url, { token });
		const before = await emit(5);
		const seen = await first.take(5);
		expect(seen.map((f) => f.seq)).toEqual(before.map((f) => f.seq));
		first.close();
		await first.waitClosed();

		const missed = await emit(50);
		const client = new TestClient(server.url, { token });
		expect((await client.next('welcome')).data).toEqual({ heartbeatInterval: 30_000, lastSeq: 55 });
		const replayed = await resumeAndCollect(client, 5);
		expect(replayed).toEqual(missed.map((f) => ({ ...f })));
		expect(replayed.map((f) => f.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 6));
		client.close();
	});

	it('answers resync when lastSeq is older than the retained window', async () => {
		await emit(RETAINED + 20); // seqs 21..120 retained
		const client = new TestClient(server.url, { token });
		await client.next('welcome');
		client.send({ type: 'resume', data: { lastSeq: 19 } });
		expect(await client.next()).toEqual({ type: 'resync', data: { lastSeq: RETAINED + 20 } });
		// The oldest retained event is still replayable from just before it.
		const replayed = await resumeAndCollect(client, 20);
		expect(replayed.map((f) => f.seq)).toEqual(Array.from({ length: RETAINED }, (_, i) => i + 21));
		client.close();
	});

	it('answers resync when the client claims more than the log has', async () => {
		await emit(3);
		const client = new TestClient(server.url, { token });
		await client.next('welcome');
		client.send({ type: 'resume', data: { lastSeq: 10 } });
		expect(await client.next()).toEqual({ type: 'resync', data: { lastSeq: 3 } });
		client.close();
	});

	it('keeps only the retained window in the database', async () => {
		await emit(RETAINED + 5);
		const { count, oldest } = await server.db
			.selectFrom('event_log')
			.select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('seq').as('oldest')])
			.where('user_id', '=', userId)
			.executeTakeFirstOrThrow();
		expect({ count: Number(count), oldest: Number(oldest) }).toEqual({
			count: RETAINED,
			oldest: 6
		});
	});

	it('replays and resyncs the same after a restart on the same database file', async () => {
		const missed = await emit(50);
		await server.close();
		server = await startRealtimeTestServer({ storage, retainedEvents: 30 });
		token = await server.makeToken(userId);

		const client = new TestClient(server.url, { token });
		expect((await client.next('welcome')).data).toMatchObject({ lastSeq: 50 });
		expect(await resumeAndCollect(client, 0)).toEqual(missed); // 50 events survived the restart
		client.close();

		await emit(1); // seq 52 after the marker (51); the new window of 30 now starts at 23
		const late = new TestClient(server.url, { token });
		await late.next('welcome');
		late.send({ type: 'resume', data: { lastSeq: 21 } });
		expect(await late.next()).toEqual({ type: 'resync', data: { lastSeq: 52 } });
		expect((await resumeAndCollect(late, 22)).map((f) => f.seq)).toEqual(
			Array.from({ length: 30 }, (_, i) => i + 23)
		);
		late.close();
	});

	it('does not send live events before the resume, so they cannot overtake the replay', async () => {
		await emit(3);
		const client = new TestClient(server.url, { token });
		await client.next('welcome');
		await emit(2); // while the client has not resumed yet
		client.send({ type: 'resume', data: { lastSeq: 1 } });
		const frames = await client.take(4);
		expect(frames.map((f) => f.seq)).toEqual([2, 3, 4, 5]);
		client.close();
	});
});
