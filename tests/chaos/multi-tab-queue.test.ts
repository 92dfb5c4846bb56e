/**
 * Two tabs of the same app, one browser. A message queued while offline must survive a reload of
 * its tab even when the other tab also queued something.
 *
 * The client persists its whole outgoing queue under one key (`realtime-outbox:` + url) after
 * every change, and the app creates its client with the default storage and key
 * (src/lib/realtime/realtime.svelte.ts). Were that default shared by the tabs (`localStorage`),
 * the last writer would win and a tab reloaded before it reconnects would lose its queued
 * messages. The browser is modelled as it is: one `localStorage` shared by both tabs, one
 * `sessionStorage` per tab that its reload keeps; each client takes the default storage of the
 * tab it is created in. Real hub and domain handlers, real clients.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRealtimeClient, type RealtimeClient } from '../../machines/client';
import { memoryStorage, type StorageAdapter } from '../../machines/storage';
import { registerDomainHandlers } from '../../src/lib/server/domain/handlers';
import { insertNotification } from '../../src/lib/server/domain/notifications';
import { countingWebSocket } from '../support/chaos-ws';
import { waitFor } from '../support/chaos-wait';
import { startRealtimeTestServer, type RealtimeTestServer } from '../support/server-harness';

let server: RealtimeTestServer | undefined;
const clients: RealtimeClient[] = [];
afterEach(async () => {
	for (const client of clients.splice(0)) client.stop();
	vi.unstubAllGlobals();
	await server?.close();
});

describe('two tabs, one storage', () => {
	it('a message queued offline in one tab survives its reload while the other tab queues too', async () => {
		server = await startRealtimeTestServer();
		registerDomainHandlers(server.hub, server.db);
		const userId = server.createUser('tabs');
		const token = server.makeToken(userId);
		const notification = (title: string) =>
			String(
				insertNotification(server!.db, userId, { category: 'system', title, description: 'd' }).id
			);
		const first = notification('read in tab A');
		const second = notification('read in tab B');
		// One browser: localStorage shared by every tab, a sessionStorage per tab.
		vi.stubGlobal('localStorage', memoryStorage());
		const sessionA = memoryStorage();
		const sessionB = memoryStorage();
		/** A page load in the tab whose sessionStorage is `session`: the client takes the default. */
		const tab = (session: StorageAdapter) => {
			vi.stubGlobal('sessionStorage', session);
			const client = createRealtimeClient({
				url: server!.url,
				WebSocket: countingWebSocket({ bearer: token }).WebSocket,
				reconnectInterval: 50,
				logger: { warn: () => {}, error: () => {} }
			});
			clients.push(client);
			return client;
		};
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
		const read = server.db
			.prepare<[number], string>('SELECT id FROM notifications WHERE user_id = ? AND read = 1')
			.pluck()
			.all(userId);
		expect(read.sort(), 'both notifications were marked read').toEqual([first, second].sort());
	});
});
