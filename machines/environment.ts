/**
 * The environment actor: the browser's `online`, `offline`, `visibilitychange`, `pagehide`,
 * `pageshow` (back from the back/forward cache) and the page lifecycle's `freeze`/`resume` as
 * chart events. One actor for the client's whole life; where there is no `window` (Node) it does
 * nothing.
 *
 * It also watches `storage` events, which a tab gets when another tab writes `localStorage`: when
 * a closing tab hands its queue over (see `browserStorage`), an open tab takes those messages at
 * once and sends them on as if the app had sent them here (`SEND`, with their own ids), instead of
 * leaving them for the next page that starts.
 */
import { fromCallback, type AnyEventObject } from 'xstate';
import type { QueuedMessage } from './queue';

/** What the environment reports to the chart. */
export type EnvironmentEvent =
	| { type: 'ONLINE' }
	| { type: 'OFFLINE' }
	| { type: 'VISIBLE' }
	/** The page is going away (closed, reloaded, navigated off, or put in the back/forward cache). */
	| { type: 'PAGE.HIDE' }
	/** The page is about to be frozen (a background tab the browser stops running). */
	| { type: 'PAGE.FREEZE' }
	/** The page is back: restored from the back/forward cache, or resumed after a freeze. */
	| { type: 'PAGE.SHOW' };

/** The environment actor's logic (see `environmentActor`). */
export type EnvironmentLogic = ReturnType<typeof environmentActor>;

/**
 * The environment actor logic; the chart invokes it as `environment` at its root.
 * `takeHandedOver` takes the messages other pages handed over for this client's queue (none if
 * there are none).
 */
export function environmentActor(takeHandedOver: () => QueuedMessage[] = () => []) {
	return fromCallback<AnyEventObject>(({ sendBack }) => {
		const report: (event: EnvironmentEvent | { type: 'SEND'; message: QueuedMessage }) => void =
			sendBack as (event: AnyEventObject) => void;
		const scope = globalThis as {
			window?: EventTarget;
			document?: EventTarget & { visibilityState?: string };
			navigator?: { onLine?: boolean };
		};
		const { window: win, document: doc } = scope;
		if (!win || typeof win.addEventListener !== 'function') return;
		const tell = (type: EnvironmentEvent['type']) => () => report({ type });
		// Each page event and what it tells the chart, on the window or the document.
		const listeners: [EventTarget | undefined, string, (event: Event) => void][] = [
			[win, 'online', tell('ONLINE')],
			[win, 'offline', tell('OFFLINE')],
			[win, 'pagehide', tell('PAGE.HIDE')],
			// A first load fires pageshow too (persisted false): only a restored page is news.
			[
				win,
				'pageshow',
				(event) => (event as PageTransitionEvent).persisted && report({ type: 'PAGE.SHOW' })
			],
			[
				win,
				'storage',
				(event) => {
					// A key removed (`newValue` null) hands nothing over.
					if ((event as StorageEvent).newValue === null) return;
					for (const message of takeHandedOver()) report({ type: 'SEND', message });
				}
			],
			[
				doc,
				'visibilitychange',
				() => doc?.visibilityState === 'visible' && report({ type: 'VISIBLE' })
			],
			[doc, 'freeze', tell('PAGE.FREEZE')],
			[doc, 'resume', tell('PAGE.SHOW')]
		];
		for (const [target, type, listener] of listeners) target?.addEventListener(type, listener);
		// A page loaded while offline gets no `offline` event: tell the chart now.
		if (scope.navigator?.onLine === false) report({ type: 'OFFLINE' });
		return () => {
			for (const [target, type, listener] of listeners) target?.removeEventListener(type, listener);
		};
	});
}
