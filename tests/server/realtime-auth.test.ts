import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import {
	ENGINES,
	startRealtimeTestServer,
	type RealtimeTestServer
} from '../support/server-harness';
import { TestClient } from '../support/server-client';

describe.each(ENGINES)('socket admission (%s)', (engine) => {
	let server: RealtimeTestServer;
	let userId: number;

	beforeAll(async () => {
		server = await startRealtimeTestServer({ engine });
		userId = await server.createUser('alex');
	});
	afterAll(() => server.close());

	async function closeCodeOf(client: TestClient): Promise<number> {
		await client.opened; // accepted first, so the client can tell auth from network failure
		return (await client.waitClosed()).code;
	}

	it('closes a socket without a session with 4401', async () => {
		expect(await closeCodeOf(new TestClient(server.url))).toBe(4401);
	});

	it('closes a socket whose token has a bad signature with 4401', async () => {
		const token = await server.makeToken(userId);
		const forged = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
		expect(await closeCodeOf(new TestClient(server.url, { token: forged }))).toBe(4401);
	});

	it('closes a socket whose session has expired with 4401', async () => {
		const token = await server.makeToken(userId, -1_000);
		expect(await closeCodeOf(new TestClient(server.url, { token }))).toBe(4401);
	});

	it('closes a socket whose session was ended (logout) with 4401', async () => {
		const token = await server.makeToken(userId);
		await server.db.deleteFrom('sessions').where('id', '=', token.split('.')[0]).execute();
		expect(await closeCodeOf(new TestClient(server.url, { token }))).toBe(4401);
	});

	it('closes the open sockets of a session that signs out with 4401, and only those', async () => {
		const sam = await server.createUser('sam');
		const signedOut = await server.makeToken(sam);
		const otherDevice = await server.makeToken(sam);
		const tab = new TestClient(server.url, { token: signedOut, origin: server.origin });
		const phone = new TestClient(server.url, { token: otherDevice, origin: server.origin });
		await tab.next();
		await phone.next();
		await server.store.endSession(signedOut.split('.')[0]);
		expect((await tab.waitClosed()).code).toBe(4401);
		await server.emit(sam, 'notification:new', {
			id: 'n-after-sign-out',
			category: 'system',
			title: 'Still here',
			description: 'for the other device',
			timestamp: new Date().toISOString()
		});
		phone.send({ type: 'resume', data: { lastSeq: 0 } });
		expect(await phone.next()).toMatchObject({ type: 'notification:new', seq: 1 });
		phone.close();
	});

	it('closes a socket from a foreign Origin with 1008, even with a valid session', async () => {
		const token = await server.makeToken(userId);
		const client = new TestClient(server.url, { token, origin: 'https://evil.example' });
		expect(await closeCodeOf(client)).toBe(1008);
	});

	it('welcomes a same-origin socket with the session cookie', async () => {
		const client = new TestClient(server.url, {
			token: await server.makeToken(userId),
			origin: server.origin
		});
		expect(await client.next()).toEqual({
			type: 'welcome',
			data: { heartbeatInterval: 30_000, lastSeq: 0 }
		});
		client.close();
	});

	it('welcomes a non-browser client with the same token as a Bearer header', async () => {
		const client = new TestClient(server.url, {
			token: await server.makeToken(userId),
			via: 'bearer'
		});
		expect((await client.next()).type).toBe('welcome');
		client.close();
	});

	it('counts refused sockets by kind and logs the first of each', () => {
		expect(server.hub.stats().dropped).toEqual({ unauthorized: 4, foreign_origin: 1 });
		expect(server.logger.lines).toEqual([
			'[realtime] unauthorized: socket closed with 4401 (unauthorized) (further ones are only counted)',
			'[realtime] foreign_origin: socket closed with 1008 (origin not allowed) (further ones are only counted)'
		]);
	});

	it('leaves upgrades on other paths to their owner (e.g. Vite HMR)', async () => {
		const other = new WebSocketServer({ noServer: true });
		server.http.on('upgrade', (req, socket, head) => {
			if (req.url === '/hmr')
				other.handleUpgrade(req, socket, head, (ws) => ws.send('{"type":"hmr"}'));
		});
		const client = new TestClient(server.url.replace('/ws', '/hmr'), {
			token: await server.makeToken(userId)
		});
		expect(await client.next()).toEqual({ type: 'hmr' });
		client.close();
		other.close();
	});
});
