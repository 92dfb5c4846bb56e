/** The clock chart behind relative labels: it reads the time at start and on every tick, and stops its timer. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { CLOCK_TICK_MS, clockMachine } from '../../src/lib/clock-machine';

const START = Date.parse('2026-12-04T09:00:00Z');

describe('clockMachine', () => {
	beforeEach(() => {
		vi.useFakeTimers();
		vi.setSystemTime(START);
	});
	afterEach(() => vi.useRealTimers());

	it('reads the time when it starts and again on every tick, not in between', () => {
		const actor = createActor(clockMachine).start();
		expect(actor.getSnapshot().context.now).toBe(START);

		vi.advanceTimersByTime(CLOCK_TICK_MS - 1);
		expect(actor.getSnapshot().context.now).toBe(START);
		vi.advanceTimersByTime(1);
		expect(actor.getSnapshot().context.now).toBe(START + CLOCK_TICK_MS);
		vi.advanceTimersByTime(CLOCK_TICK_MS);
		expect(actor.getSnapshot().context.now).toBe(START + 2 * CLOCK_TICK_MS);
		actor.stop();
	});

	it('leaves no timer behind once stopped', () => {
		const actor = createActor(clockMachine).start();
		expect(vi.getTimerCount()).toBe(1);
		actor.stop();
		expect(vi.getTimerCount()).toBe(0);
	});
});
