/**
 * The realtime Vite plugin: `vite dev` and `vite preview` serve /ws from their own HTTP server
 * (same origin and port as the app), and Vite's HMR socket keeps working next to it.
 * Preview serves the build: `npm run build` first (npm test does).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, preview, type PreviewServer, type ViteDevServer } from 'vite';
import WebSocket from 'ws';
import { postAction, userWithSession } from '../support/chaos-auth';
import { TestClient } from '../support/server-client';

let dir: string;
let token: string;

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'cc-vite-'));
	const dbPath = join(dir, 'app.db');
	vi.stubEnv('DATABASE_PATH', dbPath);
	vi.stubEnv('DATABASE_URL', '');
	vi.stubEnv('SESSION_SECRET', '');
	({ token } = await userWithSession({ engine: 'sqlite', path: dbPath }, 'vite@test.invalid'));
});

afterAll(() => {
	vi.unstubAllEnvs();
	rmSync(dir, { recursive: true, force: true });
});

function originOf(server: { httpServer: unknown }): string {
	const { port } = (server.httpServer as { address(): AddressInfo }).address();
	return `http://127.0.0.1:${port}`;
}

async function expectWelcome(origin: string): Promise<void> {
	const client = new TestClient(`${origin.replace('http', 'ws')}/ws`, { token, origin });
	expect((await client.next('welcome')).type).toBe('welcome');
	client.close();
}

/**
 * An event caused by a form action (the app's store, in SvelteKit's module graph) reaches the
 * socket the plugin serves: both use the one app instance of the process.
 */
async function expectLiveEvent(origin: string): Promise<void> {
	const client = new TestClient(`${origin.replace('http', 'ws')}/ws`, { token, origin });
	const welcome = await client.next('welcome');
	const lastSeq = (welcome.data as { lastSeq: number }).lastSeq;
	client.send({ type: 'resume', data: { lastSeq } });
	client.send({ type: 'ping' });
	await client.next('pong');
	const action = await postAction(
		origin,
		'/simulate?/notification',
		{ category: 'system' },
		{ cookie: `session=${token}` }
	);
	expect(action.status).toBe(200);
	expect(await client.next('notification:new', 15_000)).toMatchObject({ seq: lastSeq + 1 });
	client.close();
}

describe('vite dev', () => {
	let server: ViteDevServer;

	beforeAll(async () => {
		server = await createServer({
			logLevel: 'silent',
			server: { host: '127.0.0.1', port: 0, strictPort: false }
		});
		await server.listen();
	});
	afterAll(async () => {
		await server.close(); // the plugin closes the app (hub and database) with it
	});

	it('serves /ws on the dev server with the session cookie', async () => {
		await expectWelcome(originOf(server));
	});

	it("delivers the app's events to the sockets it serves (one app per process)", async () => {
		await expectLiveEvent(originOf(server));
	});

	it('leaves the HMR socket working', async () => {
		const hmr = new WebSocket(originOf(server).replace('http', 'ws') + '/', 'vite-hmr');
		const first = await new Promise<string>((done, fail) => {
			hmr.once('message', (data) => done(data.toString()));
			hmr.once('error', fail);
		});
		expect(JSON.parse(first)).toMatchObject({ type: 'connected' });
		hmr.terminate();
	});
});

describe('vite preview', () => {
	let server: PreviewServer;

	beforeAll(async () => {
		const built = resolve('.svelte-kit/output/server/index.js');
		if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`);
		server = await preview({ logLevel: 'silent', preview: { host: '127.0.0.1', port: 0 } });
	});
	afterAll(async () => {
		await server.close(); // the plugin closes the app (hub and database) with it
	});

	it('serves /ws on the preview server', async () => {
		await expectWelcome(originOf(server));
	});

	it("delivers the app's events to the sockets it serves (one app per process)", async () => {
		await expectLiveEvent(originOf(server));
	});
});
