/**
 * The chart behind `clock` (clock.svelte.ts): it reads the time when it starts and again every
 * `tick`, so relative labels ("5 min ago") move on while a page is open. The timer is the chart's
 * own `after`, which the actor clears when it stops: no interval of the UI lives outside a chart.
 */
import { assign, setup } from 'xstate';

/** How often relative labels move on; their finest step is a minute. */
export const CLOCK_TICK_MS = 30_000;

export const clockMachine = setup({
	types: { context: {} as { now: number } },
	actions: {
		readClock: assign({ now: () => Date.now() })
	},
	delays: { tick: CLOCK_TICK_MS }
}).createMachine({
	id: 'clock',
	context: () => ({ now: Date.now() }),
	initial: 'ticking',
	states: {
		ticking: {
			after: { tick: { target: 'ticking', reenter: true, actions: 'readClock' } }
		}
	}
});
