/**
 * "One socket, never two", as a script (`npx tsx tests/support/one-socket-scenario.ts [runs]
 * [seed]`) so that a test can run it in a child process: seeded random interleavings of connect,
 * disconnect, server closes with various codes, cut connections, offline, online, page-visible,
 * retry-now and server modes, against the real client (real timers, short options) and the real
 * control server.
 *
 * Checked for every interleaving: the server never sees two sockets of the client open at once;
 * the client never creates a socket while another of its sockets is connecting or open; after
 * `stop()` the server sees no socket of the client and the client left no listener on `window`
 * or `document`. At the end it prints a JSON summary and then simply returns: with the server
 * closed, the process only exits by itself if no client left a timer, a socket or a listener.
 */
import fc from 'fast-check';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import { createRealtimeClient } from '../../machines/index';
import { startControlServer, type ControlServer } from './control-server';
import { installFakeBrowser, type FakeBrowser } from './fake-browser';
import { coreEventSchemas } from '../../src/lib/protocol';

/** One thing that happens to the client, the browser or the server. */
export type Action =
	| { kind: 'connect' | 'disconnect' | 'retryNow' | 'offline' | 'online' | 'visible' | 'cut' }
	| { kind: 'close'; code: number }
	| { kind: 'mode'; mode: 'accept' | 'refuse' | 'hang' | 'silent' }
	| { kind: 'pause'; ms: number };

/** Close codes a server sends: normal, going away, policy, internal error, auth, rate limit. */
const CLOSE_CODES = [1000, 1001, 1008, 1011, 4401, 4403, 4429];

/** Short real delays so that backoff, connect timeout and heartbeat fire within a run. */
const CLIENT_OPTIONS = {
	reconnectInterval: 20,
	maxReconnectInterval: 80,
	maxReconnectAttempts: 3,
	timeoutInterval: 200,
	heartbeatInterval: 100,
	heartbeatTimeout: 100
};

const SETTLE_TIMEOUT_MS = 3_000;

export const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
	fc.constantFrom<Action>(
		{ kind: 'connect' },
		{ kind: 'disconnect' },
		{ kind: 'retryNow' },
		{ kind: 'offline' },
		{ kind: 'online' },
		{ kind: 'visible' },
		{ kind: 'cut' }
	),
	fc.constantFrom(...CLOSE_CODES).map((code): Action => ({ kind: 'close', code })),
	fc
		.constantFrom('accept', 'refuse', 'hang', 'silent' as const)
		.map((mode): Action => ({ kind: 'mode', mode })),
	// Mostly short pauses; sometimes long enough for a heartbeat probe or a few backoff rounds.
	fc
		.oneof(
			{ weight: 3, arbitrary: fc.integer({ min: 0, max: 25 }) },
			{ weight: 1, arbitrary: fc.integer({ min: 100, max: 160 }) }
		)
		.map((ms): Action => ({ kind: 'pause', ms }))
);

export const interleavingArbitrary = fc.array(actionArbitrary, { minLength: 1, maxLength: 12 });

/** A `ws` WebSocket that records, at each construction, whether another one was still live. */
function trackingWebSocket(overlaps: { count: number }) {
	const live = new Set<WebSocket>();
	class TrackedWebSocket extends WebSocket {
		constructor(url: string) {
			super(url);
			for (const other of live) {
				if (other.readyState === WebSocket.CONNECTING || other.readyState === WebSocket.OPEN) {
					overlaps.count += 1;
				}
			}
			live.add(this);
			this.addEventListener('close', () => live.delete(this));
		}
	}
	return TrackedWebSocket;
}

let runs = 0;

/**
 * Play one interleaving on a fresh client; throws when a check fails. Leaves the server in
 * `accept` mode.
 */
export async function runInterleaving(
	server: ControlServer,
	browser: FakeBrowser,
	actions: readonly Action[]
): Promise<void> {
	const id = `one-socket-${++runs}`;
	const overlaps = { count: 0 };
	const listenersBefore = browser.listeners();
	server.setMode('accept');
	const client = createRealtimeClient({
		url: server.url(id),
		events: coreEventSchemas,
		...CLIENT_OPTIONS,
		WebSocket: trackingWebSocket(overlaps),
		logger: { warn: () => {}, error: () => {} }
	});
	try {
		for (const action of actions) {
			switch (action.kind) {
				case 'connect':
					client.connect();
					break;
				case 'disconnect':
					client.disconnect();
					break;
				case 'retryNow':
					client.retryNow();
					break;
				case 'offline':
				case 'online':
				case 'visible':
					browser[action.kind]();
					break;
				case 'cut':
					server.terminateSockets(id);
					break;
				case 'close':
					server.closeSockets(action.code, 'scenario', id);
					break;
				case 'mode':
					server.setMode(action.mode);
					if (action.mode !== 'hang') server.release('drop', id);
					break;
				case 'pause':
					// Real time passing is part of the interleaving: timers fire in between.
					await delay(action.ms);
					break;
			}
		}
	} finally {
		client.stop();
		server.setMode('accept');
	}
	await server.waitFor(
		(s) => s.openSockets(id) === 0 && s.heldUpgrades(id) === 0,
		SETTLE_TIMEOUT_MS,
		`no socket of ${id} after stop()`
	);
	const { maxOpen } = server.stats(id);
	if (maxOpen > 1) throw new Error(`${id}: the server saw ${maxOpen} sockets open at once`);
	if (overlaps.count > 0) {
		throw new Error(`${id}: ${overlaps.count} socket(s) created while another was live`);
	}
	if (browser.listeners() !== listenersBefore) {
		throw new Error(
			`${id}: ${browser.listeners() - listenersBefore} listener(s) left after stop()`
		);
	}
}

/** The summary line the child process prints. */
export interface ScenarioSummary {
	runs: number;
	seed: number;
	failure: string | null;
	listenersLeft: number;
	socketsLeft: number;
}

async function main(): Promise<void> {
	const numRuns = Number(process.argv[2] ?? 200);
	const seed = Number(process.argv[3] ?? 20_251_125);
	const browser = installFakeBrowser();
	const server = await startControlServer({ heartbeatInterval: 100 });
	let failure: string | null = null;
	try {
		await fc.assert(
			fc.asyncProperty(interleavingArbitrary, (actions) =>
				runInterleaving(server, browser, actions)
			),
			{ numRuns, seed }
		);
	} catch (error) {
		// fast-check's message names the counterexample; its cause is the check that failed.
		failure =
			error instanceof Error ? `${error.message}\n${String(error.cause ?? '')}` : String(error);
	}
	await server
		.waitFor((s) => s.liveSockets() === 0, SETTLE_TIMEOUT_MS, 'every socket closed')
		.catch(() => {});
	const summary: ScenarioSummary = {
		runs,
		seed,
		failure,
		listenersLeft: browser.listeners(),
		socketsLeft: server.liveSockets()
	};
	await server.close();
	browser.uninstall();
	console.log(JSON.stringify(summary));
	if (failure || summary.listenersLeft !== 0 || summary.socketsLeft !== 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
