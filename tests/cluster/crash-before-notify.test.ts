/**
 * The gap between a commit and its notification, on two nodes of the built server sharing one
 * PostgreSQL database: node A is killed (the test-only fault hook: NODE_ENV=test,
 * CC_TEST_CRASH_AFTER_COMMIT=1, SIGKILL right after the commit) before it tells anyone of the
 * event it committed. A socket of the same user on node B still gets that event, once, on the
 * socket it already has: through B's sweep, or, with the sweep out of the way, when a node starts
 * and announces itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { login, postAction } from '../support/chaos-auth';
import { ServerProcess } from '../support/chaos-server';
import { testDatabase, type TestDatabase } from '../support/postgres-vitest';
import { connectReady, TestClient } from '../support/server-client';

const running: ServerProcess[] = [];
const clients: TestClient[] = [];
let database: TestDatabase | undefined;

afterEach(async () => {
	for (const client of clients.splice(0)) client.close();
	for (const server of running.splice(0)) await server.stop();
	await database?.drop();
	database = undefined;
});

async function start(env: Record<string, string>): Promise<ServerProcess> {
	const server = await ServerProcess.start({ env });
	running.push(server);
	return server;
}

/** Node B (sweeping every `sweepMs`) and node A, which dies after its first commit of an event. */
async function twoNodes(sweepMs: number) {
	database = await testDatabase();
	const shared = { SESSION_SECRET: 'x'.repeat(40), DATABASE_URL: database.url };
	const b = await start({ ...shared, REALTIME_SWEEP_MS: String(sweepMs) });
	const a = await start({ ...shared, NODE_ENV: 'test', CC_TEST_CRASH_AFTER_COMMIT: '1' });
	const { token, cookie } = await login(b.origin, 'alex@example.com');
	const { client: onB, welcomeSeq: lastSeq } = await connectReady(
		b.origin.replace('http', 'ws') + '/ws',
		{ token: token!, origin: b.origin }
	);
	clients.push(onB);
	onB.send({ type: 'ping' });
	await onB.next('pong');

	// A commits the action's event, then dies before notifying any node.
	await expect(
		postAction(a.origin, '/simulate?/notification', { category: 'social' }, { cookie: cookie! })
	).rejects.toThrow();
	await expect.poll(() => a.exits.at(-1)).toEqual({ code: null, signal: 'SIGKILL' });
	return { b, onB, lastSeq, cookie: cookie!, shared };
}

/** The committed event arrives on B's socket once: the next event B sends is the one after it. */
async function expectDeliveredOnce(
	onB: TestClient,
	b: ServerProcess,
	cookie: string,
	lastSeq: number
) {
	expect(await onB.next(undefined, 10_000)).toMatchObject({
		type: 'notification:new',
		seq: lastSeq + 1,
		data: { category: 'social', title: 'Jordan endorsed you for TypeScript' }
	});
	await postAction(b.origin, '/simulate?/notification', { category: 'system' }, { cookie });
	expect(await onB.next(undefined, 10_000)).toMatchObject({
		type: 'notification:new',
		seq: lastSeq + 2
	});
	expect(onB.ws.readyState).toBe(onB.ws.OPEN);
}

describe('a node killed between its commit and its notification (postgres)', () => {
	it("another node's sweep delivers the event to the user's open socket, once", async () => {
		const { b, onB, lastSeq, cookie } = await twoNodes(500);
		await expectDeliveredOnce(onB, b, cookie, lastSeq);
	}, 60_000);

	it('a node that starts makes every node catch its users up from the log', async () => {
		// B's sweep would come only after the test's time: the announcement must do it.
		const { b, onB, lastSeq, cookie, shared } = await twoNodes(600_000);
		onB.send({ type: 'ping' });
		await onB.next('pong');
		expect(onB.pending.filter((frame) => frame.seq !== undefined)).toEqual([]);
		await start(shared);
		await expectDeliveredOnce(onB, b, cookie, lastSeq);
	}, 60_000);
});
