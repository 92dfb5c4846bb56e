import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	ENGINES,
	startRealtimeTestServer,
	type RealtimeTestServer
} from '../support/server-harness';
import { connectReady, type TestClient } from '../support/server-client';

describe.each(ENGINES)('who receives an event (%s)', (engine) => {
	let server: RealtimeTestServer;
	let alex: number;
	let sam: number;
	let alexTab1: TestClient;
	let alexTab2: TestClient;
	let samTab: TestClient;

	beforeAll(async () => {
		server = await startRealtimeTestServer({ engine });
		alex = await server.createUser('alex');
		sam = await server.createUser('sam');
		({ client: alexTab1 } = await connectReady(server.url, {
			token: await server.makeToken(alex)
		}));
		({ client: alexTab2 } = await connectReady(server.url, {
			token: await server.makeToken(alex)
		}));
		({ client: samTab } = await connectReady(server.url, { token: await server.makeToken(sam) }));
	});
	afterAll(async () => {
		for (const client of [alexTab1, alexTab2, samTab]) client.close();
		await server.close();
	});

	it("sends each of a user's events to every one of their sockets", async () => {
		const events = [];
		for (const n of [1, 2, 3]) events.push(await server.emit(alex, 'notification:new', { n }));
		for (const tab of [alexTab1, alexTab2]) expect(await tab.take(3)).toEqual(events);
	});

	it("never sends a user another user's events", async () => {
		// Per-socket order is the send order, so had Sam's socket been sent Alex's events,
		// they would arrive before Sam's own.
		for (let i = 0; i < 20; i++) await server.emit(alex, 'notification:new', { secret: i });
		const own = await server.emit(sam, 'notification:new', { mine: true });
		expect(await samTab.next()).toEqual(own);
		expect(own.seq).toBe(1); // seqs are per user
		const alexFrames = await alexTab1.take(20);
		expect(
			alexFrames.every((frame) => (frame.data as { secret?: number }).secret !== undefined)
		).toBe(true);
		expect(await alexTab2.take(20)).toEqual(alexFrames);
	});

	it("drops only that user's sockets with 1001", async () => {
		await server.store.dropUser(alex);
		expect((await alexTab1.waitClosed()).code).toBe(1001);
		expect((await alexTab2.waitClosed()).code).toBe(1001);
		samTab.send({ type: 'ping' });
		expect(await samTab.next()).toEqual({ type: 'pong' });
		expect(server.hub.stats()).toMatchObject({ sockets: 1, users: 1 });
	});

	it('restart closes every socket with 1001', async () => {
		await server.store.restartSockets();
		expect((await samTab.waitClosed()).code).toBe(1001);
	});
});
