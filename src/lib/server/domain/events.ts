import type { CoreEventMap, CoreEventType } from '$machines/protocol';
import { getHub } from '$lib/server/realtime/hub';

/**
 * Send one core event to every socket of a user, typed by the protocol's event map. The hub
 * stores it in the user's event log first, so a user who is offline gets it on resume. Callers
 * emit only after their own database write has committed, so an event never announces a change
 * that could still roll back.
 */
export function emitEvent<K extends CoreEventType>(
	userId: number,
	type: K,
	data: CoreEventMap[K]
): void {
	getHub().emit(userId, type, data);
}
