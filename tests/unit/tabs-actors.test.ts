/**
 * The tab-sharing actors on their own: the lock actor against an in-process lock manager with the
 * Web Locks semantics (Node 20 has no navigator.locks), the channel actor on Node's real
 * BroadcastChannel. The chart that drives them is tested in tabs-client.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createActor, setup, type AnyActorLogic, type AnyActorRef } from 'xstate';
import {
	parseTabMessage,
	tabChannelActor,
	tabLockActor,
	tabsEventsOf,
	type LeaderState,
	type TabMessage,
	type TabsEvent
} from '../../machines/tabs';
import { withTabGroup } from '../../machines/protocol';
import { FakeLockManager } from '../support/fake-locks';

const until = async (check: () => boolean, what: string) => {
	for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
	if (!check()) throw new Error(`timed out waiting for ${what}`);
};

/**
 * Run `logic` as the invoked child of a bare parent that records what the child reports; the
 * child's ref takes commands, stopping the parent stops it.
 */
function host(logic: AnyActorLogic, input: (self: AnyActorRef) => unknown) {
	const events: TabsEvent[] = [];
	const parent = createActor(
		setup({ actors: { logic } }).createMachine({
			invoke: {
				id: 'child',
				src: 'logic',
				input: ({ self }: { self: AnyActorRef }) => input(self)
			},
			on: { '*': { actions: ({ event }) => events.push(event as TabsEvent) } }
		})
	);
	parent.start();
	stops.push(() => parent.stop());
	const child = parent.getSnapshot().children.child as AnyActorRef;
	return { events, child, stop: () => parent.stop() };
}

const stops: (() => void)[] = [];
afterEach(() => {
	for (const stop of stops.splice(0)) stop();
});

describe('tabLock', () => {
	it('elects the first tab, queues the others, and hands over in order when the holder stops', async () => {
		const locks = new FakeLockManager();
		const tabs = ['a', 'b', 'c'].map((id) => {
			const { events, stop } = host(tabLockActor(locks.forTab(id)), () => ({ name: 'g' }));
			return { id, stop, events };
		});
		await until(() => tabs[0].events.length === 1, 'a elected');
		expect(tabs[0].events).toEqual([{ type: 'TABS.ELECTED' }]);
		expect(locks.waiting('g')).toEqual(['b', 'c']);
		tabs[0].stop();
		await until(() => tabs[1].events.length === 1, 'b elected');
		expect(locks.holder('g')).toBe('b');
		expect(tabs[2].events).toEqual([]);
	});

	it('leaves the queue when stopped before the grant, and a crashed holder hands over', async () => {
		const locks = new FakeLockManager();
		const make = (id: string) => {
			return host(tabLockActor(locks.forTab(id)), () => ({ name: 'g' }));
		};
		const a = make('a');
		await until(() => a.events.length === 1, 'a elected');
		const b = make('b');
		const c = make('c');
		b.stop();
		expect(locks.waiting('g')).toEqual(['c']);
		locks.crash('a');
		await until(() => c.events.length === 1, 'c elected after a crashed');
		expect(b.events).toEqual([]);
	});
});

describe('tabChannel', () => {
	const leader = (id: string): LeaderState => ({
		id,
		group: 'grp',
		epoch: 1,
		status: 'connected',
		reason: null,
		attempt: 0,
		maxAttempts: Infinity,
		nextRetryAt: null,
		droppedFrames: 0,
		closeCode: null,
		lastSeq: 7,
		attention: id
	});
	/** A channel actor whose "connection" is a bare actor; its leader state is fixed. */
	function tab(id: string, name = 'chan') {
		const io = { locks: new FakeLockManager().forTab(id), BroadcastChannel };
		const { events, child } = host(
			tabChannelActor(io, () => leader(id)),
			(self) => ({
				name,
				tabId: id,
				connection: self
			})
		);
		return { actor: child, events };
	}

	it('answers a hello with the leader state, and routes addressed messages to their tab only', async () => {
		const a = tab('a');
		const b = tab('b');
		const c = tab('c');
		a.actor.send({ type: 'JOIN', lastSeq: 0 });
		a.actor.send({ type: 'LEAD' });
		b.actor.send({ type: 'JOIN', lastSeq: 0 });
		c.actor.send({ type: 'JOIN', lastSeq: 0 });
		await until(() => b.events.some((e) => e.type === 'TABS.LEADER'), 'b hears the leader');
		expect(b.events.find((e) => e.type === 'TABS.LEADER')).toEqual({
			type: 'TABS.LEADER',
			state: leader('a')
		});
		// The leader heard both hellos (as visibility reports).
		await until(() => a.events.filter((e) => e.type === 'TABS.VISIBILITY').length >= 2, 'hellos');
		a.actor.send({ type: 'POST', message: { kind: 'ack', to: 'c', id: 'm1' } });
		await until(() => c.events.some((e) => e.type === 'TABS.ACK'), 'c gets its ack');
		expect(b.events.some((e) => e.type === 'TABS.ACK')).toBe(false);
		b.actor.send({ type: 'LEAVE' });
		await until(() => a.events.some((e) => e.type === 'TABS.BYE'), 'bye');
		expect(a.events.find((e) => e.type === 'TABS.BYE')).toEqual({ type: 'TABS.BYE', from: 'b' });
	});

	it('drops what does not fit the protocol, and relayed events until its welcome', async () => {
		const a = tab('a', 'chan2');
		a.actor.send({ type: 'POST', message: { kind: 'bye' } }); // not joined: dropped
		const raw = new BroadcastChannel('chan2');
		stops.push(() => raw.close());
		const seen: unknown[] = [];
		raw.addEventListener('message', (event) => seen.push((event as MessageEvent).data));
		a.actor.send({ type: 'JOIN', lastSeq: 2 });
		const frame = (seq: number) => ({ type: 't', id: String(seq), seq, ts: 1, data: null });
		// Before the welcome: relayed events are the welcome's to bring, so they are dropped.
		raw.postMessage({ v: 1, kind: 'events', from: 'x', frames: [frame(4)] });
		raw.postMessage({ v: 1, kind: 'events', from: 'x', frames: [{ ...frame(5), seq: 0 }] });
		raw.postMessage({ kind: 'bye' });
		raw.postMessage('junk');
		raw.postMessage({
			v: 1,
			kind: 'welcome',
			from: 'x',
			to: 'a',
			state: leader('x'),
			frames: [frame(3), frame(4)],
			resync: false
		});
		raw.postMessage({ v: 1, kind: 'resync', from: 'x', lastSeq: 9 });
		await until(() => a.events.length === 3, 'the welcome and the resync');
		expect(a.events).toEqual([
			{ type: 'TABS.EVENTS', from: 'x', frames: [frame(3), frame(4)] },
			{ type: 'TABS.LEADER', state: leader('x') },
			{ type: 'TABS.RESYNC', from: 'x', lastSeq: 9 }
		]);
		await until(() => seen.length === 1, 'its hello');
		expect(seen[0]).toEqual({ v: 1, kind: 'hello', from: 'a', visible: true, lastSeq: 2 });
		a.actor.send({ type: 'POST', message: { kind: 'resync', lastSeq: 4 } });
		await until(() => seen.length === 2, 'a post');
		expect(seen[1]).toEqual({ v: 1, kind: 'resync', from: 'a', lastSeq: 4 });
	});

	it('welcomes a joiner with the relayed events it lacks, or a resync beyond them', async () => {
		const a = tab('a', 'chan3');
		a.actor.send({ type: 'JOIN', lastSeq: 0 });
		a.actor.send({ type: 'LEAD' });
		const frames = [5, 6, 7].map((seq) => ({ type: 't', id: String(seq), seq, ts: 1, data: null }));
		a.actor.send({ type: 'POST', message: { kind: 'events', frames } });
		const raw = new BroadcastChannel('chan3');
		stops.push(() => raw.close());
		const welcomes: unknown[] = [];
		raw.addEventListener('message', (event) => {
			const data = (event as MessageEvent).data as { kind: string };
			if (data.kind === 'welcome') welcomes.push(data);
		});
		raw.postMessage({ v: 1, kind: 'hello', from: 'j1', visible: false, lastSeq: 5 });
		raw.postMessage({ v: 1, kind: 'hello', from: 'j2', visible: false, lastSeq: 3 });
		await until(() => welcomes.length === 2, 'two welcomes');
		// The fixed leader state says lastSeq 7.
		expect(welcomes).toEqual([
			expect.objectContaining({ to: 'j1', frames: frames.slice(1), resync: false }),
			expect.objectContaining({ to: 'j2', frames: [], resync: true })
		]);
	});
});

describe('protocol helpers', () => {
	it('parses every kind and maps it to its chart event', () => {
		const message = parseTabMessage({
			v: 1,
			kind: 'command',
			from: 'f',
			to: 'l',
			command: 'RETRY_NOW'
		});
		expect(message).not.toBeNull();
		expect(tabsEventsOf(message as TabMessage, 'l')).toEqual([
			{ type: 'TABS.COMMAND', from: 'f', command: 'RETRY_NOW' }
		]);
		expect(tabsEventsOf(message as TabMessage, 'other')).toEqual([]);
		expect(parseTabMessage({ v: 2, kind: 'bye', from: 'f' })).toBeNull();
	});

	it('adds the tab group to a socket URL, keeping its own query', () => {
		expect(withTabGroup('ws://h/ws?x=1', 'g1')).toBe('ws://h/ws?x=1&tab-group=g1');
		expect(withTabGroup('ws://h/ws', null)).toBe('ws://h/ws');
	});
});
