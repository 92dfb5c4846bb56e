// See https://svelte.dev/docs/kit/types#app.d.ts
import type { EventStore } from '$lib/server/outbox/event-store';

declare global {
	namespace App {
		interface Locals {
			user: { id: number; email: string; name: string } | null;
			/** The app's store: reads on `store.db`, changes with their events in `store.transaction`. */
			store: EventStore;
		}
	}
}

export {};
