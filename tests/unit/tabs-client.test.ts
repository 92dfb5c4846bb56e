/**
 * Tab sharing end to end in Node: several clients of the real package play the tabs of one
 * browser. They share Node's real BroadcastChannel and an in-process lock manager with the Web
 * Locks semantics (Node 20 has no navigator.locks), and connect to the real hub on 127.0.0.1, which
 * counts their sockets, replays, acks and dedupes. Each tab counts the events it was handed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRealtimeClient, type RealtimeClient } from '../../machines/client';
import { shareTabs } from '../../machines/share-tabs';
import type { VisibilitySource } from '../../machines/tabs';
import type { CoreEventMap } from '../../src/lib/protocol';
import { coreEventSchemas } from '../../src/lib/protocol';
import { FakeLockManager } from '../support/fake-locks';
import { startRealtimeTestServer, type RealtimeTestServer } from '../support/server-harness';

const TIMEOUT = 5_000;

/** A page's `document` as far as visibility goes, switched by the test. */
class FakeDocument extends EventTarget implements VisibilitySource {
	visibilityState: 'visible' | 'hidden' = 'hidden';
	show(visible: boolean): void {
		this.visibilityState = visible ? 'visible' : 'hidden';
		this.dispatchEvent(new Event('visibilitychange'));
	}
}

/**
 * A tab's BroadcastChannel class that the test can cut off, as a renderer that dies takes its
 * channels with it: after `kill()` it neither posts nor hears anything.
 */
function mortalChannels() {
	let dead = false;
	const open = new Set<BroadcastChannel>();
	class MortalChannel extends BroadcastChannel {
		constructor(name: string) {
			super(name);
			open.add(this);
		}
		postMessage(message: unknown): void {
			if (!dead) super.postMessage(message);
		}
		close(): void {
			open.delete(this);
			super.close();
		}
	}
	return {
		MortalChannel,
		kill() {
			dead = true;
			for (const channel of [...open]) channel.close();
		}
	};
}

interface Tab {
	name: string;
	/** The tab's renderer dies: its channels go silent (its lock is `locks.crash`ed apart). */
	killChannels: () => void;
	client: RealtimeClient<CoreEventMap>;
	/** The seqs this tab was handed, in order. */
	seqs: number[];
	/** For each event: whether this tab had the attention (it would have played the sound). */
	alerts: number[];
	errors: unknown[];
	resyncs: number[];
	document: FakeDocument;
}

let server: RealtimeTestServer;
let locks: FakeLockManager;
let tabs: Tab[];
let userId: number;
let token: string;
let key: string;
let groups = 0;

beforeEach(async () => {
	server = await startRealtimeTestServer();
	locks = new FakeLockManager();
	tabs = [];
	userId = await server.createUser('alex');
	token = await server.makeToken(userId);
	key = `alex-session-${++groups}`;
	server.hub.onMessage('note', () => void (applied += 1));
	applied = 0;
});
afterEach(async () => {
	for (const tab of tabs) tab.client.stop();
	await server.close();
});
let applied = 0;

/** A WebSocket class that signs in with `cookie`, as a browser sends the session cookie. */
function socketWith(cookie: string) {
	return class extends WebSocket {
		constructor(url: string) {
			super(url, { headers: { cookie: `session=${cookie}` } });
		}
	};
}

function openTab(
	name: string,
	options: {
		lastSeq?: number;
		sharingKey?: string | false;
		cookie?: string;
		reconnectInterval?: number;
	} = {}
): Tab {
	const document = new FakeDocument();
	const channels = mortalChannels();
	const sharingKey = options.sharingKey ?? key;
	const client = createRealtimeClient({
		url: server.url,
		WebSocket: socketWith(options.cookie ?? token),
		reconnectInterval: options.reconnectInterval ?? 50,
		maxReconnectInterval: Math.max(100, options.reconnectInterval ?? 0),
		jitter: 0,
		lastSeq: options.lastSeq ?? 0,
		events: coreEventSchemas,
		tabSharing:
			sharingKey === false
				? false
				: shareTabs({
						key: sharingKey,
						locks: locks.forTab(name),
						BroadcastChannel: channels.MortalChannel,
						document
					}),
		logger: { warn: () => undefined, error: () => undefined }
	});
	const tab: Tab = {
		name,
		killChannels: channels.kill,
		client,
		seqs: [],
		alerts: [],
		errors: [],
		resyncs: [],
		document
	};
	client.subscribe('notification:new', (_data, frame) => {
		tab.seqs.push(frame.seq);
		if (client.hasAttention()) tab.alerts.push(frame.seq);
	});
	client.onError((error) => tab.errors.push(error));
	client.onResync((lastSeq) => tab.resyncs.push(lastSeq));
	tabs.push(tab);
	return tab;
}

async function until(check: () => boolean, what: string): Promise<void> {
	const deadline = Date.now() + TIMEOUT;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 2));
	}
}

const roles = (list: Tab[]) => list.map((tab) => tab.client.getRole());
const leader = (list: Tab[]) => list.find((tab) => tab.client.getRole() === 'leader')!;
const allConnected = (list: Tab[]) => list.every((tab) => tab.client.isConnected());
const emit = async (n: number) => {
	for (let i = 0; i < n; i++) await server.emit(userId, 'notification:new', notification(i));
};
function notification(i: number) {
	return {
		id: `n${i}-${Math.random()}`,
		category: 'system',
		title: `note ${i}`,
		description: '',
		timestamp: new Date().toISOString()
	};
}
const seqsUpTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

async function openGroup(count: number, reconnectInterval?: number): Promise<Tab[]> {
	const group = Array.from({ length: count }, (_, i) => openTab(`tab${i}`, { reconnectInterval }));
	await until(() => allConnected(group), 'every tab connected');
	await until(() => server.hub.stats().sockets === 1, 'one socket at the hub');
	return group;
}

describe('tabs of one session', () => {
	it('share one socket; every tab gets every event once; one leader, the rest follow', async () => {
		const group = await openGroup(4);
		expect(roles(group).sort()).toEqual(['follower', 'follower', 'follower', 'leader']);
		await emit(20);
		await until(() => group.every((tab) => tab.seqs.length === 20), 'every tab has 20 events');
		for (const tab of group) expect(tab.seqs).toEqual(seqsUpTo(20));
		expect(server.hub.stats()).toMatchObject({ sockets: 1, peakUserSockets: 1 });
		// Every tab shows the leader's status.
		for (const tab of group) expect(tab.client.getStatusDetail().status).toBe('connected');
	});

	it("sends a follower's message through the leader; the ack reaches that tab alone; applied once", async () => {
		const group = await openGroup(3);
		const follower = group.find((tab) => tab.client.getRole() === 'follower')!;
		const { id, outcome } = follower.client.send('note', { text: 'hi' });
		expect(outcome).toBe('sent');
		await until(() => follower.client.getStatusDetail().queueLength === 0, 'acked');
		expect(applied).toBe(1);
		// A refused one comes back to it as an error with its id, and leaves its outbox.
		const refused = follower.client.send('no-such-type', {});
		await until(() => follower.errors.length === 1, 'refusal');
		expect(follower.errors[0]).toMatchObject({ code: 'unknown_type', id: refused.id });
		expect(follower.client.getStatusDetail().queueLength).toBe(0);
		for (const tab of group) if (tab !== follower) expect(tab.errors).toEqual([]);
		expect(id).not.toBe(refused.id);
	});

	it('fails over when the leader stops: the next tab connects and nothing is lost or doubled', async () => {
		const group = await openGroup(4);
		await emit(5);
		await until(() => group.every((tab) => tab.seqs.length === 5), '5 events');
		const old = leader(group);
		const rest = group.filter((tab) => tab !== old);
		// A follower's message queued just before the failover, resent once through the next leader.
		const follower = rest[0];
		old.client.stop();
		follower.client.send('note', { during: 'failover' });
		await emit(5);
		await until(() => roles(rest).includes('leader'), 'a new leader');
		await emit(5);
		await until(() => rest.every((tab) => tab.seqs.length === 15), '15 events');
		for (const tab of rest) expect(tab.seqs).toEqual(seqsUpTo(15));
		await until(() => follower.client.getStatusDetail().queueLength === 0, 'acked');
		expect(applied).toBe(1);
		expect(server.hub.stats()).toMatchObject({ sockets: 1, peakUserSockets: 1 });
	});

	it("fails over when the leader crashes, and the server cuts the dead leader's socket at once", async () => {
		// A crashed page never reconnects; here its client lives on, so it must wait long enough.
		const group = await openGroup(3, 10_000);
		await emit(3);
		await until(() => group.every((tab) => tab.seqs.length === 3), '3 events');
		const old = leader(group);
		const rest = group.filter((tab) => tab !== old);
		// The browser frees a dead page's lock while its socket may still be open at the server.
		old.killChannels();
		locks.crash(old.name);
		await until(() => roles(rest).includes('leader'), 'a new leader');
		await until(() => allConnected(rest), 'the new leader connected');
		expect(server.hub.stats()).toMatchObject({ sockets: 1, peakUserSockets: 1 });
		old.client.stop();
		await emit(3);
		await until(() => rest.every((tab) => tab.seqs.length === 6), '6 events');
		for (const tab of rest) expect(tab.seqs).toEqual(seqsUpTo(6));
	});

	it('a leader that is hidden in the back/forward cache lets go at once and rejoins as a follower', async () => {
		const group = await openGroup(2);
		const old = leader(group);
		const other = group.find((tab) => tab !== old)!;
		old.client.actor.send({ type: 'PAGE.HIDE' });
		expect(old.client.getRole()).toBe('parked');
		await until(
			() => other.client.getRole() === 'leader' && other.client.isConnected(),
			'taken over'
		);
		await emit(2);
		await until(() => other.seqs.length === 2, 'events at the new leader');
		old.client.actor.send({ type: 'PAGE.SHOW' });
		await until(() => old.client.getRole() === 'follower', 'rejoined');
		// Back from the cache it is brought up to date from the leader's relayed events.
		await until(() => old.seqs.length === 2, 'caught up');
		expect(old.seqs).toEqual([1, 2]);
		expect(server.hub.stats()).toMatchObject({ sockets: 1, peakUserSockets: 1 });
	});

	it('a tab that joins behind the leader is caught up, or told to resync when it lacks too much', async () => {
		const group = await openGroup(1);
		await emit(3);
		await until(() => group[0].seqs.length === 3, '3 events');
		const late = openTab('late', { lastSeq: 1 });
		await until(() => late.seqs.length === 2, 'caught up');
		expect(late.seqs).toEqual([2, 3]);
		expect(late.resyncs).toEqual([]);
		await emit(300);
		await until(() => late.seqs.length === 302, 'live');
		const behind = openTab('behind', { lastSeq: 1 });
		await until(() => behind.resyncs.length === 1, 'resync');
		expect(behind.resyncs).toEqual([303]);
		expect(behind.seqs).toEqual([]);
	});

	it('plays the sound once per event: in the visible tab, else in the leader', async () => {
		const group = await openGroup(3);
		const lead = leader(group);
		const followers = group.filter((tab) => tab !== lead);
		await emit(1);
		await until(() => group.every((tab) => tab.seqs.length === 1), 'event 1');
		followers[1].document.show(true);
		await until(() => followers[1].client.hasAttention(), 'the visible tab has it');
		await emit(1);
		await until(() => group.every((tab) => tab.seqs.length === 2), 'event 2');
		followers[1].document.show(false);
		await until(() => lead.client.hasAttention(), 'back to the leader');
		await emit(1);
		await until(() => group.every((tab) => tab.seqs.length === 3), 'event 3');
		expect(lead.alerts).toEqual([1, 3]);
		expect(followers[1].alerts).toEqual([2]);
		expect(followers[0].alerts).toEqual([]);
	});
});

describe('tabs that must not share', () => {
	it('with sharing off, each client keeps its own socket', async () => {
		const own = [openTab('a', { sharingKey: false }), openTab('b', { sharingKey: false })];
		await until(() => allConnected(own), 'connected');
		expect(roles(own)).toEqual(['standalone', 'standalone']);
		expect(server.hub.stats().sockets).toBe(2);
	});

	it('another session or user has a group of its own and never sees these events', async () => {
		const sam = await server.createUser('sam');
		const samTab = openTab('sam', {
			sharingKey: 'sam-session',
			cookie: await server.makeToken(sam)
		});
		const alexTab = openTab('alex');
		await until(() => allConnected([samTab, alexTab]), 'connected');
		expect(roles([samTab, alexTab])).toEqual(['leader', 'leader']);
		expect(server.hub.stats()).toMatchObject({ sockets: 2, users: 2, peakUserSockets: 1 });
		await emit(2);
		await server.emit(sam, 'notification:new', notification(9));
		await until(() => alexTab.seqs.length === 2 && samTab.seqs.length === 1, 'events');
		expect(samTab.seqs).toEqual([1]);
	});

	it('signing out (the session closed with 4401) takes every tab of it off the connection', async () => {
		const group = await openGroup(3);
		const { id: session } = await server.db
			.selectFrom('sessions')
			.select('id')
			.where('user_id', '=', userId)
			.executeTakeFirstOrThrow();
		server.hub.endSession(session);
		await until(
			() => group.every((tab) => tab.client.getStatusDetail().reason === 'unauthorized'),
			'every tab says unauthorized'
		);
		await until(() => server.hub.stats().sockets === 0, 'no socket');
	});
});
