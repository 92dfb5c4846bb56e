/**
 * The outgoing queue: the pure functions (overflow policy, order, acks, storage, hand-over) and
 * the queue at work in the client (flush after resume, resend of unacked messages after a
 * reconnect, a page reload simulated by a second client on the same storage, a closed tab's
 * messages sent by the next page).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
	acknowledge,
	enqueue,
	handOverQueue,
	loadQueue,
	pending,
	planSend,
	saveQueue,
	type Outbox,
	type QueueLimits
} from '../../machines/queue';
import { browserStorage, memoryStorage } from '../../machines/storage';
import { connectedFakeClient, startFakeClient } from '../support/connection-fakes';
import { installFakeBrowser } from '../support/fake-browser';
import { fakeWebStorage } from '../support/web-storage';

afterEach(() => vi.unstubAllGlobals());

/** A browser tab's storage: its own sessionStorage, and the localStorage all tabs share. */
function tabStorage(shared: Storage) {
	vi.stubGlobal('localStorage', shared);
	vi.stubGlobal('sessionStorage', fakeWebStorage());
	return browserStorage()!;
}

const message = (n: number) => ({ id: `m${n}`, type: 'note', data: { n } });
const limits = (overrides: Partial<QueueLimits> = {}): QueueLimits => ({
	enableMessageQueue: true,
	maxQueueSize: 3,
	queueOverflow: 'drop-oldest',
	...overrides
});

describe('queue functions', () => {
	it('plans each outcome', () => {
		const full = [message(1), message(2), message(3)];
		expect(planSend([], limits(), true)).toEqual({ outcome: 'sent' });
		expect(planSend([], limits(), false)).toEqual({ outcome: 'queued' });
		expect(planSend(full, limits(), false)).toEqual({ outcome: 'queued', evicted: 'm1' });
		expect(planSend(full, limits(), true)).toEqual({ outcome: 'sent', evicted: 'm1' });
		expect(planSend(full, limits({ queueOverflow: 'reject' }), false)).toEqual({
			outcome: 'rejected'
		});
		expect(planSend([], limits({ enableMessageQueue: false }), false)).toEqual({
			outcome: 'dropped'
		});
		expect(planSend([], limits({ enableMessageQueue: false }), true)).toEqual({ outcome: 'sent' });
	});

	it('keeps order and evicts the oldest past the bound, in flight or not', () => {
		let outbox: Outbox = { queue: [message(1), message(2)], inFlight: 2 };
		outbox = enqueue(outbox, message(3), 3);
		expect(outbox.queue.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
		outbox = enqueue(outbox, message(4), 3);
		expect(outbox).toEqual({ queue: [message(2), message(3), message(4)], inFlight: 1 });
		expect(pending(outbox).map((m) => m.id)).toEqual(['m3', 'm4']);
	});

	it('removes an acked message wherever it is and ignores unknown ids', () => {
		const outbox = { queue: [message(1), message(2), message(3)], inFlight: 2 };
		expect(acknowledge(outbox, 'm2')).toEqual({ queue: [message(1), message(3)], inFlight: 1 });
		expect(acknowledge(outbox, 'm3')).toEqual({ queue: [message(1), message(2)], inFlight: 2 });
		expect(acknowledge(outbox, 'nope')).toBe(outbox);
	});

	it('saves and loads through the storage adapter, newest kept, garbage ignored', () => {
		const storage = memoryStorage();
		saveQueue(storage, 'k', [message(1), message(2), message(3)]);
		expect(loadQueue(storage, 'k', 10)).toEqual([message(1), message(2), message(3)]);
		expect(loadQueue(storage, 'k', 2)).toEqual([message(2), message(3)]);
		saveQueue(storage, 'k', []);
		expect(storage.getItem('k')).toBeNull();
		storage.setItem('k', '{not json');
		expect(loadQueue(storage, 'k', 10)).toEqual([]);
		storage.setItem('k', JSON.stringify([{ id: '', type: 'x' }]));
		expect(loadQueue(storage, 'k', 10)).toEqual([]);
	});

	it('adds what closed pages handed over after its own messages, each id once, and saves it', () => {
		const shared = fakeWebStorage();
		const closedTab = tabStorage(shared);
		vi.useFakeTimers({ now: 1_000 });
		try {
			handOverQueue(closedTab, 'k', [message(1), message(2)]);
			handOverQueue(closedTab, 'k', []);
			vi.setSystemTime(2_000);
			handOverQueue(closedTab, 'k', [message(3), message(4)]);
		} finally {
			vi.useRealTimers();
		}
		expect(shared.length).toBe(2);
		const storage = tabStorage(shared);
		saveQueue(storage, 'k', [message(2)]);

		// [m2 (own), m1, m3, m4], the newest 3 kept.
		expect(loadQueue(storage, 'k', 3)).toEqual([message(1), message(3), message(4)]);
		expect(shared.length).toBe(0);
		expect(loadQueue(storage, 'k', 3)).toEqual([message(1), message(3), message(4)]);
	});
});

describe('the queue in the client', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('queues while connecting and flushes in order right after resume', () => {
		const { client, fake } = startFakeClient();
		const results = [1, 2, 3].map((n) => client.send('note', { n }));
		expect(results.map((r) => r.outcome)).toEqual(['queued', 'queued', 'queued']);
		expect(client.getStatusDetail().queueLength).toBe(3);
		fake.last.open();
		expect(fake.last.sentTypes()).toEqual(['resume', 'note', 'note', 'note']);
		expect(fake.last.sent.slice(1).map((f) => f.id)).toEqual(results.map((r) => r.id));
		expect(fake.last.sent.slice(1).map((f) => f.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
		client.stop();
	});

	it('sends at once when connected; the ack removes the message', () => {
		const { client, fake, context } = connectedFakeClient();
		const { id, outcome } = client.send('note', { n: 1 });
		expect(outcome).toBe('sent');
		expect(fake.last.sent.at(-1)).toEqual({ type: 'note', id, data: { n: 1 } });
		expect(context().queue.map((m) => m.id)).toEqual([id]);
		fake.last.receive({ type: 'ack', data: { id } });
		expect(context().queue).toEqual([]);
		client.stop();
	});

	it('resends unacked messages after a reconnect, in order, after resume, before new ones', () => {
		const { client, fake, context } = connectedFakeClient();
		const ids = [1, 2, 3].map((n) => client.send('note', { n }).id);
		fake.last.receive({ type: 'ack', data: { id: ids[1] } });
		fake.last.serverClose(1006);
		expect(context().queue.map((m) => m.id)).toEqual([ids[0], ids[2]]);
		const later = client.send('note', { n: 4 });
		expect(later.outcome).toBe('queued');
		vi.advanceTimersByTime(1000);
		fake.last.open();
		expect(fake.last.sentTypes()[0]).toBe('resume');
		expect(fake.last.sent.slice(1).map((f) => f.id)).toEqual([ids[0], ids[2], later.id]);
		client.stop();
	});

	it('drops a message the server refuses (saved too), tells onError, and never resends it', () => {
		const storage = memoryStorage();
		const { client, fake, context } = connectedFakeClient({ storage, storageKey: 'outbox' });
		const errors: unknown[] = [];
		client.onError((error) => errors.push(error));
		const [a, b, c] = [1, 2, 3].map((n) => client.send('note', { n }).id);

		fake.last.receive({ type: 'error', data: { code: 'bad_payload', message: 'no', id: b } });
		expect(context().queue.map((m) => m.id)).toEqual([a, c]);
		expect(context().inFlight).toBe(2);
		expect(loadQueue(storage, 'outbox', 10).map((m) => m.id)).toEqual([a, c]);
		// An error about no message in particular leaves the outbox alone.
		fake.last.receive({ type: 'error', data: { code: 'rate_limited', message: 'slow down' } });
		expect(context().queue.map((m) => m.id)).toEqual([a, c]);
		expect(errors).toEqual([
			{ code: 'bad_payload', message: 'no', id: b },
			{ code: 'rate_limited', message: 'slow down' }
		]);

		fake.last.serverClose(1006);
		vi.advanceTimersByTime(1000);
		fake.last.open();
		expect(fake.last.sent.slice(1).map((f) => f.id)).toEqual([a, c]);
		client.stop();
	});

	it('survives a page reload: a new client on the same storage sends what was queued', () => {
		const storage = memoryStorage();
		const first = startFakeClient({ storage });
		const ids = [1, 2].map((n) => first.client.send('note', { n }).id);
		first.client.stop();

		const second = startFakeClient({ storage });
		expect(second.context().queue.map((m) => m.id)).toEqual(ids);
		second.fake.last.open();
		expect(second.fake.last.sent.slice(1).map((f) => f.id)).toEqual(ids);
		second.fake.last.receive({ type: 'ack', data: { id: ids[0] } });
		second.fake.last.receive({ type: 'ack', data: { id: ids[1] } });
		second.client.stop();

		const third = startFakeClient({ storage });
		expect(third.context().queue).toEqual([]);
		third.client.stop();
	});

	it('a tab closed with messages queued hands them over; the next page sends them', () => {
		const browser = installFakeBrowser();
		try {
			const shared = fakeWebStorage();
			const closing = startFakeClient({ storage: tabStorage(shared) });
			const ids = [1, 2].map((n) => closing.client.send('note', { n }).id);
			browser.pageHide();
			closing.client.stop();

			const next = startFakeClient({ storage: tabStorage(shared) });
			expect(next.context().queue.map((m) => m.id)).toEqual(ids);
			next.fake.last.open();
			expect(next.fake.last.sentTypes()).toEqual(['resume', 'note', 'note']);
			expect(next.fake.last.sent.slice(1).map((f) => f.id)).toEqual(ids);
			next.client.stop();
		} finally {
			browser.uninstall();
		}
	});

	it('drop-oldest evicts the oldest message and says which', () => {
		const { client, context } = startFakeClient({ maxQueueSize: 2 });
		const a = client.send('note', 1);
		client.send('note', 2);
		const c = client.send('note', 3);
		expect(c).toMatchObject({ outcome: 'queued', evicted: a.id });
		expect(context().queue.map((m) => m.data)).toEqual([2, 3]);
		client.stop();
	});

	it('reject refuses the new message and keeps the queue', () => {
		const { client, context } = startFakeClient({ maxQueueSize: 2, queueOverflow: 'reject' });
		client.send('note', 1);
		client.send('note', 2);
		expect(client.send('note', 3).outcome).toBe('rejected');
		expect(context().queue.map((m) => m.data)).toEqual([1, 2]);
		client.stop();
	});

	it('without the queue drops while disconnected and sends untracked while connected', () => {
		const storage = memoryStorage();
		const setItem = vi.spyOn(storage, 'setItem');
		const { client, fake, context } = startFakeClient({ enableMessageQueue: false, storage });
		expect(client.send('note', 1).outcome).toBe('dropped');
		fake.last.open();
		expect(fake.last.sentTypes()).toEqual(['resume']);
		expect(client.send('note', 2).outcome).toBe('sent');
		expect(fake.last.sentTypes()).toEqual(['resume', 'note']);
		expect(context().queue).toEqual([]);
		expect(setItem).not.toHaveBeenCalled();
		client.stop();
	});

	it('rejects data that is not JSON before it reaches the chart', () => {
		const { client, context } = startFakeClient();
		expect(() => client.send('note', { big: 1n })).toThrow(TypeError);
		expect(() => client.send('ping')).toThrow(TypeError);
		expect(() => client.send('')).toThrow(TypeError);
		expect(context().queue).toEqual([]);
		client.stop();
	});
});
