import { afterEach, describe, expect, it } from 'vitest';
import {
	ENGINES,
	startRealtimeTestServer,
	type RealtimeTestServer
} from '../support/server-harness';
import { TestClient, connectReady } from '../support/server-client';

describe.each(ENGINES)('connection limits and heartbeat (%s)', (engine) => {
	let server: RealtimeTestServer | undefined;
	const clients: TestClient[] = [];

	afterEach(async () => {
		for (const client of clients.splice(0)) client.close();
		await server?.close();
	});

	function open(url: string, token: string): TestClient {
		const client = new TestClient(url, { token });
		clients.push(client);
		return client;
	}

	it('closes sockets over the per-user cap with 4429', async () => {
		server = await startRealtimeTestServer({ engine, hub: { maxSocketsPerUser: 2 } });
		const token = await server.makeToken(await server.createUser());
		const [a, b] = [open(server.url, token), open(server.url, token)];
		await Promise.all([a.next('welcome'), b.next('welcome')]);
		const third = open(server.url, token);
		await third.opened;
		expect((await third.waitClosed()).code).toBe(4429);
		a.close();
		await a.waitClosed();
		// A slot frees when a socket goes (the server sees the close shortly after the client).
		await expect.poll(() => server?.hub.stats().sockets).toBe(1);
		expect((await open(server.url, token).next()).type).toBe('welcome');
	});

	it('closes connections over the per-address rate with 4429', async () => {
		server = await startRealtimeTestServer({
			engine,
			hub: { connectionRate: { burst: 3, perSecond: 0.001 } }
		});
		const token = await server.makeToken(await server.createUser());
		for (let i = 0; i < 3; i++) expect((await open(server.url, token).next()).type).toBe('welcome');
		const refused = open(server.url, token);
		await refused.opened;
		expect((await refused.waitClosed()).code).toBe(4429);
	});

	it('pings every heartbeatInterval and cuts a socket that does not answer', async () => {
		server = await startRealtimeTestServer({ engine, hub: { heartbeatInterval: 50 } });
		const token = await server.makeToken(await server.createUser());
		const silent = new TestClient(server.url, { token, autoPong: false });
		clients.push(silent);
		const { client: healthy } = await connectReady(server.url, { token });
		clients.push(healthy);
		let pings = 0;
		healthy.ws.on('ping', () => pings++);
		expect((await silent.waitClosed()).code).toBe(1006); // terminated, no closing handshake
		// Sockets are pinged in slices of the interval, so the healthy one's pings may all come after
		// the silent one is cut: wait for three, each answered (ws pongs by itself), and it is kept.
		await expect.poll(() => pings, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
		expect(server.hub.stats().sockets).toBe(1);
		expect(server.hub.stats().dropped).toEqual({ heartbeat_timeout: 1 });
		healthy.send({ type: 'ping' });
		expect(await healthy.next('pong')).toEqual({ type: 'pong' });
	});

	it('starts live delivery for a client that never resumes after two heartbeats', async () => {
		server = await startRealtimeTestServer({ engine, hub: { heartbeatInterval: 50 } });
		const userId = await server.createUser();
		const client = open(server.url, await server.makeToken(userId));
		await client.next('welcome');
		const event = await server.emit(userId, 'notification:new', { n: 1 });
		expect(await client.next()).toEqual(event);
	});

	it('closes a socket whose session expires while it is open with 4401', async () => {
		server = await startRealtimeTestServer({ engine, hub: { heartbeatInterval: 50 } });
		const client = open(server.url, await server.makeToken(await server.createUser(), 150));
		await client.next('welcome');
		expect((await client.waitClosed()).code).toBe(4401);
	});

	it('close() closes every socket with 1001 and refuses new upgrades', async () => {
		server = await startRealtimeTestServer({ engine });
		const token = await server.makeToken(await server.createUser());
		const { client } = await connectReady(server.url, { token });
		clients.push(client);
		const closing = server.hub.close();
		expect((await client.waitClosed()).code).toBe(1001);
		await closing;
		await expect(open(server.url, token).opened).rejects.toThrow();
	});
});
