/**
 * The current time for relative labels ("5 min ago"), as a reactive value: reading `clock.now`
 * in an effect or template subscribes to it, and one interval (started by the first reader,
 * cleared when the last goes away) moves it on every 30 s. On the server it is the render's time.
 */
import { browser } from '$app/environment';
import { createSubscriber } from 'svelte/reactivity';

const TICK_MS = 30_000;

class Clock {
	#now = Date.now();
	#subscribe = createSubscriber((update) => {
		const tick = () => {
			this.#now = Date.now();
			update();
		};
		// A page restored or re-rendered after a while shows the right time at once.
		tick();
		const interval = setInterval(tick, TICK_MS);
		return () => clearInterval(interval);
	});

	get now(): number {
		this.#subscribe();
		// The server renders each page at its own time; the browser follows the ticks.
		return browser ? this.#now : Date.now();
	}
}

export const clock = new Clock();
