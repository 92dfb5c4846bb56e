/**
 * The outbox across a crash, on the built server and both engines: with the test-only fault hook
 * (NODE_ENV=test, CC_TEST_CRASH_AFTER_COMMIT=1) the server kills itself with SIGKILL right after
 * a commit that appended an event and before any socket is told of it. After a restart, the
 * client's resume delivers that event: it was committed with its change, so it was never lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { login, postAction } from '../support/chaos-auth';
import { ServerProcess } from '../support/chaos-server';
import { testDatabase, type TestDatabase } from '../support/postgres-vitest';
import { ENGINES } from '../support/server-harness';
import { connectReady, TestClient } from '../support/server-client';

const running: ServerProcess[] = [];
let database: TestDatabase | undefined;

afterEach(async () => {
	for (const server of running.splice(0)) await server.stop();
	await database?.drop();
	database = undefined;
});

describe.each(ENGINES)('crash after commit, before delivery (%s)', (engine) => {
	it('delivers the committed event after the restart and resume', async () => {
		const env: Record<string, string> = { SESSION_SECRET: 'x'.repeat(40) };
		if (engine === 'postgres') {
			database = await testDatabase();
			env.DATABASE_URL = database.url;
		}
		const crashing = await ServerProcess.start({
			env: { ...env, NODE_ENV: 'test', CC_TEST_CRASH_AFTER_COMMIT: '1' }
		});
		running.push(crashing);
		const { token, cookie } = await login(crashing.origin, 'alex@example.com');
		const socketUrl = crashing.origin.replace('http', 'ws') + '/ws';
		const { client: before, welcomeSeq: lastSeq } = await connectReady(socketUrl, {
			token: token!,
			origin: crashing.origin
		});
		before.send({ type: 'ping' });
		await before.next('pong');

		// The action's transaction commits, then the process dies before telling the socket.
		await expect(
			postAction(crashing.origin, '/simulate?/notification', { category: 'social' }, { cookie })
		).rejects.toThrow();
		await before.waitClosed(10_000);
		expect(before.pending.filter((frame) => frame.seq !== undefined)).toEqual([]);
		await expect.poll(() => crashing.exits.at(-1)).toEqual({ code: null, signal: 'SIGKILL' });

		const restarted = await ServerProcess.start({
			env,
			databasePath: crashing.databasePath,
			port: crashing.port
		});
		running.push(restarted);
		const after = new TestClient(socketUrl, { token: token!, origin: restarted.origin });
		expect((await after.next('welcome')).data).toMatchObject({ lastSeq: lastSeq + 1 });
		after.send({ type: 'resume', data: { lastSeq } });
		expect(await after.next()).toMatchObject({
			type: 'notification:new',
			seq: lastSeq + 1,
			data: { category: 'social', title: 'Jordan endorsed you for TypeScript' }
		});
		after.close();
	});
});
