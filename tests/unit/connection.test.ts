/**
 * The connection chart's transitions, driven through the real client with an in-memory socket and
 * fake timers: each row of DESIGN.md's state table, the close-code branches, offline/online,
 * DISCONNECT leaving no timer, and at most one socket at a time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
	connectedFakeClient as connected,
	FAKE_URL,
	startFakeClient as start,
	type FakeClient
} from '../support/connection-fakes';

beforeEach(() => {
	vi.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
	vi.useRealTimers();
});

describe('connecting', () => {
	it('waits in idle without autoConnect, then connects on connect()', () => {
		const { client, fake, snapshot } = start({ autoConnect: false });
		expect(snapshot().value.connection).toBe('idle');
		expect(fake.sockets).toHaveLength(0);
		client.connect();
		expect(snapshot().value.connection).toBe('connecting');
		expect(fake.sockets).toHaveLength(1);
		expect(fake.last.url).toBe(FAKE_URL);
		client.stop();
	});

	it('goes to connected on open and sends resume first', () => {
		const { client, fake, snapshot } = connected();
		expect(snapshot().matches({ connection: { connected: 'live' } })).toBe(true);
		expect(fake.last.sent[0]).toEqual({ type: 'resume', data: { lastSeq: 0 } });
		expect(client.isConnected()).toBe(true);
		client.stop();
	});

	it('retries after the connect timeout and closes the silent socket', () => {
		const { client, fake, snapshot, context } = start();
		const first = fake.last;
		vi.advanceTimersByTime(4999);
		expect(snapshot().value.connection).toBe('connecting');
		vi.advanceTimersByTime(1);
		expect(snapshot().value.connection).toEqual({ reconnecting: 'backoff' });
		expect(context().retryCause).toBe('connect-timeout');
		expect(first.closedByClient).not.toBeNull();
		expect(first.listenerCount()).toBe(1); // only the error sink
		client.stop();
	});
});

describe('reconnecting', () => {
	it('backs off 1s, 1.5s, 2.25s between failed attempts, counting attempts', () => {
		const { client, fake, snapshot, context } = start();
		fake.last.serverClose(1006);
		const delays: number[] = [];
		for (let attempt = 1; attempt <= 4; attempt++) {
			expect(snapshot().value.connection).toEqual({ reconnecting: 'backoff' });
			const delay = context().nextRetryAt! - Date.now();
			delays.push(delay);
			vi.advanceTimersByTime(delay - 1);
			expect(fake.sockets).toHaveLength(attempt);
			vi.advanceTimersByTime(1);
			expect(snapshot().value.connection).toEqual({ reconnecting: 'attempting' });
			expect(context().attempt).toBe(attempt);
			expect(fake.sockets).toHaveLength(attempt + 1);
			fake.last.serverClose(1006);
		}
		expect(delays).toEqual([1000, 1500, 2250, 3375]);
		client.stop();
	});

	it('resets the attempt count when a connection opens', () => {
		const { client, fake, context } = start();
		fake.last.serverClose(1006);
		vi.advanceTimersByTime(1000);
		fake.last.open();
		expect(context().attempt).toBe(0);
		expect(context().closeCode).toBeNull();
		client.stop();
	});

	it('retries after an ordinary close from connected, recording the code', () => {
		const { client, fake, snapshot, context } = connected();
		fake.last.serverClose(1001, 'restart');
		expect(snapshot().value.connection).toEqual({ reconnecting: 'backoff' });
		expect(context().closeCode).toBe(1001);
		expect(context().retryCause).toBe('closed');
		expect(client.getStatusDetail()).toMatchObject({ status: 'reconnecting', reason: 'closed' });
		client.stop();
	});

	it('retries more slowly after 4429 (rate limited)', () => {
		const { client, fake, context } = connected();
		fake.last.serverClose(4429);
		expect(context().retryDelay).toBe(5000);
		expect(client.getStatusDetail().reason).toBe('rate-limited');
		client.stop();
	});

	it.each([
		['RETRY_NOW', (c: FakeClient) => c.client.retryNow()],
		['VISIBLE', (c: FakeClient) => c.client.actor.send({ type: 'VISIBLE' })],
		['ONLINE', (c: FakeClient) => c.client.actor.send({ type: 'ONLINE' })]
	])('attempts at once on %s while backing off', (_, trigger) => {
		const setup = start();
		setup.fake.last.serverClose(1006);
		trigger(setup);
		expect(setup.snapshot().value.connection).toEqual({ reconnecting: 'attempting' });
		expect(setup.fake.sockets).toHaveLength(2);
		expect(setup.context().nextRetryAt).toBeNull();
		setup.client.stop();
	});

	it('fails when maxReconnectAttempts is reached, leaving no timer', () => {
		const { client, fake, snapshot, context } = start({ maxReconnectAttempts: 2 });
		fake.last.serverClose(1006);
		vi.advanceTimersByTime(1000);
		fake.last.serverClose(1006);
		vi.advanceTimersByTime(1500);
		fake.last.serverClose(1006);
		expect(snapshot().value.connection).toBe('failed');
		expect(context().failureReason).toBe('max-attempts');
		expect(context().attempt).toBe(2);
		expect(client.getStatusDetail()).toMatchObject({
			status: 'disconnected',
			reason: 'max-attempts'
		});
		expect(vi.getTimerCount()).toBe(0);
		client.stop();
	});
});

describe('close codes that stop retrying', () => {
	it.each([
		[4401, 'unauthorized'],
		[4403, 'forbidden'],
		[1008, 'policy']
	])('%i from connected -> failed (%s)', (code, reason) => {
		const { client, fake, snapshot, context } = connected();
		fake.last.serverClose(code);
		expect(snapshot().value.connection).toBe('failed');
		expect(context()).toMatchObject({ failureReason: reason, closeCode: code });
		expect(client.getStatusDetail()).toMatchObject({
			status: 'disconnected',
			reason,
			closeCode: code
		});
		expect(vi.getTimerCount()).toBe(0);
		client.stop();
	});

	it.each(['connect', 'retryNow'] as const)(
		'failed + %s -> connecting, reason cleared',
		(method) => {
			const { client, fake, snapshot, context } = connected();
			fake.last.serverClose(4401);
			client[method]();
			expect(snapshot().value.connection).toBe('connecting');
			expect(context().failureReason).toBeNull();
			expect(fake.sockets).toHaveLength(2);
			client.stop();
		}
	);
});

describe('disconnect', () => {
	const states: Array<[string, (c: FakeClient) => void]> = [
		['idle', () => {}],
		['connecting', (c) => c.client.connect()],
		['connected', (c) => (c.client.connect(), c.fake.last.open())],
		['probing', (c) => (c.client.connect(), c.fake.last.open(), vi.advanceTimersByTime(30_000))],
		['backoff', (c) => (c.client.connect(), c.fake.last.serverClose(1006))],
		[
			'attempting',
			(c) => (c.client.connect(), c.fake.last.serverClose(1006), vi.advanceTimersByTime(1000))
		],
		['offline', (c) => (c.client.connect(), c.client.actor.send({ type: 'OFFLINE' }))],
		['failed', (c) => (c.client.connect(), c.fake.last.serverClose(4401))]
	];

	it.each(states)('from %s -> disconnected, socket closed, no timer left', (_, reach) => {
		const setup = start({ autoConnect: false });
		reach(setup);
		setup.client.disconnect();
		expect(setup.snapshot().value.connection).toBe('disconnected');
		expect(vi.getTimerCount()).toBe(0);
		expect(setup.fake.live()).toHaveLength(0);
		for (const socket of setup.fake.sockets) expect(socket.listenerCount()).toBeLessThanOrEqual(1);
		expect(setup.client.getStatusDetail()).toMatchObject({
			status: 'disconnected',
			reason: 'manual'
		});
		// Connecting again honours what the browser last said about the network.
		setup.client.connect();
		expect(setup.snapshot().value.connection).toBe(
			setup.context().online ? 'connecting' : 'offline'
		);
		setup.client.stop();
	});
});

describe('offline and online', () => {
	it('goes offline from connected without spending an attempt, and connects at once on ONLINE', () => {
		const { client, fake, snapshot, context } = connected();
		client.actor.send({ type: 'OFFLINE' });
		expect(snapshot().value.connection).toBe('offline');
		expect(context().attempt).toBe(0);
		expect(fake.live()).toHaveLength(0);
		expect(vi.getTimerCount()).toBe(0);
		expect(client.getStatusDetail()).toMatchObject({ status: 'disconnected', reason: 'offline' });
		client.actor.send({ type: 'ONLINE' });
		expect(snapshot().value.connection).toBe('connecting');
		expect(fake.sockets).toHaveLength(2);
		client.stop();
	});

	it.each([
		['connecting', (c: FakeClient) => c],
		['backoff', (c: FakeClient) => c.fake.last.serverClose(1006)],
		['attempting', (c: FakeClient) => (c.fake.last.serverClose(1006), vi.advanceTimersByTime(1000))]
	])('goes offline from %s, stopping the timers', (_, reach) => {
		const setup = start();
		reach(setup);
		const attempt = setup.context().attempt;
		setup.client.actor.send({ type: 'OFFLINE' });
		expect(setup.snapshot().value.connection).toBe('offline');
		expect(setup.context().attempt).toBe(attempt);
		expect(vi.getTimerCount()).toBe(0);
		expect(setup.fake.live()).toHaveLength(0);
		setup.client.stop();
	});

	it('connect() while the browser is offline waits in offline', () => {
		const { client, fake, snapshot } = start({ autoConnect: false });
		client.actor.send({ type: 'OFFLINE' });
		expect(snapshot().value.connection).toBe('idle');
		client.connect();
		expect(snapshot().value.connection).toBe('offline');
		expect(fake.sockets).toHaveLength(0);
		client.actor.send({ type: 'ONLINE' });
		expect(snapshot().value.connection).toBe('connecting');
		client.stop();
	});
});

describe('one socket at a time', () => {
	it('never has two live sockets across a storm of events', () => {
		const { client, fake } = start();
		const steps: Array<() => void> = [
			() => client.connect(),
			() => client.disconnect(),
			() => client.retryNow(),
			() => client.actor.send({ type: 'OFFLINE' }),
			() => client.actor.send({ type: 'ONLINE' }),
			() => client.actor.send({ type: 'VISIBLE' }),
			() => fake.last.readyState === 0 && fake.last.open(),
			() => fake.last.readyState === 1 && fake.last.serverClose(1006),
			() => vi.advanceTimersByTime(700)
		];
		let seed = 7;
		for (let i = 0; i < 2000; i++) {
			seed = (seed * 1103515245 + 12345) % 2 ** 31;
			steps[seed % steps.length]();
			expect(fake.live().length).toBeLessThanOrEqual(1);
			const stale = fake.sockets.slice(0, -1);
			for (const socket of stale) expect(socket.listenerCount()).toBeLessThanOrEqual(1);
		}
		client.stop();
		expect(fake.live()).toHaveLength(0);
		expect(vi.getTimerCount()).toBe(0);
	});
});
