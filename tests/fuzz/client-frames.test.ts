/**
 * Client fuzzing: at least 10,000 hostile text frames (not JSON, wrong types, huge numbers, deep
 * nesting, `__proto__`/`constructor` keys, HTML and `javascript:` strings), plus binary frames,
 * sent by a real `ws` server on 127.0.0.1 to the real client package. After every batch: nothing
 * threw, the chart is in one of its own states and still connected, every frame the protocol's
 * parser refuses was dropped and counted (and only those), every payload a subscriber got passed
 * its schema and arrived in increasing `seq` order, and no built-in prototype gained a key.
 */
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import * as v from 'valibot';
import { getStateNodes } from 'xstate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createRealtimeClient, type RealtimeClient } from '../../machines/client';
import { connectionMachine } from '../../machines/connection';
import { parseServerFrame } from '../../machines/protocol';
import { coreEventSchemas } from '../../src/lib/protocol';
import { countingWebSocket } from '../support/chaos-ws';
import { waitFor } from '../support/chaos-wait';
import { hostileFrame } from './arbitraries';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const BATCH = 40;
const RUNS = 255; // 255 x 40 = 10,200 frames
const TOP_STATES = Object.keys(connectionMachine.root.states.connection.states);
const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];

let wss: WebSocketServer;
let current: WebSocket | null = null;
let client: RealtimeClient;
let received = 0;
/** What subscribers got, in order; a resync (the server's log restarted) starts a new run of seqs. */
const deliveries: (
	| { type: string; seq: number; valid: boolean; plainPrototype: boolean }
	| { type: 'resync'; seq: number }
)[] = [];
const warnings: string[] = [];
const errors: string[] = [];

function ownKeys(target: object): string[] {
	return Reflect.ownKeys(target).map(String).sort();
}
const prototypeKeys = PROTOTYPES.map(ownKeys);

beforeAll(async () => {
	wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
	await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
	wss.on('connection', (ws) => {
		current = ws;
		ws.send(JSON.stringify({ type: 'welcome', data: { heartbeatInterval: 60_000, lastSeq: 0 } }));
	});
	const { WebSocket: Counting } = countingWebSocket({ onFrame: () => received++ });
	client = createRealtimeClient({
		url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`,
		events: coreEventSchemas,
		WebSocket: Counting,
		// Only the frames decide; the heartbeat and reconnect timers stay out of the way.
		heartbeatInterval: 600_000,
		heartbeatTimeout: 600_000,
		logger: {
			warn: (message: string) => warnings.push(message),
			error: (message: string) => errors.push(message)
		}
	});
	for (const type of Object.keys(coreEventSchemas) as (keyof typeof coreEventSchemas)[]) {
		client.subscribe(type, (data, meta) => {
			deliveries.push({
				type,
				seq: meta.seq,
				valid: v.is(coreEventSchemas[type], data),
				plainPrototype:
					Object.getPrototypeOf(data) === Object.prototype &&
					Object.values(data as object).every(
						(value) =>
							typeof value !== 'object' ||
							value === null ||
							Array.isArray(value) ||
							Object.getPrototypeOf(value) === Object.prototype
					)
			});
		});
	}
	client.onResync((lastSeq) => deliveries.push({ type: 'resync', seq: lastSeq }));
	await waitFor(() => client.isConnected() && current !== null, 'client connected');
	await waitFor(() => received >= 1, 'welcome received');
});

afterAll(async () => {
	client?.stop();
	for (const ws of wss?.clients ?? []) ws.terminate();
	await new Promise<void>((resolve) => wss?.close(() => resolve()));
});

/** Send text frames from the server and wait until the client's socket has taken every one. */
async function deliver(frames: string[]): Promise<void> {
	const target = received + frames.length;
	for (const frame of frames) current!.send(frame);
	await waitFor(() => received >= target, `client took ${frames.length} frames`);
	// The client handles each frame in its message listener (and may batch within a task).
	await new Promise((resolve) => setTimeout(resolve, 0));
	await new Promise((resolve) => setImmediate(resolve));
}

function expectSound(expectedDrops: number): void {
	const snapshot = client.actor.getSnapshot();
	expect(snapshot.status).toBe('active');
	expect(() => getStateNodes(connectionMachine.root, snapshot.value)).not.toThrow();
	const region = snapshot.value.connection;
	const top = typeof region === 'string' ? region : Object.keys(region)[0];
	expect(TOP_STATES).toContain(top);
	expect(top).toBe('connected');
	expect(client.getStatusDetail().droppedFrames).toBe(expectedDrops);
	expect(PROTOTYPES.map(ownKeys)).toEqual(prototypeKeys);
	expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	let previous = 0;
	for (const delivery of deliveries) {
		if (delivery.type === 'resync') {
			previous = delivery.seq;
			continue;
		}
		expect('valid' in delivery && delivery.valid && delivery.plainPrototype).toBe(true);
		expect(delivery.seq).toBeGreaterThan(previous);
		previous = delivery.seq;
	}
	expect(errors).toEqual([]);
}

describe('client fuzz: hostile frames from a real server', () => {
	it(`survives ${BATCH * RUNS} hostile text frames`, async () => {
		let sent = 0;
		let expectedDrops = 0;
		await fc.assert(
			fc.asyncProperty(
				fc.array(hostileFrame, { minLength: BATCH, maxLength: BATCH }),
				async (frames) => {
					// The oracle for "dropped": what the protocol's own parser refuses.
					for (const text of frames) {
						if (!parseServerFrame(text, coreEventSchemas).ok) expectedDrops++;
					}
					sent += frames.length;
					await deliver(frames);
					expectSound(expectedDrops);
				}
			),
			{ seed: SEED, numRuns: RUNS, endOnFailure: true }
		);
		console.log(
			`[fuzz:client] ${sent} frames, dropped ${client.getStatusDetail().droppedFrames}, ` +
				`delivered ${deliveries.filter((d) => d.type !== 'resync').length} events, ` +
				`${deliveries.filter((d) => d.type === 'resync').length} resyncs, ` +
				`${warnings.length} drop warnings logged (once per reason)`
		);
		expect(sent).toBeGreaterThanOrEqual(10_000);
		// Logged once per reason, not once per frame.
		expect(warnings.length).toBeLessThanOrEqual(6);
	}, 120_000);

	it('drops binary frames and counts them', async () => {
		const before = client.getStatusDetail().droppedFrames;
		const frames = fc
			.sample(fc.uint8Array({ maxLength: 512 }), { seed: SEED, numRuns: 100 })
			.map((bytes) => Buffer.from(bytes));
		for (const frame of frames) current!.send(frame, { binary: true });
		await waitFor(
			() => client.getStatusDetail().droppedFrames === before + frames.length,
			'binary frames dropped'
		);
		expectSound(before + frames.length);
	});
});
