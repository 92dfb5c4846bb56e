/**
 * The heartbeat region of `connected`: ping every heartbeatInterval, any frame within
 * heartbeatTimeout or the socket is dead; and the re-check on VISIBLE, ONLINE and send for tabs
 * whose timers were throttled (simulated by moving the clock without running timers).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectedFakeClient, eventFrame, flushFrames } from '../support/connection-fakes';

const START = 5_000_000;

beforeEach(() => vi.useFakeTimers({ now: START }));
afterEach(() => vi.useRealTimers());

/** Move the wall clock as a throttled tab sees it: time passes, no timer fires. */
const throttle = (ms: number) => vi.setSystemTime(Date.now() + ms);

describe('heartbeat', () => {
	it('pings after heartbeatInterval', () => {
		const { client, fake, snapshot } = connectedFakeClient();
		vi.advanceTimersByTime(29_999);
		expect(fake.last.sentTypes()).toEqual(['resume']);
		vi.advanceTimersByTime(1);
		expect(fake.last.sentTypes()).toEqual(['resume', 'ping']);
		expect(snapshot().matches({ connection: { connected: 'probing' } })).toBe(true);
		client.stop();
	});

	it('closes a silent socket after heartbeatTimeout and reconnects', () => {
		const { client, fake, snapshot, context } = connectedFakeClient();
		const dead = fake.last;
		vi.advanceTimersByTime(30_000 + 9_999);
		expect(snapshot().matches({ connection: 'connected' })).toBe(true);
		vi.advanceTimersByTime(1);
		expect(snapshot().value.connection).toEqual({ reconnecting: 'backoff' });
		expect(context().retryCause).toBe('heartbeat-timeout');
		expect(client.getStatusDetail().reason).toBe('heartbeat-timeout');
		expect(dead.closedByClient).not.toBeNull();
		expect(dead.listenerCount('message')).toBe(0);
		vi.advanceTimersByTime(1000);
		expect(fake.sockets).toHaveLength(2);
		fake.last.open();
		expect(snapshot().matches({ connection: 'connected' })).toBe(true);
		client.stop();
	});

	it('goes back to live as soon as the pong arrives, and pings again an interval later', () => {
		const { client, fake, snapshot } = connectedFakeClient();
		vi.advanceTimersByTime(30_000);
		vi.advanceTimersByTime(500);
		fake.last.receive({ type: 'pong' });
		expect(snapshot().matches({ connection: { connected: 'live' } })).toBe(true);
		vi.advanceTimersByTime(29_999);
		expect(fake.last.sentTypes()).toEqual(['resume', 'ping']);
		vi.advanceTimersByTime(1);
		expect(fake.last.sentTypes()).toEqual(['resume', 'ping', 'ping']);
		client.stop();
	});

	it('counts any frame after the ping as an answer, at once', async () => {
		const { client, fake, snapshot } = connectedFakeClient();
		vi.advanceTimersByTime(30_000 + 2_000);
		fake.last.receive(eventFrame(1));
		await flushFrames();
		expect(snapshot().matches({ connection: { connected: 'live' } })).toBe(true);
		vi.advanceTimersByTime(8_000);
		expect(snapshot().matches({ connection: { connected: 'live' } })).toBe(true);
		expect(fake.live()).toHaveLength(1);
		client.stop();
	});

	it('detects a socket that dies right after answering within interval + timeout', async () => {
		const { client, fake, snapshot } = connectedFakeClient();
		vi.advanceTimersByTime(30_000 + 1);
		fake.last.receive(eventFrame(1));
		await flushFrames();
		// Silent from here: the next ping goes an interval after that frame, not after the timeout.
		vi.advanceTimersByTime(30_000 + 10_000 - 1);
		expect(snapshot().matches({ connection: 'connected' })).toBe(true);
		vi.advanceTimersByTime(1);
		expect(snapshot().value.connection).toEqual({ reconnecting: 'backoff' });
		expect(fake.last.sentTypes()).toEqual(['resume', 'ping', 'ping']);
		client.stop();
	});

	it('does not count a frame from before the ping', () => {
		const { client, fake, snapshot } = connectedFakeClient();
		vi.advanceTimersByTime(29_000);
		fake.last.receive({ type: 'pong' });
		vi.advanceTimersByTime(1_000 + 10_000);
		expect(snapshot().value.connection).toEqual({ reconnecting: 'backoff' });
		client.stop();
	});
});

describe('re-checking after throttled timers', () => {
	it.each(['VISIBLE', 'ONLINE'] as const)('%s after a long silence probes at once', (type) => {
		const { client, fake, snapshot } = connectedFakeClient();
		throttle(45_000);
		client.actor.send({ type });
		expect(snapshot().matches({ connection: { connected: 'probing' } })).toBe(true);
		expect(fake.last.sentTypes()).toEqual(['resume', 'ping']);
		client.stop();
	});

	it('VISIBLE with recent frames changes nothing', () => {
		const { client, fake, snapshot } = connectedFakeClient();
		throttle(10_000);
		client.actor.send({ type: 'VISIBLE' });
		expect(snapshot().matches({ connection: { connected: 'live' } })).toBe(true);
		expect(fake.last.sentTypes()).toEqual(['resume']);
		client.stop();
	});

	it('VISIBLE long after an unanswered ping closes and reconnects at once', () => {
		const { client, fake, snapshot } = connectedFakeClient();
		vi.advanceTimersByTime(30_000);
		throttle(60_000);
		client.actor.send({ type: 'VISIBLE' });
		expect(snapshot().value.connection).toEqual({ reconnecting: 'backoff' });
		expect(fake.live()).toHaveLength(0);
		client.stop();
	});

	it('VISIBLE during a probe that is not overdue waits for the answer', () => {
		const { client, snapshot } = connectedFakeClient();
		vi.advanceTimersByTime(30_000);
		throttle(5_000);
		client.actor.send({ type: 'VISIBLE' });
		expect(snapshot().matches({ connection: { connected: 'probing' } })).toBe(true);
		client.stop();
	});

	it('a send after a long silence goes out and starts a probe', () => {
		const { client, fake, snapshot } = connectedFakeClient();
		throttle(45_000);
		expect(client.send('note', 1).outcome).toBe('sent');
		expect(fake.last.sentTypes()).toEqual(['resume', 'note', 'ping']);
		expect(snapshot().matches({ connection: { connected: 'probing' } })).toBe(true);
		client.stop();
	});
});
