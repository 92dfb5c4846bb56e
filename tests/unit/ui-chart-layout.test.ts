/**
 * The drawn chart's layout: the ELK graph built from the real connection chart, and elkjs laying
 * it out (in Node, elkjs's bundled build; the browser runs the same algorithm in a worker).
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { createActor, setup } from 'xstate';
import { connectionMachine } from 'statechart-websocket';
import { chartNodes, eventLabel, transitionLabel } from '../../src/lib/realtime/chart';
import { elkGraph, layoutChart, pathOf } from '../../src/lib/realtime/chart-layout';
import { watchMachine, type TakenTransition } from '../../src/lib/realtime/last-transition';

const inside = (
	inner: { x: number; y: number; width: number; height: number },
	outer: { x: number; y: number; width: number; height: number }
) =>
	inner.x >= outer.x &&
	inner.y >= outer.y &&
	inner.x + inner.width <= outer.x + outer.width &&
	inner.y + inner.height <= outer.y + outer.height;

describe('chart layout', () => {
	const nodes = chartNodes(connectionMachine);

	it('nests every state in its parent and draws an arrow per targeted transition', () => {
		const graph = elkGraph(nodes);
		expect(graph.children).toHaveLength(1);
		expect(graph.children?.[0].id).toBe(connectionMachine.id);
		const targeted = nodes.flatMap((n) => n.transitions.flatMap((t) => t.targets));
		expect(graph.edges).toHaveLength(targeted.length);
		// Guarded transitions carry their guard: "EVENT [guard]".
		const labels = graph.edges?.map((e) => e.labels?.[0].text ?? '') ?? [];
		expect(labels.some((label) => /^\S+ \[\w+\]$/.test(label))).toBe(true);
	});

	it('lays the real chart out: children inside parents, every arrow with points and a label', async () => {
		const layout = await layoutChart(new ELK(), nodes);
		expect(layout.states.map((s) => s.id).sort()).toEqual(nodes.map((n) => n.id).sort());
		const byId = new Map(layout.states.map((s) => [s.id, s]));
		const parentOf = new Map(nodes.map((n) => [n.id, n.parent ?? '']));
		for (const state of layout.states) {
			const parentId = parentOf.get(state.id) ?? '';
			const parent = byId.get(parentId);
			if (parent) expect(inside(state, parent), `${state.id} inside ${parentId}`).toBe(true);
		}
		for (const t of layout.transitions) {
			expect(t.points.length, t.id).toBeGreaterThanOrEqual(2);
			expect(t.labelBox, t.id).not.toBeNull();
			expect(pathOf(t.points)).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
		}
		expect(layout.width).toBeGreaterThan(0);
	});

	it('labels events as the chart shows them', () => {
		expect(eventLabel('xstate.after.backoff.connection.reconnecting.backoff')).toBe(
			'after backoff'
		);
		expect(eventLabel('')).toBe('always');
		expect(eventLabel('SOCKET.OPEN')).toBe('SOCKET.OPEN');
		expect(transitionLabel({ event: 'CONNECT', guard: 'isOffline' })).toBe('CONNECT [isOffline]');
	});
});

describe('watchMachine', () => {
	it('reports the machine’s own events and the transitions it takes, until unsubscribed', () => {
		const machine = setup({
			types: { events: {} as { type: 'GO' } | { type: 'PING' } }
		}).createMachine({
			id: 'm',
			initial: 'a',
			states: { a: { on: { GO: 'b', PING: {} } }, b: { on: { GO: 'a' } } }
		});
		const actor = createActor(machine).start();
		const events: string[] = [];
		const taken: TakenTransition[] = [];
		const stop = watchMachine(actor, {
			onEvent: (event) => events.push(event.type),
			onTransition: (t) => taken.push(t)
		});
		actor.send({ type: 'PING' });
		actor.send({ type: 'GO' });
		stop();
		actor.send({ type: 'GO' });
		expect(events).toEqual(['PING', 'GO']);
		expect(taken).toEqual([{ source: 'm.a', event: 'GO', targets: ['m.b'] }]);
		actor.stop();
	});
});
