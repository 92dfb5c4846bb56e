/**
 * The current time for relative labels ("5 min ago"), as a reactive value: reading `clock.now`
 * in an effect or template subscribes to it. The first reader starts the clock chart
 * (clock-machine.ts), which reads the time at once (a page restored after a while shows the right
 * time) and then on every tick; the last reader going away stops it, and its timer with it. On
 * the server it is the render's time.
 */
import { browser } from '$app/environment';
import { createSubscriber } from 'svelte/reactivity';
import { createActor } from 'xstate';
import { clockMachine } from './clock-machine';

class Clock {
	#now = Date.now();
	#subscribe = createSubscriber((update) => {
		const actor = createActor(clockMachine);
		actor.subscribe(({ context }) => {
			this.#now = context.now;
			update();
		});
		actor.start();
		return () => actor.stop();
	});

	get now(): number {
		this.#subscribe();
		// The server renders each page at its own time; the browser follows the ticks.
		return browser ? this.#now : Date.now();
	}
}

export const clock = new Clock();
