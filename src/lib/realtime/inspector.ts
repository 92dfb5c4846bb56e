/**
 * PUBLIC_XSTATE_INSPECT=true: connect the connection actor to the Stately inspector. The package
 * is loaded with a dynamic import only in that case, so normal pages never download it.
 */
import type { AnyActorRef } from 'xstate';
import { readFlag } from './env';

/**
 * When `setting` (PUBLIC_XSTATE_INSPECT) is true, open the Stately browser inspector on `actor`.
 * Returns the function that detaches it (also if called before the package finished loading).
 */
export function inspectWhenEnabled(actor: AnyActorRef, setting: string | undefined): () => void {
	try {
		if (!readFlag('PUBLIC_XSTATE_INSPECT', setting, false)) return () => undefined;
	} catch (error) {
		console.error(error);
		return () => undefined;
	}
	let detach: (() => void) | null = null;
	let stopped = false;
	attach(actor).then(
		(d) => (stopped ? d() : (detach = d)),
		(error) => console.error('Stately inspector unavailable', error)
	);
	return () => {
		stopped = true;
		detach?.();
	};
}

async function attach(actor: AnyActorRef): Promise<() => void> {
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
