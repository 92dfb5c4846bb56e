/** Hands the page's RealtimeState from the root layout to every component below it. */
import { getContext, setContext } from 'svelte';
import { RealtimeState } from './realtime.svelte';

const KEY = Symbol('realtime');

/** Create the state for this page tree (root layout only). */
export function provideRealtime(): RealtimeState {
	return setContext(KEY, new RealtimeState());
}

/** The state provided by the root layout. */
export function useRealtime(): RealtimeState {
	const state = getContext<RealtimeState | undefined>(KEY);
	if (!state) throw new Error('useRealtime() needs the root layout to call provideRealtime()');
	return state;
}
