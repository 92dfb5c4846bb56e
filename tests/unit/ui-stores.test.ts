/**
 * The Svelte stores over the connection actor (@xstate/svelte's useSelector): they follow the
 * real client's actor, and subscribe to it only while something reads them, so /inspect's stores
 * cost nothing once the page is closed.
 */
import { get } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
	liveStore,
	snapshotStore,
	statusDetailStore,
	statusViewStore
} from '../../src/lib/realtime/stores';
import { startFakeClient } from '../support/connection-fakes';

describe('useSelector stores over the actor', () => {
	beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
	afterEach(() => vi.useRealTimers());

	it('follow the actor: the dot, the detail and the badges’ live state', () => {
		const { client, fake } = startFakeClient({ autoConnect: false });
		const view = statusViewStore(client.actor);
		const live = liveStore(client.actor);
		const detail = statusDetailStore(client.actor);
		const seen: string[] = [];
		const off = view.subscribe((v) => seen.push(v.label));
		client.connect();
		fake.last.open();
		expect(get(live)).toBe(true);
		client.disconnect();
		expect(get(live)).toBe(false);
		expect(get(detail).reason).toBe('manual');
		off();
		// One entry per change the dot shows, not one per snapshot.
		expect(seen).toEqual(['Disconnected', 'Connecting', 'Connected', 'Disconnected']);
		client.stop();
	});

	it('subscribe to the actor only while read', () => {
		const { client } = startFakeClient({ autoConnect: false });
		let subscribed = 0;
		const subscribe = client.actor.subscribe.bind(client.actor);
		vi.spyOn(client.actor, 'subscribe').mockImplementation(((observer: never) => {
			subscribed += 1;
			const subscription = subscribe(observer);
			return { unsubscribe: () => ((subscribed -= 1), subscription.unsubscribe()) };
		}) as typeof client.actor.subscribe);
		const snapshot = snapshotStore(client.actor);
		expect(subscribed).toBe(0);
		const off = snapshot.subscribe(() => undefined);
		expect(subscribed).toBe(1);
		off();
		expect(subscribed).toBe(0);
		client.stop();
	});

	it('hold the server-rendered values without a client, or "off" when live updates are off', () => {
		expect(get(statusViewStore(null)).label).toBe('Connecting');
		expect(get(statusViewStore(null, 'switched off')).status).toBe('off');
		expect(get(liveStore(null))).toBe(false);
		expect(get(snapshotStore(null))).toBeNull();
	});
});
