/**
 * The package as its users install it: `npm pack` of machines/ (its `prepack` builds dist/ with
 * tsdown), the tarball installed into a fresh temporary folder next to `ws`, `zod` and the
 * `xstate` peer, and then
 *   (a) a Node ESM script against a real `ws` server on 127.0.0.1: a typed event arrives and a
 *       message is sent and acked;
 *   (b) a TypeScript file type-checks with `moduleResolution` "bundler" and "node16" (and a
 *       wrong payload type or event name does not);
 *   (c) Vite builds a browser entry from it;
 * and publint and @arethetypeswrong/cli find no problem in the tarball.
 *
 * Offline by design: ws, zod and xstate are `npm pack`ed from this project's own node_modules
 * and installed from those tarballs (`--offline`), and TypeScript and Vite are the project's own
 * installs run on the temporary folder, so the test reaches no registry.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { publint } from 'publint';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE_DIR = join(ROOT, 'machines');
const bin = (name: string, path: string) => ({ name, path: join(ROOT, 'node_modules', path) });
const TSC = bin('tsc', 'typescript/bin/tsc');
const VITE = bin('vite', 'vite/bin/vite.js');
const ATTW = bin('attw', '@arethetypeswrong/cli/dist/index.js');

let folder: string;
let tarball: string;

/** Run a JavaScript file of a tool with Node in `cwd`; the output, or an error with it. */
async function node(cwd: string, args: string[], env: Record<string, string> = {}) {
	try {
		return await run(process.execPath, args, {
			cwd,
			env: { ...process.env, ...env },
			timeout: 200_000,
			maxBuffer: 16 * 1024 * 1024
		});
	} catch (error) {
		const { stdout, stderr } = error as { stdout?: string; stderr?: string };
		throw new Error(`${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`, {
			cause: error
		});
	}
}

async function npm(cwd: string, args: string[]) {
	const { stdout } = await run('npm', args, { cwd, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
	return stdout;
}

/** `npm pack` a folder into the temporary folder; the tarball's file name. */
async function pack(dir: string, ignoreScripts: boolean): Promise<string> {
	const args = ['pack', dir, '--pack-destination', folder, '--silent'];
	if (ignoreScripts) args.push('--ignore-scripts');
	return (await npm(folder, args)).trim().split('\n').at(-1)!;
}

const write = (name: string, text: string) => writeFileSync(join(folder, name), text);

beforeAll(async () => {
	folder = mkdtempSync(join(tmpdir(), 'statechart-websocket-consumer-'));
	write('package.json', JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
	tarball = await pack(PACKAGE_DIR, false);
	const peers = await Promise.all(
		['ws', 'zod', 'xstate'].map((name) => pack(join(ROOT, 'node_modules', name), true))
	);
	await npm(folder, [
		'install',
		'--offline',
		'--no-audit',
		'--no-fund',
		'--ignore-scripts',
		...[tarball, ...peers].map((file) => `./${file}`)
	]);
}, 240_000);

afterAll(() => {
	if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('statechart-websocket, installed from its tarball', () => {
	it('ships dist/ with ESM and types, its README and its license, and no tests', () => {
		const installed = join(folder, 'node_modules', 'statechart-websocket');
		const files = [
			'dist/index.js',
			'dist/index.d.ts',
			'dist/share-tabs.js',
			'dist/share-tabs.d.ts'
		];
		for (const file of [...files, 'README.md', 'LICENSE']) {
			expect(existsSync(join(installed, file)), file).toBe(true);
		}
		expect(readdirSync(installed).some((file) => file.includes('test'))).toBe(false);
		const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
		expect(manifest).toMatchObject({
			name: 'statechart-websocket',
			type: 'module',
			sideEffects: false,
			peerDependencies: { xstate: expect.stringMatching(/^\^5/) }
		});
		expect(manifest.dependencies ?? {}).toEqual({});
	});

	it('(a) runs in a Node ESM script against a real server: a typed event in, an acked message out', async () => {
		const received: unknown[] = [];
		const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
		wss.on('connection', (socket) => {
			socket.on('message', (raw) => {
				const frame = JSON.parse(String(raw));
				received.push(frame);
				if (frame.type === 'resume') {
					socket.send(
						JSON.stringify({ type: 'welcome', data: { heartbeatInterval: 30000, lastSeq: 0 } })
					);
					socket.send(
						JSON.stringify({
							type: 'chat:message',
							id: 'e1',
							seq: 1,
							ts: Date.now(),
							data: { text: 'hello' }
						})
					);
				} else if (typeof frame.id === 'string') {
					socket.send(JSON.stringify({ type: 'ack', data: { id: frame.id } }));
				}
			});
		});
		await new Promise((resolve) => wss.once('listening', resolve));
		write(
			'client.mjs',
			`import WebSocket from 'ws';
import { z } from 'zod';
import { createRealtimeClient } from 'statechart-websocket';
import { shareTabs } from 'statechart-websocket/tabs';

// Node has no Web Locks: a client asked to share its tab's connection stands alone.
const client = createRealtimeClient({
	url: process.env.URL,
	WebSocket,
	events: { 'chat:message': z.object({ text: z.string() }) },
	tabSharing: shareTabs({ key: 'session-1' })
});
const timer = setTimeout(() => { console.log(JSON.stringify({ error: 'timed out' })); process.exit(1); }, 10000);
client.subscribe('chat:message', (data, frame) => {
	const sent = client.send('chat:reply', { text: data.text.toUpperCase() });
	const check = setInterval(() => {
		// The ack takes the message out of the outbox.
		if (client.getStatusDetail().queueLength > 0) return;
		clearInterval(check);
		clearTimeout(timer);
		const role = client.getRole();
		console.log(JSON.stringify({ data, seq: frame.seq, sent, status: client.getStatus(), role }));
		client.stop();
	}, 5);
});
`
		);
		try {
			const { port } = wss.address() as AddressInfo;
			const { stdout } = await node(folder, ['client.mjs'], { URL: `ws://127.0.0.1:${port}/ws` });
			const result = JSON.parse(stdout.trim());
			expect(result).toMatchObject({
				data: { text: 'hello' },
				seq: 1,
				sent: { outcome: 'sent' },
				status: 'connected',
				role: 'standalone'
			});
			expect(received).toEqual([
				{ type: 'resume', data: { lastSeq: 0 } },
				{ type: 'chat:reply', id: result.sent.id, data: { text: 'HELLO' } }
			]);
		} finally {
			for (const client of wss.clients) client.terminate();
			await new Promise((resolve) => wss.close(resolve));
		}
	}, 60_000);

	it('(b) type-checks with moduleResolution bundler and node16, typed from zod schemas', async () => {
		write(
			'typed.ts',
			`import { z } from 'zod';
import { createRealtimeClient, type RealtimeClient, type StatusDetail } from 'statechart-websocket';
import { shareTabs, type LeaderState } from 'statechart-websocket/tabs';

const client = createRealtimeClient({
	url: 'ws://127.0.0.1:1/ws',
	autoConnect: false,
	events: { 'chat:message': z.object({ text: z.string(), at: z.number() }) }
});
client.subscribe('chat:message', (data, frame) => {
	const text: string = data.text;
	const at: number = data.at + frame.seq + frame.ts;
	void [text, at];
});
// @ts-expect-error: no such event was declared
client.subscribe('chat:typing', () => {});
// @ts-expect-error: text is a string
client.subscribe('chat:message', (data: { text: number }) => data.text);
const typed: RealtimeClient<{ 'chat:message': { text: string; at: number } }> = client;
const detail: StatusDetail = typed.getStatusDetail();
void detail.attempt;
const shared = createRealtimeClient({ url: '/ws', tabSharing: shareTabs({ key: 'session-1' }) });
const leader: LeaderState['status'] = shared.getStatus();
void leader;
// @ts-expect-error: sharing comes from statechart-websocket/tabs
createRealtimeClient({ url: '/ws', tabSharing: { key: 'session-1' } });
`
		);
		const base = { strict: true, noEmit: true, target: 'es2022', types: [] };
		// The package's own .d.ts is checked through once (skipLibCheck off, which also checks zod's
		// and xstate's: the slow part); the second resolution only needs to find and use it.
		const configs = {
			'tsconfig.bundler.json': {
				...base,
				module: 'esnext',
				moduleResolution: 'bundler',
				skipLibCheck: false
			},
			'tsconfig.node16.json': {
				...base,
				module: 'node16',
				moduleResolution: 'node16',
				skipLibCheck: true
			}
		};
		for (const [name, compilerOptions] of Object.entries(configs)) {
			write(
				name,
				JSON.stringify({
					compilerOptions: { ...compilerOptions, lib: ['es2022', 'dom'] },
					files: ['typed.ts']
				})
			);
			await node(folder, [TSC.path, '-p', name]);
		}
	}, 240_000);

	it('(c) builds a browser entry with Vite', async () => {
		write('index.html', '<!doctype html><script type="module" src="/main.js"></script>');
		write(
			'main.js',
			`import { z } from 'zod';
import { createRealtimeClient } from 'statechart-websocket';
import { shareTabs } from 'statechart-websocket/tabs';

const client = createRealtimeClient({
	url: '/ws',
	events: { 'chat:message': z.object({ text: z.string() }) },
	tabSharing: shareTabs()
});
client.subscribe('chat:message', (data) => document.body.append(data.text));
client.onStatusChange((status) => (document.title = status));
`
		);
		await node(folder, [VITE.path, 'build', '--logLevel', 'error', '--outDir', 'web']);
		const assets = readdirSync(join(folder, 'web', 'assets'));
		const script = assets.find((file) => file.endsWith('.js'));
		expect(script).toBeDefined();
		const code = readFileSync(join(folder, 'web', 'assets', script!), 'utf8');
		// The chart, xstate and zod are in the bundle; Node's ws is not.
		expect(code).toContain('connection');
		expect(code).toContain('statechart-websocket:'); // the tab group's name, from the subpath
		expect(code).toContain('chat:message');
		expect(code).not.toMatch(/from\s*["']ws["']/);
	}, 240_000);

	it('publint finds no problem in the tarball', async () => {
		// What npm extracted from the tarball, linted as it is.
		const { messages } = await publint({
			pkgDir: join(folder, 'node_modules', 'statechart-websocket'),
			pack: false,
			level: 'suggestion',
			strict: true
		});
		expect(messages).toEqual([]);
	});

	it('@arethetypeswrong/cli finds no problem for ESM consumers (node16 and bundlers)', async () => {
		// Exits non-zero on any problem of the profile's resolutions (node16 from ESM, bundler);
		// CommonJS `require` of this ESM-only package is out of the profile by design.
		const { stdout } = await node(folder, [ATTW.path, tarball, '--profile', 'esm-only']);
		expect(stdout).toContain('node16 (from ESM)');
	}, 240_000);
});
