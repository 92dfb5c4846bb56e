/**
 * Tabs of the same app, one browser, real hub and domain handlers, real clients:
 * - a message queued while offline survives a reload of its tab even when the other tab also
 *   queued something;
 * - a message still queued when its tab is closed is sent by the next page of the app, once, or
 *   at once by a tab that is open.
 *
 * The client persists its whole outgoing queue under one key (`realtime-outbox:` + url) after
 * every change, and the app creates its client with the default storage and key
 * (src/lib/realtime/realtime.svelte.ts). Were that default shared by the tabs (`localStorage`),
 * the last writer would win and a tab reloaded before it reconnects would lose its queued
 * messages. The browser is modelled as it is: one `localStorage` shared by every tab, one
 * `sessionStorage` per tab that its reload keeps; each client takes the default storage of the
 * tab it is created in, and `pagehide` on the page's window hands its queue over.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRealtimeClient, type RealtimeClient } from '../../machines/client';
import { memoryStorage, type StorageAdapter } from '../../machines/storage';
import { insertNotification } from '../../src/lib/server/domain/notifications';
import { countingWebSocket } from '../support/chaos-ws';
import { waitFor } from '../support/chaos-wait';
import { installFakeBrowser } from '../support/fake-browser';
import { fakeWebStorage } from '../support/web-storage';
import { startRealtimeTestServer, type RealtimeTestServer } from '../support/server-harness';
import { coreEventSchemas } from '../../src/lib/protocol';

let server: RealtimeTestServer | undefined;
const clients: RealtimeClient[] = [];
afterEach(async () => {
	for (const client of clients.splice(0)) client.stop();
	vi.unstubAllGlobals();
	await server?.close();
});

/** A user with notifications to mark read, and tabs of one browser for the real server. */
async function browserOfOneUser() {
	server = await startRealtimeTestServer();
	const userId = await server.createUser('tabs');
	const token = await server.makeToken(userId);
	const db = server.db;
	// One browser: localStorage shared by every tab, a sessionStorage per tab.
	vi.stubGlobal('localStorage', fakeWebStorage());
	return {
		notification: async (title: string) =>
			String(
				(await insertNotification(db, userId, { category: 'system', title, description: 'd' })).id
			),
		/** A page load in the tab whose sessionStorage is `session`: the client takes the default. */
		tab(session: StorageAdapter) {
			vi.stubGlobal('sessionStorage', session);
			const client = createRealtimeClient({
				url: server!.url,
				events: coreEventSchemas,
				WebSocket: countingWebSocket({ bearer: token }).WebSocket,
				reconnectInterval: 50,
				logger: { warn: () => {}, error: () => {} }
			});
			clients.push(client);
			return client;
		},
		/** The notifications of the user marked read, by id. */
		readIds: async () =>
			(
				await db
					.selectFrom('notifications')
					.select('id')
					.where('user_id', '=', userId)
					.where('read', '=', 1)
					.execute()
			)
				.map((row) => row.id)
				.sort()
	};
}

/** How many times the server recorded the client message `id` (the dedupe table). */
async function appliedCount(id: string): Promise<number> {
	const row = await server!.db
		.selectFrom('client_messages')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('id', '=', id)
		.executeTakeFirstOrThrow();
	return Number(row.n);
}

describe('tabs of one browser', () => {
	it('a message queued offline in one tab survives its reload while the other tab queues too', async () => {
		const { notification, tab, readIds } = await browserOfOneUser();
		const first = await notification('read in tab A');
		const second = await notification('read in tab B');
		const sessionA = memoryStorage();
		const sessionB = memoryStorage();
		const tabA = tab(sessionA);
		const tabB = tab(sessionB);
		await waitFor(() => tabA.isConnected() && tabB.isConnected(), 'both tabs connected');

		// The browser goes offline: every tab hears it.
		tabA.actor.send({ type: 'OFFLINE' });
		tabB.actor.send({ type: 'OFFLINE' });
		expect(tabA.send('notification:read', { id: first }).outcome).toBe('queued');
		expect(tabB.send('notification:read', { id: second }).outcome).toBe('queued');

		// Tab A is reloaded while still offline: the page goes away, a new client starts from storage.
		tabA.stop();
		const reloadedA = tab(sessionA);
		reloadedA.actor.send({ type: 'OFFLINE' });
		expect(reloadedA.getStatusDetail().queueLength, 'tab A still has its message').toBe(1);

		// Back online: both tabs flush what they have.
		reloadedA.actor.send({ type: 'ONLINE' });
		tabB.actor.send({ type: 'ONLINE' });
		await waitFor(
			() =>
				reloadedA.isConnected() &&
				tabB.isConnected() &&
				reloadedA.getStatusDetail().queueLength === 0 &&
				tabB.getStatusDetail().queueLength === 0,
			'both tabs flushed'
		);
		expect(await readIds(), 'both notifications were marked read').toEqual([first, second].sort());
	});

	it('a message still queued when its tab is closed is sent by a tab that is open, once', async () => {
		const { notification, tab, readIds } = await browserOfOneUser();
		const id = await notification('read in the tab that was closed');
		const browser = installFakeBrowser();
		try {
			const closing = tab(memoryStorage());
			const open = tab(memoryStorage());
			await waitFor(() => closing.isConnected() && open.isConnected(), 'both tabs connected');
			closing.actor.send({ type: 'OFFLINE' });
			const sent = closing.send('notification:read', { id });
			expect(sent.outcome).toBe('queued');
			// Tab A is closed; tab B, open and online, hears of it through a storage event.
			closing.actor.send({ type: 'PAGE.HIDE' });
			closing.stop();
			browser.window.dispatchEvent(
				Object.assign(new Event('storage'), { key: 'handed-over', newValue: '[]' })
			);
			await waitFor(
				async () => (await readIds()).length === 1,
				'tab B sent it and the server applied it'
			);
			expect(await readIds()).toEqual([id]);
			await waitFor(() => open.getStatusDetail().queueLength === 0, 'tab B had it acked');
			expect(await appliedCount(sent.id)).toBe(1);
		} finally {
			browser.uninstall();
		}
	});

	it('a message still queued when its tab is closed is sent by the next page, once', async () => {
		const { notification, tab, readIds } = await browserOfOneUser();
		const id = await notification('read in the tab that was closed');
		const browser = installFakeBrowser();
		try {
			const closing = tab(memoryStorage());
			await waitFor(() => closing.isConnected(), 'the tab connected');
			browser.offline();
			const sent = closing.send('notification:read', { id });
			expect(sent.outcome).toBe('queued');
			// The user closes the tab while offline: the page goes away with its message queued.
			browser.pageHide();
			closing.stop();

			// Later, online again, the app is opened in a new tab.
			browser.online();
			const next = tab(memoryStorage());
			expect(next.getStatusDetail().queueLength, 'the new page adopted the message').toBe(1);
			await waitFor(
				() => next.isConnected() && next.getStatusDetail().queueLength === 0,
				'the new page sent it and had it acked'
			);
			expect(await readIds()).toEqual([id]);
			expect(await appliedCount(sent.id), 'applied once').toBe(1);
		} finally {
			browser.uninstall();
		}
	});
});
