/**
 * The facade: status and its reasons, status listeners, stop() leaving nothing behind, and the
 * chart running on xstate's SimulatedClock instead of fake timers.
 */
import { SimulatedClock } from 'xstate';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionStatus } from '../../machines/status';
import { connectedFakeClient, startFakeClient } from '../support/connection-fakes';

describe('client', () => {
	beforeEach(() => vi.useFakeTimers({ now: 2_000_000 }));
	afterEach(() => vi.useRealTimers());

	it('maps every state to a status and a reason', () => {
		const { client, fake } = startFakeClient({ autoConnect: false, maxReconnectAttempts: 1 });
		const seen = () => [client.getStatus(), client.getStatusDetail().reason];
		expect(seen()).toEqual(['disconnected', 'idle']);
		client.connect();
		expect(seen()).toEqual(['connecting', null]);
		fake.last.open();
		expect(seen()).toEqual(['connected', null]);
		fake.last.serverClose(1006);
		expect(seen()).toEqual(['reconnecting', 'closed']);
		expect(client.getStatusDetail()).toMatchObject({
			attempt: 0,
			maxAttempts: 1,
			nextRetryAt: Date.now() + 1000,
			closeCode: 1006
		});
		vi.advanceTimersByTime(1000);
		expect(seen()).toEqual(['reconnecting', 'closed']);
		vi.advanceTimersByTime(5000);
		expect(seen()).toEqual(['disconnected', 'max-attempts']);
		client.connect();
		client.actor.send({ type: 'OFFLINE' });
		expect(seen()).toEqual(['disconnected', 'offline']);
		client.disconnect();
		expect(seen()).toEqual(['disconnected', 'manual']);
		client.stop();
	});

	it('tells onConnected of each welcome: a new session, not a socket the server only opened', () => {
		const { client, fake } = startFakeClient({ autoConnect: false });
		const sessions: Array<{ heartbeatInterval: number; lastSeq: number }> = [];
		const off = client.onConnected((welcome) => sessions.push(welcome));
		client.connect();
		fake.last.open();
		fake.last.serverClose(1006);
		expect(sessions).toEqual([]);
		vi.advanceTimersByTime(1000);
		fake.last.open();
		fake.last.receive({ type: 'welcome', data: { heartbeatInterval: 25_000, lastSeq: 0 } });
		fake.last.receive({ type: 'welcome', data: { heartbeatInterval: 25_000, lastSeq: 3 } });
		expect(sessions).toEqual([
			{ heartbeatInterval: 25_000, lastSeq: 0 },
			{ heartbeatInterval: 25_000, lastSeq: 3 }
		]);
		off();
		fake.last.receive({ type: 'welcome', data: { heartbeatInterval: 25_000, lastSeq: 3 } });
		expect(sessions).toHaveLength(2);
		client.stop();
	});

	it('sends the chart no event for a socket error: the close that follows is what it acts on', () => {
		const received: string[] = [];
		const { client, fake } = startFakeClient(
			{ autoConnect: false },
			{
				inspect: (event) => {
					if (event.type === '@xstate.event' && event.actorRef.sessionId === event.rootId) {
						received.push(event.event.type);
					}
				}
			}
		);
		client.connect();
		fake.last.open();
		fake.last.fail();
		expect(received.filter((type) => type.startsWith('SOCKET.'))).toEqual([
			'SOCKET.OPEN',
			'SOCKET.CLOSED'
		]);
		expect(client.getStatus()).toBe('reconnecting');
		client.stop();
	});

	it('calls status listeners on each change only, until they unsubscribe', () => {
		const { client, fake } = startFakeClient({ autoConnect: false });
		const changes: ConnectionStatus[] = [];
		const off = client.onStatusChange((status, detail) => {
			expect(detail.status).toBe(status);
			changes.push(status);
		});
		client.connect();
		fake.last.open();
		fake.last.receive({ type: 'ping' });
		fake.last.serverClose(1006);
		vi.advanceTimersByTime(1000);
		fake.last.open();
		off();
		client.disconnect();
		expect(changes).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
		client.stop();
	});

	it('stop() closes the socket, clears every timer and drops later sends', () => {
		const { client, fake } = connectedFakeClient();
		expect(vi.getTimerCount()).toBe(1);
		client.stop();
		expect(vi.getTimerCount()).toBe(0);
		expect(fake.last.closedByClient).toEqual({ code: 1000, reason: 'client closing' });
		expect(fake.last.listenerCount('message')).toBe(0);
		expect(client.send('note', 1).outcome).toBe('dropped');
	});

	it('stop() while backing off leaves no timer', () => {
		const { client, fake } = connectedFakeClient();
		fake.last.serverClose(1006);
		expect(vi.getTimerCount()).toBe(1);
		client.stop();
		expect(vi.getTimerCount()).toBe(0);
	});
});

describe('client on a SimulatedClock', () => {
	it('runs the backoff and the connect timeout on the simulated clock', () => {
		const clock = new SimulatedClock();
		clock.set(10_000);
		const { client, fake, snapshot } = startFakeClient({ now: () => clock.now() }, { clock });
		clock.increment(4_999);
		expect(snapshot().value.connection).toBe('connecting');
		clock.increment(1);
		expect(snapshot().value.connection).toEqual({ reconnecting: 'backoff' });
		expect(client.getStatusDetail().nextRetryAt).toBe(15_000 + 1000);
		clock.increment(1000);
		expect(snapshot().value.connection).toEqual({ reconnecting: 'attempting' });
		fake.last.open();
		expect(snapshot().matches({ connection: 'connected' })).toBe(true);
		client.stop();
	});
});
