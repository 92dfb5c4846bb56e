import { describe, expect, it } from 'vitest';
import { createActor, createMachine, setup } from 'xstate';
import { chartNodes, isActive, pathToStateValue } from '../../src/lib/realtime/chart';
import { appendEvent, summarizeEvent, type LoggedEvent } from '../../src/lib/realtime/event-log';

const machine = setup({
	types: { events: {} as { type: 'GO' } | { type: 'STOP' } },
	guards: { ready: () => true },
	delays: { wait: 1000 }
}).createMachine({
	id: 'demo',
	initial: 'idle',
	states: {
		idle: { on: { GO: [{ guard: 'ready', target: 'busy' }, { target: 'idle' }] } },
		busy: {
			type: 'parallel',
			on: { STOP: 'idle' },
			states: {
				left: { initial: 'a', states: { a: { after: { wait: 'b' } }, b: {} } },
				right: { initial: 'x', states: { x: {} } }
			}
		}
	}
});

describe('chartNodes', () => {
	it('lists every state node from the definition, root first, in document order', () => {
		const nodes = chartNodes(machine);
		expect(nodes.map((n) => n.id)).toEqual([
			'demo',
			'demo.idle',
			'demo.busy',
			'demo.busy.left',
			'demo.busy.left.a',
			'demo.busy.left.b',
			'demo.busy.right',
			'demo.busy.right.x'
		]);
		expect(nodes.map((n) => n.depth)).toEqual([0, 1, 1, 2, 3, 3, 2, 3]);
	});

	it('marks initial states, types, events and targets', () => {
		const byId = new Map(chartNodes(machine).map((n) => [n.id, n]));
		expect(byId.get('demo.idle')).toMatchObject({ initial: true, type: 'atomic' });
		expect(byId.get('demo.idle')?.transitions).toEqual([
			{ event: 'GO', guard: 'ready', targets: ['demo.busy'] },
			{ event: 'GO', guard: null, targets: ['demo.idle'] }
		]);
		expect(byId.get('demo.busy')).toMatchObject({ initial: false, type: 'parallel' });
		expect(byId.get('demo.busy')?.transitions).toEqual([
			{ event: 'STOP', guard: null, targets: ['demo.idle'] }
		]);
		expect(byId.get('demo.busy.left.a')?.transitions).toEqual([
			{ event: 'after wait', guard: null, targets: ['demo.busy.left.b'] }
		]);
		expect(byId.get('demo.busy.left.b')).toMatchObject({ initial: false, transitions: [] });
	});

	it('reads a machine without setup() too', () => {
		const plain = createMachine({ id: 'p', initial: 'one', states: { one: {} } });
		expect(chartNodes(plain).map((n) => n.key)).toEqual(['p', 'one']);
	});
});

describe('isActive', () => {
	it('marks the active states of a running actor, parallel regions included', () => {
		const actor = createActor(machine).start();
		const active = () =>
			chartNodes(machine)
				.filter((n) => isActive(actor.getSnapshot(), n.path))
				.map((n) => n.id);
		expect(active()).toEqual(['demo', 'demo.idle']);
		actor.send({ type: 'GO' });
		expect(active()).toEqual([
			'demo',
			'demo.busy',
			'demo.busy.left',
			'demo.busy.left.a',
			'demo.busy.right',
			'demo.busy.right.x'
		]);
		actor.stop();
	});

	it('builds nested state values from paths', () => {
		expect(pathToStateValue(['a'])).toBe('a');
		expect(pathToStateValue(['a', 'b', 'c'])).toEqual({ a: { b: 'c' } });
	});
});

describe('event log', () => {
	const entry = (n: number): LoggedEvent => ({ n, at: n, type: 'E', summary: '' });

	it('keeps the newest 50, newest first', () => {
		let log: LoggedEvent[] = [];
		for (let n = 1; n <= 60; n++) log = appendEvent(log, entry(n));
		expect(log).toHaveLength(50);
		expect(log[0].n).toBe(60);
		expect(log.at(-1)?.n).toBe(11);
	});

	it('summarizes payloads in one short line without expanding objects', () => {
		expect(summarizeEvent({ type: 'CONNECT' })).toBe('');
		expect(summarizeEvent({ type: 'CLOSE', code: 1001, reason: '' })).toBe(
			'{"code":1001,"reason":""}'
		);
		expect(summarizeEvent({ type: 'OPEN', socket: new (class WebSocket {})() })).toBe(
			'{"socket":"[WebSocket]"}'
		);
		expect(summarizeEvent({ type: 'ERR', error: new TypeError('bad') })).toBe(
			'{"error":"[TypeError: bad]"}'
		);
		const long = summarizeEvent({ type: 'MESSAGE', data: 'x'.repeat(500) });
		expect(long).toHaveLength(120);
		expect(long.endsWith('…')).toBe(true);
	});

	it('survives cyclic payloads', () => {
		const data: Record<string, unknown> = {};
		data.self = data;
		expect(summarizeEvent({ type: 'X', data })).toBe('[unserializable]');
	});
});
