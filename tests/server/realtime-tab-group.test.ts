/**
 * One socket per tab group: a leader tab adds `tab-group=<id>` to its socket's URL (see
 * machines/tabs.ts), and a newer socket of the same session and group replaces the older one at
 * once, so a leader that crashed before its close reached the server never leaves the browser
 * with two sockets here. Other sessions, other groups and sockets without a group are untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	ENGINES,
	startRealtimeTestServer,
	type RealtimeTestServer
} from '../support/server-harness';
import { connectReady } from '../support/server-client';

describe.each(ENGINES)('tab groups (%s)', (engine) => {
	let server: RealtimeTestServer;
	let alex: number;
	beforeAll(async () => {
		server = await startRealtimeTestServer({ engine });
		alex = await server.createUser('alex');
	});
	afterAll(() => server.close());

	it("replaces the group's older socket of the same session, and only that one", async () => {
		const session = await server.makeToken(alex);
		const other = await server.makeToken(alex);
		const grouped = `${server.url}?tab-group=g1`;
		const { client: oldLeader } = await connectReady(grouped, { token: session });
		const { client: plain } = await connectReady(server.url, { token: session });
		const { client: otherSession } = await connectReady(grouped, { token: other });
		const { client: otherGroup } = await connectReady(`${server.url}?tab-group=g2`, {
			token: session
		});
		expect(server.hub.stats().sockets).toBe(4);

		const { client: newLeader } = await connectReady(grouped, { token: session });
		expect((await oldLeader.waitClosed()).code).toBe(1006);
		// Counted out before the new one was counted in: the hub never held both.
		expect(server.hub.stats()).toMatchObject({ sockets: 4, peakUserSockets: 4 });

		const event = await server.emit(alex, 'notification:new', { n: 1 });
		for (const client of [newLeader, plain, otherSession, otherGroup]) {
			expect(await client.next()).toEqual(event);
		}
		for (const client of [newLeader, plain, otherSession, otherGroup]) client.close();
		await expect.poll(() => server.hub.stats().sockets).toBe(0);
	});
});
