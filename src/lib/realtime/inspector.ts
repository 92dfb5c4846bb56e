/**
 * PUBLIC_XSTATE_INSPECT=true: connect the connection actor to the Stately inspector. The package
 * is loaded with a dynamic import only in that case, so normal pages never download it.
 */
import type { AnyActorRef } from 'xstate';

/** Open the Stately browser inspector on `actor`; returns a function that detaches it. */
export async function attachStatelyInspector(actor: AnyActorRef): Promise<() => void> {
	const { createBrowserInspector } = await import('@statelyai/inspect');
	const inspector = createBrowserInspector();
	// The actor is already running: register it by hand, then stream what happens next.
	inspector.actor(actor, actor.getSnapshot());
	const subscription = actor.system.inspect(inspector.inspect);
	return () => {
		subscription.unsubscribe();
		inspector.stop();
	};
}
