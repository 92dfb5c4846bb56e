/**
 * The environment actor against stand-ins for `window` and `document` (real EventTargets), and the
 * socket actor's cleanup: a stopped socket cannot reach the chart any more.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fromCallback } from 'xstate';
import { connectionMachine } from '../../machines/connection';
import { createRealtimeClient } from '../../machines/client';
import { memoryStorage } from '../../machines/storage';
import { connectedFakeClient, eventFrame, startFakeClient } from '../support/connection-fakes';

/** An EventTarget that knows how many listeners it holds. */
class CountingTarget extends EventTarget {
	listeners = 0;
	visibilityState = 'visible';
	override addEventListener(...args: Parameters<EventTarget['addEventListener']>) {
		this.listeners++;
		super.addEventListener(...args);
	}
	override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>) {
		this.listeners--;
		super.removeEventListener(...args);
	}
}

describe('environment actor', () => {
	let win: CountingTarget;
	let doc: CountingTarget;

	beforeEach(() => {
		vi.useFakeTimers();
		win = new CountingTarget();
		doc = new CountingTarget();
		vi.stubGlobal('window', win);
		vi.stubGlobal('document', doc);
		vi.stubGlobal('navigator', { onLine: true });
	});

	afterEach(() => {
		vi.unstubAllGlobals();
		vi.useRealTimers();
	});

	it('turns offline and online into chart events', () => {
		const { client, fake, snapshot } = connectedFakeClient();
		win.dispatchEvent(new Event('offline'));
		expect(snapshot().value.connection).toBe('offline');
		expect(fake.live()).toHaveLength(0);
		win.dispatchEvent(new Event('online'));
		expect(snapshot().value.connection).toBe('connecting');
		client.stop();
	});

	it('turns the page becoming visible into an attempt now', () => {
		const { client, fake, snapshot } = startFakeClient();
		fake.last.serverClose(1006);
		doc.visibilityState = 'hidden';
		doc.dispatchEvent(new Event('visibilitychange'));
		expect(snapshot().value.connection).toEqual({ reconnecting: 'backoff' });
		doc.visibilityState = 'visible';
		doc.dispatchEvent(new Event('visibilitychange'));
		expect(snapshot().value.connection).toEqual({ reconnecting: 'attempting' });
		client.stop();
	});

	it('starts offline when the page loads offline', () => {
		vi.stubGlobal('navigator', { onLine: false });
		const { client, fake, snapshot } = startFakeClient();
		expect(snapshot().value.connection).toBe('offline');
		expect(fake.sockets).toHaveLength(0);
		client.stop();
	});

	it('hands the queue over when the page goes away', () => {
		const handedOver: Array<[string, string]> = [];
		const storage = {
			...memoryStorage(),
			handOver: (key: string, value: string) => void handedOver.push([key, value])
		};
		const { client } = startFakeClient({ storage, storageKey: 'outbox' });
		win.dispatchEvent(new Event('pagehide'));
		expect(handedOver).toEqual([]);
		const { id } = client.send('note', { n: 1 });
		win.dispatchEvent(new Event('pagehide'));
		expect(handedOver).toHaveLength(1);
		expect(handedOver[0][0]).toBe('outbox');
		expect(JSON.parse(handedOver[0][1])).toEqual([{ id, type: 'note', data: { n: 1 } }]);
		client.stop();
	});

	it('sends at once what another tab hands over while this one is open', () => {
		const handedOver: Array<{ id: string; type: string; data: unknown }> = [];
		const storage = {
			...memoryStorage(),
			takeHandedOver: () => (handedOver.length ? [JSON.stringify(handedOver.splice(0))] : [])
		};
		const { client, fake, context } = connectedFakeClient({ storage });
		handedOver.push({ id: 'from-a-closed-tab', type: 'note', data: { n: 1 } });
		// A key another tab removed hands nothing over.
		win.dispatchEvent(Object.assign(new Event('storage'), { key: 'x', newValue: null }));
		expect(context().queue).toEqual([]);
		win.dispatchEvent(Object.assign(new Event('storage'), { key: 'x', newValue: '[]' }));
		expect(context().queue.map((message) => message.id)).toEqual(['from-a-closed-tab']);
		expect(fake.last.sent.at(-1)).toEqual({
			type: 'note',
			id: 'from-a-closed-tab',
			data: { n: 1 }
		});
		// Taken once: a second event finds nothing more.
		win.dispatchEvent(Object.assign(new Event('storage'), { key: 'x', newValue: '[]' }));
		expect(context().queue).toHaveLength(1);
		client.stop();
	});

	it('removes its listeners when the client stops', () => {
		const { client } = startFakeClient();
		expect(win.listeners).toBe(5);
		expect(doc.listeners).toBe(3);
		client.stop();
		expect(win.listeners).toBe(0);
		expect(doc.listeners).toBe(0);
	});
});

describe('socket actor', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('a stopped socket cannot talk to the chart', () => {
		const { client, fake, snapshot, context } = connectedFakeClient();
		const old = fake.last;
		client.disconnect();
		old.readyState = 1;
		old.receive(eventFrame(1));
		old.receive({ type: 'ping' });
		old.serverClose(4401);
		expect(snapshot().value.connection).toBe('disconnected');
		expect(context().lastSeq).toBe(0);
		expect(old.sentTypes()).toEqual(['resume']);
		client.connect();
		old.serverClose(1006);
		expect(snapshot().value.connection).toBe('connecting');
		client.stop();
	});

	it('reports a constructor that throws as an abnormal close and retries', () => {
		const Throwing = function () {
			throw new SyntaxError('bad url');
		} as unknown as typeof WebSocket;
		const client = createRealtimeClient({ url: 'ws://127.0.0.1:9/ws', WebSocket: Throwing });
		expect(client.actor.getSnapshot().value.connection).toEqual({ reconnecting: 'backoff' });
		expect(client.getStatusDetail().closeCode).toBe(1006);
		client.stop();
	});

	it('can be swapped with .provide()', () => {
		const sockets: string[] = [];
		const machine = connectionMachine.provide({
			actors: {
				socket: fromCallback(({ sendBack, input }) => {
					sockets.push((input as { url: string }).url);
					sendBack({ type: 'SOCKET.OPEN' });
				})
			}
		});
		const { client, fake, snapshot } = startFakeClient({}, { machine });
		expect(snapshot().matches({ connection: 'connected' })).toBe(true);
		expect(sockets).toEqual(['ws://127.0.0.1:9/ws']);
		expect(fake.sockets).toHaveLength(0);
		client.stop();
	});
});
