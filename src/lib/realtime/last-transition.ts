/**
 * What /inspect watches while it is open, from the actor system's inspection stream: the machine's
 * own events (for the event log) and the transitions it takes (the last one is marked on the
 * drawn chart). Subscribed by /inspect only, and only while it is open.
 */
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { eventLabel } from './chart';

/** A transition the machine took: from `source` on `event` (as the chart labels it). */
export interface TakenTransition {
	source: string;
	event: string;
	targets: string[];
}

export interface MachineWatcher {
	/** Each event the machine itself received. */
	onEvent(event: { type: string; [key: string]: unknown }): void;
	/** Each transition that led somewhere (targetless reactions are not drawn as arrows). */
	onTransition(transition: TakenTransition): void;
}

/** Follow `actor`'s own events and transitions; returns the function that stops following. */
export function watchMachine(actor: AnyActorRef, watcher: MachineWatcher): () => void {
	const subscription = actor.system.inspect((inspection: InspectionEvent) => {
		if (inspection.actorRef !== actor) return;
		if (inspection.type === '@xstate.event') watcher.onEvent(inspection.event);
		if (inspection.type !== '@xstate.microstep') return;
		for (const t of inspection._transitions) {
			const targets = (t.target ?? []).map((node) => node.id);
			if (targets.length === 0) continue;
			watcher.onTransition({ source: t.source.id, event: eventLabel(t.eventType), targets });
		}
	});
	return () => subscription.unsubscribe();
}
