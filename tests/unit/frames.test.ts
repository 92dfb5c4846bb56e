/**
 * Incoming frames through the real client: events dispatched to subscribers with `seq` tracking,
 * duplicates ignored, resync surfaced, pings answered, and every kind of bad frame dropped,
 * counted by reason, logged once per reason, with the next good frame processed as usual.
 */
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FRAME_DROP_REASONS, type FrameDropReason } from '../../machines/frames';
import type { EventFrame } from '../../machines/protocol';
import {
	connectedFakeClient,
	eventFrame,
	flushFrames,
	notification
} from '../support/connection-fakes';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function receiving() {
	const setup = connectedFakeClient();
	const received: number[] = [];
	setup.client.subscribe('notification:new', (data, frame) => {
		expect(data).toEqual(frame.data);
		received.push(frame.seq);
	});
	return { ...setup, received };
}

describe('events', () => {
	it('dispatches validated payloads with their frame and tracks lastSeq', async () => {
		const { client, fake, received, context } = receiving();
		const titles: string[] = [];
		client.subscribe('notification:new', (data) => titles.push(data.title));
		fake.last.receive(eventFrame(1));
		fake.last.receive(eventFrame(2));
		await flushFrames();
		expect(received).toEqual([1, 2]);
		expect(titles).toEqual(['Notice 1', 'Notice 2']);
		expect(context().lastSeq).toBe(2);
		client.stop();
	});

	it('ignores a seq it already has, within a burst and across bursts', async () => {
		const { client, fake, received, context } = receiving();
		for (const seq of [1, 2, 3]) fake.last.receive(eventFrame(seq));
		await flushFrames();
		for (const seq of [2, 3, 4, 3, 5]) fake.last.receive(eventFrame(seq));
		await flushFrames();
		fake.last.receive(eventFrame(5));
		await flushFrames();
		for (const seq of [6, 7, 6, 8]) fake.last.receive(eventFrame(seq));
		await flushFrames();
		expect(received).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
		expect(context().lastSeq).toBe(8);
		client.stop();
	});

	it('empties a delivered batch once its task is over, never the frames in it', async () => {
		const { client, fake, received } = receiving();
		const batches: Array<readonly EventFrame[]> = [];
		const kept: EventFrame[] = [];
		const lengthInMicrotask: number[] = [];
		client.actor.on('realtime.events', ({ frames }) => {
			batches.push(frames);
			kept.push(...frames);
			queueMicrotask(() => lengthInMicrotask.push(frames.length));
		});
		fake.last.receive(eventFrame(1));
		fake.last.receive(eventFrame(2));
		await flushFrames();
		await flushFrames();
		expect(batches).toHaveLength(1);
		// Whole for a microtask a listener queues; emptied after the task (see machines/socket.ts).
		expect(lengthInMicrotask).toEqual([2]);
		expect(batches[0]).toHaveLength(0);
		expect(received).toEqual([1, 2]);
		expect(kept.map((frame) => [frame.seq, frame.data])).toEqual([
			[1, notification(1)],
			[2, notification(2)]
		]);
		client.stop();
	});

	it('keeps the order of events and control frames in one burst', async () => {
		const { client, fake, received } = receiving();
		const order: string[] = [];
		client.subscribe('notification:new', () => order.push('event'));
		client.onResync(() => order.push('resync'));
		fake.last.receive(eventFrame(1));
		fake.last.receive({ type: 'resync', data: { lastSeq: 10 } });
		fake.last.receive(eventFrame(11));
		await flushFrames();
		expect(order).toEqual(['event', 'resync', 'event']);
		expect(received).toEqual([1, 11]);
		client.stop();
	});

	it('starts from the lastSeq option: resume asks for what came after it, older seqs are no news', async () => {
		const { client, fake, context } = connectedFakeClient({ lastSeq: 40 });
		const received: number[] = [];
		client.subscribe('notification:new', (_, frame) => received.push(frame.seq));
		expect(fake.last.sent[0]).toEqual({ type: 'resume', data: { lastSeq: 40 } });
		for (const seq of [39, 40, 41]) fake.last.receive(eventFrame(seq));
		await flushFrames();
		expect(received).toEqual([41]);
		expect(context().lastSeq).toBe(41);
		client.stop();
	});

	it('resends resume with the latest lastSeq after a reconnect', async () => {
		const { client, fake } = receiving();
		fake.last.receive(eventFrame(7));
		await flushFrames();
		fake.last.serverClose(1001);
		vi.advanceTimersByTime(1000);
		fake.last.open();
		expect(fake.last.sent[0]).toEqual({ type: 'resume', data: { lastSeq: 7 } });
		client.stop();
	});

	it('stops delivering after unsubscribe and survives a throwing subscriber', async () => {
		const { client, fake, log } = connectedFakeClient();
		const seen: number[] = [];
		client.subscribe('notification:new', () => {
			throw new Error('boom');
		});
		const off = client.subscribe('notification:new', (_, frame) => seen.push(frame.seq));
		fake.last.receive(eventFrame(1));
		await flushFrames();
		off();
		fake.last.receive(eventFrame(2));
		await flushFrames();
		expect(seen).toEqual([1]);
		expect(log.errors).toHaveLength(2);
		expect(String(log.errors[0][0])).toContain('notification:new');
		client.stop();
	});

	it('removes one subscription per unsubscribe, once', async () => {
		const { client, fake } = connectedFakeClient();
		const seen: number[] = [];
		const handler = (_: unknown, frame: { seq: number }) => seen.push(frame.seq);
		const first = client.subscribe('notification:new', handler);
		client.subscribe('notification:new', handler);
		fake.last.receive(eventFrame(1));
		await flushFrames();
		first();
		first();
		fake.last.receive(eventFrame(2));
		await flushFrames();
		expect(seen).toEqual([1, 1, 2]);
		client.stop();
	});

	it('validates and dispatches the app’s own events', async () => {
		const { client, fake, context } = connectedFakeClient({
			events: { 'chat:message': v.object({ text: v.string() }) }
		});
		const texts: string[] = [];
		client.subscribe('chat:message', (data) => texts.push(data.text));
		fake.last.receive(eventFrame(1, 'chat:message', { text: 'hi' }));
		fake.last.receive(eventFrame(2, 'chat:message', { text: 42 }));
		await flushFrames();
		expect(texts).toEqual(['hi']);
		expect(context().droppedByReason.payload).toBe(1);
		client.stop();
	});
});

describe('control frames', () => {
	it('answers the server’s ping with pong', () => {
		const { client, fake } = connectedFakeClient();
		fake.last.receive({ type: 'ping' });
		expect(fake.last.sentTypes()).toEqual(['resume', 'pong']);
		client.stop();
	});

	it('surfaces resync to the app and adopts the server’s lastSeq', () => {
		const { client, fake, context } = connectedFakeClient();
		const resyncs: number[] = [];
		client.onResync((lastSeq) => resyncs.push(lastSeq));
		fake.last.receive({ type: 'resync', data: { lastSeq: 40 } });
		expect(resyncs).toEqual([40]);
		expect(context().lastSeq).toBe(40);
		client.stop();
	});

	it('treats a welcome with an older lastSeq (server log reset) as a resync', async () => {
		const { client, fake, context } = connectedFakeClient();
		const resyncs: number[] = [];
		client.onResync((lastSeq) => resyncs.push(lastSeq));
		fake.last.receive(eventFrame(9));
		await flushFrames();
		fake.last.receive({ type: 'welcome', data: { heartbeatInterval: 30000, lastSeq: 9 } });
		expect(resyncs).toEqual([]);
		fake.last.receive({ type: 'welcome', data: { heartbeatInterval: 30000, lastSeq: 2 } });
		expect(resyncs).toEqual([2]);
		expect(context().lastSeq).toBe(2);
		client.stop();
	});

	it('emits the server’s error frames to actor listeners', () => {
		const { client, fake } = connectedFakeClient();
		const errors: string[] = [];
		client.actor.on('realtime.error', ({ code, message }) => errors.push(`${code}: ${message}`));
		fake.last.receive({ type: 'error', data: { code: 'rate', message: 'slow down' } });
		expect(errors).toEqual(['rate: slow down']);
		client.stop();
	});

	it('keeps the id of a refused message in the error it emits', () => {
		const { client, fake, context } = connectedFakeClient();
		const errors: unknown[] = [];
		client.actor.on('realtime.error', (event) => errors.push(event));
		fake.last.receive({ type: 'error', data: { code: 'bad_payload', message: 'no', id: 'm-1' } });
		fake.last.receive({ type: 'error', data: { code: 'bad_payload', message: 'no', id: 7 } });
		expect(errors).toEqual([
			{ type: 'realtime.error', code: 'bad_payload', message: 'no', id: 'm-1' }
		]);
		// An id that is not text is no id the client ever sent: the frame is malformed.
		expect(context().droppedByReason.shape).toBe(1);
		client.stop();
	});
});

describe('seq and lastSeq are safe integers', () => {
	const UNSAFE = Number.MAX_SAFE_INTEGER + 1;

	it('accepts an event seq of Number.MAX_SAFE_INTEGER', async () => {
		const { client, fake, received, context } = receiving();
		fake.last.receive(eventFrame(Number.MAX_SAFE_INTEGER));
		await flushFrames();
		expect(received).toEqual([Number.MAX_SAFE_INTEGER]);
		expect(context().droppedFrames).toBe(0);
		client.stop();
	});

	it.each([
		['an event seq', { ...eventFrame(1), seq: UNSAFE }],
		[
			'an event seq written as a huge literal',
			`{"type":"notification:new","id":"e","seq":18446744073709551616,"ts":1,"data":{}}`
		],
		['a welcome lastSeq', { type: 'welcome', data: { heartbeatInterval: 30000, lastSeq: UNSAFE } }],
		['a resync lastSeq', { type: 'resync', data: { lastSeq: UNSAFE } }]
	])('drops %s above Number.MAX_SAFE_INTEGER as a bad shape', async (_, frame) => {
		const { client, fake, received, context } = receiving();
		const resyncs: number[] = [];
		client.onResync((lastSeq) => resyncs.push(lastSeq));
		fake.last.receive(frame);
		fake.last.receive(eventFrame(1));
		await flushFrames();
		expect(context().droppedByReason.shape).toBe(1);
		expect(context().lastSeq).toBe(1);
		expect(received).toEqual([1]);
		expect(resyncs).toEqual([]);
		client.stop();
	});
});

describe('bad frames', () => {
	const deep = '['.repeat(20_000) + ']'.repeat(20_000);
	const kinds: Array<[string, FrameDropReason, unknown]> = [
		['invalid JSON', 'json', '{"type":'],
		['a JSON array', 'shape', '[1,2]'],
		['a JSON number', 'shape', '42'],
		['null', 'shape', 'null'],
		['no type', 'shape', { data: {} }],
		['an unknown type', 'unknown-type', { type: 'job:unknown', id: 'x', seq: 1, ts: 1, data: {} }],
		['an envelope without seq', 'shape', { type: 'notification:new', id: 'x', ts: 1, data: {} }],
		['a seq of 0', 'shape', { ...eventFrame(1), seq: 0 }],
		['a numeric event id', 'shape', { ...eventFrame(1), id: 5 }],
		['an ack without id', 'shape', { type: 'ack', data: {} }],
		[
			'a bad payload',
			'payload',
			eventFrame(1, 'notification:new', { ...notification(1), category: 'spam' })
		],
		['a huge frame', 'too-big', JSON.stringify(eventFrame(1)).padEnd(2_000_000, ' ')],
		['a deeply nested frame', 'shape', deep],
		['a binary frame', 'binary', new Uint8Array([1, 2, 3]).buffer]
	];

	it.each(kinds)(
		'drops %s (%s), counts it, and processes the next good frame',
		async (_, reason, frame) => {
			const { client, fake, received, context, snapshot } = receiving();
			if (typeof frame === 'string' || typeof frame === 'object') {
				if (frame instanceof ArrayBuffer) fake.last.receiveRaw(frame);
				else fake.last.receive(frame);
			}
			fake.last.receive(eventFrame(1));
			await flushFrames();
			expect(context().droppedFrames).toBe(1);
			expect(context().droppedByReason[reason]).toBe(1);
			expect(received).toEqual([1]);
			expect(snapshot().matches({ connection: 'connected' })).toBe(true);
			expect(client.getStatusDetail().droppedFrames).toBe(1);
			client.stop();
		}
	);

	it('logs once per reason and counts every drop', async () => {
		const { client, fake, log, context } = receiving();
		for (let i = 0; i < 3; i++) {
			fake.last.receive('not json');
			fake.last.receive({ type: 'nope' });
		}
		fake.last.receive(eventFrame(1, 'notification:new', {}));
		await flushFrames();
		expect(context().droppedFrames).toBe(7);
		expect(context().droppedByReason).toEqual({
			...Object.fromEntries(FRAME_DROP_REASONS.map((r) => [r, 0])),
			json: 3,
			'unknown-type': 3,
			payload: 1
		});
		expect(log.warnings).toHaveLength(3);
		expect(log.warnings.join('\n')).toMatch(/json[\s\S]*unknown-type[\s\S]*payload/);
		client.stop();
	});
});
