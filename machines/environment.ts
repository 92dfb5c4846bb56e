/**
 * The environment actor: the browser's `online`, `offline`, `visibilitychange` and `pagehide` as
 * chart events. One actor for the client's whole life; where there is no `window` (Node) it does
 * nothing.
 */
import { fromCallback, type AnyEventObject } from 'xstate';

/** What the environment reports to the chart. */
export type EnvironmentEvent =
	| { type: 'ONLINE' }
	| { type: 'OFFLINE' }
	| { type: 'VISIBLE' }
	/** The page is going away (closed, reloaded, navigated off, or put in the back/forward cache). */
	| { type: 'PAGE.HIDE' };

/** The environment actor logic; the chart invokes it as `environment` at its root. */
export const environmentActor = fromCallback(({ sendBack }) => {
	const report: (event: EnvironmentEvent) => void = sendBack as (event: AnyEventObject) => void;
	const scope = globalThis as {
		window?: EventTarget;
		document?: EventTarget & { visibilityState?: string };
		navigator?: { onLine?: boolean };
	};
	const { window: win, document: doc } = scope;
	if (!win || typeof win.addEventListener !== 'function') return;
	const onOnline = () => report({ type: 'ONLINE' });
	const onOffline = () => report({ type: 'OFFLINE' });
	const onVisibility = () => {
		if (doc?.visibilityState === 'visible') report({ type: 'VISIBLE' });
	};
	const onPageHide = () => report({ type: 'PAGE.HIDE' });
	win.addEventListener('online', onOnline);
	win.addEventListener('offline', onOffline);
	win.addEventListener('pagehide', onPageHide);
	doc?.addEventListener('visibilitychange', onVisibility);
	// A page loaded while offline gets no `offline` event: tell the chart now.
	if (scope.navigator?.onLine === false) onOffline();
	return () => {
		win.removeEventListener('online', onOnline);
		win.removeEventListener('offline', onOffline);
		win.removeEventListener('pagehide', onPageHide);
		doc?.removeEventListener('visibilitychange', onVisibility);
	};
});
