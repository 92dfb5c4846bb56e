/**
 * The built production server (`node build/server.js`, made by `npm run build`, which `npm test`
 * runs first): one port for pages and /ws, the sign-in wall, and a clean SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { postAction, userWithSession } from '../support/chaos-auth';
import { TestClient } from '../support/server-client';

const SERVER = resolve('build/server.js');
const SECRET = 'test-secret-that-is-long-enough-to-be-accepted';
const START_TIMEOUT = 15_000;

/** Resolves with the origin the server printed once it listens. */
function listeningOrigin(child: ChildProcess): Promise<string> {
	return new Promise((resolvePromise, reject) => {
		let output = '';
		const timer = setTimeout(
			() => reject(new Error(`server did not start:\n${output}`)),
			START_TIMEOUT
		);
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			const match = /Listening on (http:\/\/[\d.]+:\d+)/.exec(output);
			if (match) {
				clearTimeout(timer);
				resolvePromise(match[1]);
			}
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', onData);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`server exited with ${code} before listening:\n${output}`));
		});
	});
}

describe('production server (build/server.js)', () => {
	let dir: string;
	let child: ChildProcess;
	let origin: string;
	let token: string;

	beforeAll(async () => {
		if (!existsSync(SERVER)) {
			throw new Error(`${SERVER} is missing: run \`npm run build\` first (npm test does)`);
		}
		dir = mkdtempSync(join(tmpdir(), 'cc-prod-'));
		const dbPath = join(dir, 'app.db');
		vi.stubEnv('SESSION_SECRET', SECRET);
		({ token } = await userWithSession({ engine: 'sqlite', path: dbPath }, 'prod@test.invalid'));
		vi.unstubAllEnvs();
		child = spawn(process.execPath, [SERVER], {
			env: {
				...process.env,
				DATABASE_PATH: dbPath,
				PORT: '0',
				HOST: '127.0.0.1',
				SESSION_SECRET: SECRET
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		origin = await listeningOrigin(child);
	});

	afterAll(() => {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		rmSync(dir, { recursive: true, force: true });
	});

	it('is a thin entry: no app module of its own, only the build’s handler and hooks module', () => {
		const entry = readFileSync(SERVER, 'utf8');
		const imports = [...entry.matchAll(/(?:from|import\()\s*"([^"]+)"/g)].map((match) => match[1]);
		expect(imports).toEqual([
			'node:http',
			'./handler.js',
			expect.stringMatching(/^\.\/server\/chunks\/entries\/hooks\.server\.js-[\w-]+\.js$/)
		]);
		expect(entry).not.toMatch(/globalThis|Symbol\.for/);
	});

	it('sends a signed-out visitor to /login with security headers', async () => {
		const response = await fetch(`${origin}/jobs?x=1`, { redirect: 'manual' });
		expect(response.status).toBe(303);
		expect(response.headers.get('location')).toBe('/login?redirectTo=%2Fjobs%3Fx%3D1');
		expect(response.headers.get('x-content-type-options')).toBe('nosniff');
		expect(response.headers.get('x-frame-options')).toBe('DENY');
		// Plain http here, so no HSTS (the server tells adapter-node the real protocol).
		expect(response.headers.get('strict-transport-security')).toBeNull();
	});

	it('answers 401 (not a redirect) to a signed-out API call', async () => {
		const response = await fetch(`${origin}/api/applications/1/status`, { method: 'POST' });
		expect(response.status).toBe(401);
	});

	it('answers an upgrade on any other path with 404', async () => {
		const client = new TestClient(`${origin.replace('http', 'ws')}/other`, { token, origin });
		await expect(client.opened).rejects.toThrow(/404/);
	});

	it("serves /ws on the same port with the app's hub, closes it with 1001 on SIGTERM, exits 0", async () => {
		const client = new TestClient(`${origin.replace('http', 'ws')}/ws`, { token, origin });
		expect((await client.next('welcome')).data).toEqual({ heartbeatInterval: 30_000, lastSeq: 0 });
		client.send({ type: 'resume', data: { lastSeq: 0 } });

		// An event caused by a form action (the SvelteKit app's store) reaches the socket served by
		// the server entry: one app, one store, one hub per process.
		const action = await postAction(
			origin,
			'/simulate?/notification',
			{ category: 'system' },
			{ cookie: `session=${token}` }
		);
		expect(action.status).toBe(200);
		expect(await client.next('notification:new')).toMatchObject({
			seq: 1,
			data: { category: 'system' }
		});

		const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
		child.kill('SIGTERM');
		expect((await client.waitClosed()).code).toBe(1001);
		expect(await exited).toBe(0);
	});
});
