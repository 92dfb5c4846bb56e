import type { CoreEventMap, CoreEventType } from '$lib/protocol';
import type { RealtimeHub } from '$lib/server/realtime/hub';

export { getHub } from '$lib/server/realtime/hub';

/**
 * Where domain events go: the process's hub (`getHub()`, the default of every function that
 * emits) or a test's own hub.
 */
export type EventSink = Pick<RealtimeHub, 'emit'>;

/**
 * Send one core event to every socket of a user, typed by the protocol's event map. The hub
 * stores it in the user's event log first, so a user who is offline gets it on resume. Callers
 * emit only after their own database write has committed, so an event never announces a change
 * that could still roll back.
 */
export function emitEvent<K extends CoreEventType>(
	sink: EventSink,
	userId: number,
	type: K,
	data: CoreEventMap[K]
): void {
	sink.emit(userId, type, data);
}
