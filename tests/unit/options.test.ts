/** Options: the defaults, and a TypeError naming the option for every invalid value. */
import * as v from 'valibot';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { createRealtimeClient } from '../../machines/client';
import { DEFAULT_OPTIONS, resolveOptions, type ConnectionOptions } from '../../machines/options';
import { shareTabs } from '../../machines/share-tabs';
import { fakeSockets } from '../support/connection-fakes';

const WebSocket = fakeSockets().WebSocket;
const base = { url: 'ws://127.0.0.1:9/ws', WebSocket };

function rejects(overrides: Record<string, unknown>): string {
	try {
		resolveOptions({ ...base, ...overrides } as ConnectionOptions);
	} catch (error) {
		expect(error).toBeInstanceOf(TypeError);
		return (error as TypeError).message;
	}
	throw new Error(`accepted ${JSON.stringify(overrides)}`);
}

describe('options', () => {
	it('applies the documented defaults', () => {
		const resolved = resolveOptions(base);
		expect(resolved).toMatchObject({
			url: 'ws://127.0.0.1:9/ws',
			reconnectInterval: 1000,
			maxReconnectInterval: 30000,
			reconnectDecay: 1.5,
			maxReconnectAttempts: Infinity,
			timeoutInterval: 5000,
			enableMessageQueue: true,
			maxQueueSize: 100,
			queueOverflow: 'drop-oldest',
			jitter: 0.2,
			heartbeatInterval: 30000,
			heartbeatTimeout: 10000,
			autoConnect: true,
			lastSeq: 0,
			storageKey: 'realtime-outbox:ws://127.0.0.1:9/ws'
		});
		expect(resolved.eventSchemas).toEqual({});
		expect(typeof resolved.storage.getItem).toBe('function');
		expect(resolved.random()).toBeGreaterThanOrEqual(0);
	});

	it('converts http(s) URLs and keeps ws(s) URLs', () => {
		expect(resolveOptions({ ...base, url: 'https://example.com/ws' }).url).toBe(
			'wss://example.com/ws'
		);
		expect(resolveOptions({ ...base, url: 'http://localhost:5173/ws' }).url).toBe(
			'ws://localhost:5173/ws'
		);
		expect(resolveOptions({ ...base, url: 'wss://example.com/ws' }).url).toBe(
			'wss://example.com/ws'
		);
	});

	it.each([
		[{ url: '' }, 'url must be'],
		[{ url: 'ftp://example.com' }, 'url must be'],
		[{ url: '/ws' }, 'url must be'],
		[{ url: 42 }, 'url must be'],
		[{ reconnectInterval: 0 }, 'reconnectInterval must be'],
		[{ reconnectInterval: '1000' }, 'reconnectInterval must be'],
		[{ reconnectInterval: NaN }, 'reconnectInterval must be'],
		[{ maxReconnectInterval: 2 ** 31 }, 'maxReconnectInterval must be'],
		[{ reconnectInterval: 5000, maxReconnectInterval: 1000 }, 'maxReconnectInterval must be >='],
		[{ reconnectDecay: 0.5 }, 'reconnectDecay must be a number >= 1'],
		[{ reconnectDecay: Infinity }, 'reconnectDecay must be a number >= 1'],
		[{ maxReconnectAttempts: -1 }, 'maxReconnectAttempts must be'],
		[{ maxReconnectAttempts: 1.5 }, 'maxReconnectAttempts must be'],
		[{ timeoutInterval: -5 }, 'timeoutInterval must be'],
		[{ timeoutInterval: Infinity }, 'timeoutInterval must be'],
		[{ enableMessageQueue: 'yes' }, 'enableMessageQueue must be a boolean'],
		[{ maxQueueSize: 0 }, 'maxQueueSize must be an integer >= 1'],
		[{ queueOverflow: 'drop-newest-maybe' }, 'queueOverflow must be one of'],
		[{ jitter: 1.5 }, 'jitter must be a number between 0 and 1'],
		[{ jitter: -0.1 }, 'jitter must be a number between 0 and 1'],
		[{ heartbeatInterval: 0 }, 'heartbeatInterval must be'],
		[{ heartbeatTimeout: -1 }, 'heartbeatTimeout must be'],
		[{ maxFrameSize: 0 }, 'maxFrameSize must be'],
		[{ WebSocket: 'ws' }, 'WebSocket must be a WebSocket constructor'],
		[{ storage: {} }, 'storage must be an object with getItem'],
		[{ storageKey: '' }, 'storageKey must be'],
		[{ random: 0.5 }, 'random must be a function'],
		[{ now: 'now' }, 'now must be a function'],
		[{ logger: { warn: () => {} } }, 'logger must be'],
		[{ autoConnect: 1 }, 'autoConnect must be a boolean'],
		[{ lastSeq: -1 }, 'lastSeq must be a safe integer >= 0'],
		[{ lastSeq: 1.5 }, 'lastSeq must be a safe integer >= 0'],
		[{ lastSeq: '7' }, 'lastSeq must be a safe integer >= 0'],
		[{ lastSeq: 2 ** 53 }, 'lastSeq must be a safe integer >= 0'],
		[{ tabSharing: true }, 'tabSharing must be false or shareTabs(...)'],
		[{ tabSharing: { key: 'k' } }, 'tabSharing must be false or shareTabs(...)'],
		[{ reconectInterval: 1000 }, 'reconectInterval is not an option'],
		[{ events: [v.string()] }, 'events must be an object'],
		[{ events: 'x' }, 'events must be an object'],
		[{ events: { 'chat:message': { type: 'object' } } }, 'events.chat:message must be a Standard'],
		[
			{ events: { 'chat:message': { '~standard': { version: 2, validate: () => ({}) } } } },
			'events.chat:message must be a Standard Schema v1'
		],
		[{ events: { ping: v.object({}) } }, "events.ping is a control frame's type"],
		[{ events: { resume: v.object({}) } }, "events.resume is a control frame's type"]
	])('rejects %o with a TypeError naming the option', (overrides, message) => {
		expect(rejects(overrides)).toContain(message);
	});

	it('takes events from any Standard Schema v1 validator: valibot, zod, or one written by hand', () => {
		const byHand = {
			'~standard': {
				version: 1 as const,
				vendor: 'test',
				validate: (value: unknown) => ({ value })
			}
		};
		const resolved = resolveOptions({
			...base,
			events: { 'a:valibot': v.object({}), 'a:zod': z.object({}), 'a:hand': byHand }
		});
		expect(Object.keys(resolved.eventSchemas).sort()).toEqual(['a:hand', 'a:valibot', 'a:zod']);
	});

	it('says so when there is no WebSocket to default to (Node 20)', () => {
		expect(typeof (globalThis as { WebSocket?: unknown }).WebSocket).toBe('undefined');
		expect(() => createRealtimeClient({ url: base.url })).toThrow(
			new TypeError(
				'WebSocket must be a WebSocket constructor (none on globalThis here: pass one, e.g. WebSocket from the ws package)'
			)
		);
	});

	it('shares tabs only through shareTabs of statechart-websocket/tabs, which checks its own options', () => {
		expect(resolveOptions(base).tabSharing).toBe(false);
		// Node has neither Web Locks nor BroadcastChannel: the client stands alone all the same.
		expect(resolveOptions({ ...base, tabSharing: shareTabs({ key: 'k' }) }).tabSharing).toBe(false);
		const locks = { request: () => new Promise<unknown>(() => {}) };
		const group = resolveOptions({
			...base,
			tabSharing: shareTabs({ locks, BroadcastChannel: class {} as never })
		}).tabSharing;
		expect(group && group.name).toBe(`statechart-websocket:${base.url}`);
		expect(() => shareTabs({ key: '' })).toThrow(
			new TypeError('tabSharing key must be a non-empty string')
		);
		expect(() => shareTabs({ locks: {} as never })).toThrow(
			new TypeError('tabSharing locks must be a LockManager (request)')
		);
		expect(() => shareTabs({ BroadcastChannel: 'bc' as never })).toThrow(
			new TypeError('tabSharing BroadcastChannel must be a constructor')
		);
	});

	it('rejects a missing options object', () => {
		expect(() => resolveOptions(undefined as unknown as ConnectionOptions)).toThrow(TypeError);
	});

	it('keeps every default in one object', () => {
		expect(Object.keys(DEFAULT_OPTIONS).sort()).toEqual(
			[
				'WebSocket',
				'autoConnect',
				'enableMessageQueue',
				'heartbeatInterval',
				'heartbeatTimeout',
				'jitter',
				'lastSeq',
				'logger',
				'maxFrameSize',
				'maxQueueSize',
				'maxReconnectAttempts',
				'maxReconnectInterval',
				'now',
				'queueOverflow',
				'random',
				'reconnectDecay',
				'reconnectInterval',
				'storage',
				'tabSharing',
				'timeoutInterval'
			].sort()
		);
	});
});
