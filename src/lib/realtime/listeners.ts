/**
 * Page-level listeners for server events. Pages subscribe here rather than to the client, so a
 * subscription made before the client starts (or kept across sign-out and sign-in) still works.
 */
import type { CoreEventMap, CoreEventType } from '$lib/protocol';

export type EventListener<T extends CoreEventType> = (data: CoreEventMap[T]) => void;

export class EventListeners {
	readonly #byType = new Map<CoreEventType, Set<(data: unknown) => void>>();

	/** Add a listener for one event type; returns the function that removes it. */
	add<T extends CoreEventType>(type: T, listener: EventListener<T>): () => void {
		let set = this.#byType.get(type);
		if (!set) this.#byType.set(type, (set = new Set()));
		const entry = listener as (data: unknown) => void;
		set.add(entry);
		return () => void set.delete(entry);
	}

	/** Call every listener of `type` with `data`. */
	emit<T extends CoreEventType>(type: T, data: CoreEventMap[T]): void {
		for (const listener of this.#byType.get(type) ?? []) listener(data);
	}
}
