/**
 * The built server behind a real nginx: with ADDRESS_HEADER=X-Forwarded-For XFF_DEPTH=1, 100
 * clients from 100 different addresses opening /ws at once are all admitted (each address has a
 * connection bucket of its own); without ADDRESS_HEADER every client looks like the proxy and the
 * per-address limit refuses some of them. The clients connect from 127.0.0.2 … 127.0.0.101 (all of
 * 127.0.0.0/8 is loopback on Linux), so nginx appends a real, distinct $remote_addr to
 * X-Forwarded-For. And with ORIGIN set, the Origin check accepts the origin the app is served
 * from even when the proxy does not pass the browser's Host on.
 */
import { existsSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../support/chaos-auth';
import { ServerProcess } from '../support/chaos-server';
import { Nginx } from '../support/nginx';
import { freePort } from '../support/processes';
import { TestClient } from '../support/server-client';

const CLIENTS = 100;

/** Welcomed, or closed without a frame (refused); the close code of a refusal. */
function outcome(client: TestClient): Promise<'welcome' | number> {
	return client.next('welcome', 15_000).then(
		() => 'welcome' as const,
		async () => (await client.closed).code
	);
}

describe('behind nginx', () => {
	let nginx: Nginx | undefined;
	let server: ServerProcess | undefined;
	const clients: TestClient[] = [];

	beforeAll(() => {
		if (!existsSync('build/server.js')) throw new Error('build/server.js missing: npm run build');
	});

	afterEach(async () => {
		for (const client of clients.splice(0)) client.close();
		await server?.stop();
		await nginx?.stop();
		server = nginx = undefined;
	});

	/** nginx in front of one node started with `env`; the node's port is chosen first. */
	async function start(env: Record<string, string>, nginxOptions: { passHost?: boolean } = {}) {
		const port = await freePort();
		nginx = await Nginx.start({ upstreams: [port], ...nginxOptions });
		server = await ServerProcess.start({
			port,
			env: { REALTIME_MAX_SOCKETS_PER_USER: String(CLIENTS), ...env }
		});
	}

	async function token(originHeader?: string): Promise<string> {
		const result = await login(nginx!.origin, 'alex@example.com', undefined, { originHeader });
		if (!result.token) throw new Error(`login through nginx failed with ${result.status}`);
		return result.token;
	}

	async function openAll(sessionToken: string): Promise<(number | 'welcome')[]> {
		for (let i = 0; i < CLIENTS; i++) {
			clients.push(
				new TestClient(nginx!.wsUrl, {
					token: sessionToken,
					origin: nginx!.origin,
					localAddress: `127.0.0.${i + 2}`
				})
			);
		}
		return Promise.all(clients.map(outcome));
	}

	it('admits 100 clients from 100 addresses at once with ADDRESS_HEADER=X-Forwarded-For XFF_DEPTH=1', async () => {
		await start({ ADDRESS_HEADER: 'X-Forwarded-For', XFF_DEPTH: '1' });
		const outcomes = await openAll(await token());
		expect(outcomes.filter((result) => result !== 'welcome')).toEqual([]);
	}, 60_000);

	it('refuses some of them with 4429 without ADDRESS_HEADER (they all look like nginx)', async () => {
		await start({});
		const outcomes = await openAll(await token());
		const refused = outcomes.filter((result) => result !== 'welcome');
		expect(refused.length).toBeGreaterThan(0);
		expect(new Set(refused)).toEqual(new Set([4429]));
	}, 60_000);

	it('accepts the ORIGIN the app is served from, and only that, when nginx rewrites Host', async () => {
		const port = await freePort();
		nginx = await Nginx.start({ upstreams: [port], passHost: false });
		server = await ServerProcess.start({ port, env: { ORIGIN: nginx.origin } });
		const sessionToken = await token(nginx.origin);
		const own = new TestClient(nginx.wsUrl, { token: sessionToken, origin: nginx.origin });
		const foreign = new TestClient(nginx.wsUrl, {
			token: sessionToken,
			origin: 'http://evil.example'
		});
		clients.push(own, foreign);
		expect(await outcome(own)).toBe('welcome');
		expect(await outcome(foreign)).toBe(1008);
	}, 60_000);
});
