/**
 * The Svelte side of the connection: one realtime client per signed-in page, created in the
 * browser only. The status dot reads the actor through a `useSelector` store (stores.ts); the
 * badges count live events; toasts and sound are side effects of events and status changes, not
 * of snapshots. Components read this state; none of them opens a socket or runs a timer.
 */
import { untrack } from 'svelte';
import { goto, invalidateAll } from '$app/navigation';
import { resolve } from '$app/paths';
import { page } from '$app/state';
import { env } from '$env/dynamic/public';
import {
	createRealtimeClient,
	type ConnectionStatus,
	type RealtimeClient,
	type StatusDetail
} from 'statechart-websocket';
import { shareTabs } from 'statechart-websocket/tabs';
import { coreEventSchemas, type CoreEventMap, type CoreEventType } from '$lib/protocol';
import { BadgeCounts, type CountsSnapshot } from './badge-counts.svelte';
import { readFlag, wsUrl } from './env';
import { inspectWhenEnabled } from './inspector';
import { EventListeners, type EventListener } from './listeners';
import { PreferencesState } from './preferences.svelte';
import { signInPath } from './session';
import { liveStore, statusViewStore } from './stores';
import { ToastDeck } from './toast-deck';
import { LiveToasts } from './toasts';

/** The window event dispatched after page data was reloaded because events may have been missed. */
export const RECONNECTED_EVENT = 'websocket:reconnected';

const CORE_EVENTS: CoreEventType[] = [
	'job:recommendation',
	'application:status_change',
	'notification:new',
	'notification:read'
];

export class RealtimeState {
	/** The client while one runs (browser, signed in, live updates on). */
	client = $state.raw<RealtimeClient<CoreEventMap> | null>(null);
	/** Why live updates are off, when they are (setting or configuration error). */
	offReason = $state<string | undefined>(undefined);
	/** What the status dot shows: a `useSelector` store over the actor (read it as `$view`). */
	view = $derived(statusViewStore(this.client?.actor ?? null, this.offReason));
	/** Whether the badges' counts follow live events now (a `useSelector` store: `$live`). */
	live = $derived(liveStore(this.client?.actor ?? null));

	/** New recommendations (the Jobs badge). */
	get jobsBadge(): number {
		return this.#counts.jobs;
	}

	/** Unread notifications (the bell). */
	get unread(): number {
		return this.#counts.unread;
	}

	readonly preferences = new PreferencesState();
	readonly #toasts = new LiveToasts(
		() => this.preferences.current,
		new ToastDeck(),
		// One beep per event across the tabs sharing the connection (see machines/tabs.ts).
		() => this.client?.hasAttention() ?? true
	);
	readonly #listeners = new EventListeners();
	readonly #counts = new BadgeCounts();
	/** The sign-in page was opened once for an ended session (never twice, so never a loop). */
	#sentToSignIn = false;
	/** Sessions the server welcomed (a socket it closes at once, e.g. 4401, is not one). */
	#connections = 0;
	#reloadedConnection = -1;

	/**
	 * Start live updates for the signed-in user (browser only); returns the cleanup that stops
	 * the client. `lastSeq` is the user's latest event seq when the page data was loaded: the
	 * client resumes from it, so what the page already shows is not replayed as news, and what
	 * happened since arrives (toasts, badges) as live events do. `tabKey` names the session's tab
	 * group: its tabs share one socket (see the layout's `tabKey`).
	 * With PUBLIC_ENABLE_WEBSOCKETS=false no socket is opened and the dot says so.
	 * Untracked: called from an effect, it must not make that effect depend on the state it sets.
	 */
	start(lastSeq: number, tabKey: string): () => void {
		return untrack(() => this.#start(lastSeq, tabKey));
	}

	#start(lastSeq: number, tabKey: string): () => void {
		let client: RealtimeClient<CoreEventMap>;
		try {
			if (!readFlag('PUBLIC_ENABLE_WEBSOCKETS', env.PUBLIC_ENABLE_WEBSOCKETS, true)) {
				this.offReason = 'Live updates are switched off here: reload the page to see changes.';
				return () => undefined;
			}
			// Tabs of this session share one connection; another session's tabs never join it.
			client = createRealtimeClient({
				url: wsUrl(env.PUBLIC_WS_URL),
				autoConnect: false,
				lastSeq,
				events: coreEventSchemas,
				tabSharing: shareTabs({ key: tabKey })
			});
		} catch (error) {
			this.offReason = `Live updates are off: ${(error as Error).message}`;
			console.error(error);
			return () => undefined;
		}
		this.offReason = undefined;
		const cleanups = [
			client.onStatusChange((status, detail) => this.#statusChanged(status, detail)),
			...CORE_EVENTS.map((type) =>
				client.subscribe(type, (data: unknown, frame) => this.#receive(type, data, frame.seq))
			),
			client.onConnected(() => this.#welcomed()),
			client.onResync((lastSeq) => {
				this.#counts.resync(lastSeq);
				this.#reload();
			})
		];
		const detachInspector = inspectWhenEnabled(client.actor, env.PUBLIC_XSTATE_INSPECT);
		this.client = client;
		client.connect();
		return () => {
			for (const cleanup of cleanups) cleanup();
			detachInspector();
			client.stop();
			this.client = null;
		};
	}

	/** Try again now (the status dot's Retry button): attempt at once, or connect again. */
	retry(): void {
		const client = this.client;
		if (client?.getStatus() === 'reconnecting') client.retryNow();
		else client?.connect();
	}

	/** Listen to one kind of server event (replays included); returns the unsubscribe. */
	on<T extends CoreEventType>(type: T, listener: EventListener<T>): () => void {
		return this.#listeners.add(type, listener);
	}

	/** Reload the page data whenever one of these events arrives; returns the unsubscribe. */
	reloadOn(...types: CoreEventType[]): () => void {
		const offs = types.map((type) => this.on(type, () => void invalidateAll()));
		return () => offs.forEach((off) => off());
	}

	/**
	 * Take the badge counts from freshly loaded page data (the server's truth at its `lastSeq`),
	 * plus the live events past that seq that arrived before it (see badge-counts.svelte.ts).
	 */
	syncCounts(snapshot: CountsSnapshot): void {
		this.#counts.sync(snapshot);
	}

	/** The Jobs page is open (it marks recommendations seen): the badge stays clear meanwhile. */
	setJobsPageOpen(open: boolean): void {
		this.#counts.setJobsPageOpen(open);
	}

	/**
	 * The server accepted the socket. The first session resumes from the seq the page was
	 * rendered at, so its replay brings everything since. After a loss, reload the page data as
	 * well and tell the app it is back.
	 */
	#welcomed(): void {
		this.#connections += 1;
		if (this.#connections > 1) this.#reload();
		this.#toasts.network({ status: 'connected', offline: false, intentional: false });
	}

	/**
	 * Network toasts on each status change ("Reconnected" waits for the server's welcome: a socket
	 * it opens only to close, e.g. with 4401, is no reconnection). A session the server ended
	 * (signed out elsewhere, expired) takes the tab to the sign-in page, which says why.
	 */
	#statusChanged(status: ConnectionStatus, detail: StatusDetail): void {
		if (status === 'connected') return;
		if (detail.reason === 'unauthorized' && !this.#sentToSignIn) {
			this.#sentToSignIn = true;
			void goto(resolve(signInPath(page.url, 'session-ended')), {
				replaceState: true,
				invalidateAll: true
			});
			return;
		}
		this.#toasts.network({
			status,
			offline: detail.reason === 'offline',
			// Not started yet, or disconnect() on purpose: nothing to alarm anyone about.
			intentional: detail.reason === 'idle' || detail.reason === 'manual'
		});
	}

	#receive(type: CoreEventType, data: unknown, seq: number): void {
		switch (type) {
			case 'job:recommendation':
				this.#counts.count({ type, seq });
				this.#toasts.jobMatch(data as CoreEventMap['job:recommendation']);
				break;
			case 'application:status_change':
				this.#toasts.statusChange(data as CoreEventMap['application:status_change']);
				break;
			case 'notification:new':
				this.#counts.count({ type, seq });
				this.#toasts.notification(data as CoreEventMap['notification:new']);
				break;
			case 'notification:read':
				this.#counts.count({
					type,
					seq,
					unread: (data as CoreEventMap['notification:read']).unread
				});
				break;
		}
		this.#listeners.emit(type, data as CoreEventMap[typeof type]);
	}

	/**
	 * Events may have been missed: reload every page's data and dispatch `websocket:reconnected`
	 * on window, once per connection.
	 */
	#reload(): void {
		if (this.#reloadedConnection === this.#connections) return;
		this.#reloadedConnection = this.#connections;
		void invalidateAll();
		window.dispatchEvent(new CustomEvent(RECONNECTED_EVENT));
	}
}
