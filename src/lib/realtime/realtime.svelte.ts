/**
 * The Svelte side of the connection: one realtime client per signed-in page, created in the
 * browser only, and reactive state over its actor for the status dot, the badges, the toasts and
 * /inspect. Components read this state; none of them opens a socket or runs a timer.
 */
import { untrack } from 'svelte';
import { invalidateAll } from '$app/navigation';
import { env } from '$env/dynamic/public';
import {
	createRealtimeClient,
	type ConnectionSnapshot,
	type RealtimeClient,
	type StatusDetail
} from 'statechart-websocket';
import { coreEventSchemas, type CoreEventMap, type CoreEventType } from '$lib/protocol';
import type { InspectionEvent } from 'xstate';
import { readFlag, wsUrl } from './env';
import { appendEvent, summarizeEvent, type LoggedEvent } from './event-log';
import { inspectWhenEnabled } from './inspector';
import { EventListeners, type EventListener } from './listeners';
import { PreferencesState } from './preferences.svelte';
import { describeStatus } from './status';
import { LiveToasts } from './toasts';

/** The window event dispatched after page data was reloaded because events may have been missed. */
export const RECONNECTED_EVENT = 'websocket:reconnected';

const CORE_EVENTS: CoreEventType[] = [
	'job:recommendation',
	'application:status_change',
	'notification:new'
];

/** What the dot shows before the client reports (and in the server-rendered page). */
const CONNECTING: StatusDetail = {
	status: 'connecting',
	reason: null,
	attempt: 0,
	maxAttempts: Infinity,
	nextRetryAt: null,
	queueLength: 0,
	lastSeq: 0,
	droppedFrames: 0,
	closeCode: null
};

export class RealtimeState {
	/** The client while one runs (browser, signed in, live updates on). */
	client = $state.raw<RealtimeClient<CoreEventMap> | null>(null);
	/** The machine's latest snapshot, for /inspect. */
	snapshot = $state.raw<ConnectionSnapshot | null>(null);
	/** The client's status detail (attempt, next retry, reason, queue, lastSeq...). */
	detail = $state.raw<StatusDetail>(CONNECTING);
	/** Why live updates are off, when they are (setting or configuration error). */
	offReason = $state<string | undefined>(undefined);
	/** What the status dot shows. */
	view = $derived(describeStatus(this.detail, this.offReason));
	/** New recommendations (the Jobs badge). */
	jobsBadge = $state(0);
	/** Unread notifications (the bell). */
	unread = $state(0);
	/** The machine's last 50 events, newest first. */
	events = $state.raw<LoggedEvent[]>([]);

	readonly preferences = new PreferencesState();
	readonly #toasts = new LiveToasts(
		() => this.preferences.current,
		// One beep per event across the tabs sharing the connection (see machines/tabs.ts).
		() => this.client?.hasAttention() ?? true
	);
	readonly #listeners = new EventListeners();
	#onJobsPage = false;
	#eventCount = 0;
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
			client = createRealtimeClient(
				// Tabs of this session share one connection; another session's tabs never join it.
				{
					url: wsUrl(env.PUBLIC_WS_URL),
					autoConnect: false,
					lastSeq,
					events: coreEventSchemas,
					tabSharing: { key: tabKey }
				},
				{ inspect: (event) => this.#inspect(event) }
			);
		} catch (error) {
			this.offReason = `Live updates are off: ${(error as Error).message}`;
			console.error(error);
			return () => undefined;
		}
		this.offReason = undefined;
		const cleanups = [
			this.#follow(client),
			...CORE_EVENTS.map((type) =>
				client.subscribe(type, (data: unknown) => this.#receive(type, data))
			),
			client.onConnected(() => this.#welcomed()),
			client.onResync(() => this.#reload())
		];
		const detachInspector = inspectWhenEnabled(client.actor, env.PUBLIC_XSTATE_INSPECT);
		this.client = client;
		client.connect();
		return () => {
			for (const cleanup of cleanups) cleanup();
			detachInspector();
			client.stop();
			this.client = null;
			this.snapshot = null;
		};
	}

	/** Try again now (the status dot's Reconnect button). */
	reconnect(): void {
		this.client?.connect();
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

	/** Take the badge counts from freshly loaded page data (the server's truth). */
	syncCounts(unread: number, newRecommendations: number): void {
		this.unread = unread;
		this.jobsBadge = this.#onJobsPage ? 0 : newRecommendations;
	}

	/** The Jobs page is open (it marks recommendations seen): the badge stays clear meanwhile. */
	setJobsPageOpen(open: boolean): void {
		this.#onJobsPage = open;
		if (open) this.jobsBadge = 0;
	}

	/** The connection machine's own events (not its children's): logged for /inspect. */
	#inspect(inspection: InspectionEvent): void {
		if (inspection.type !== '@xstate.event') return;
		if (inspection.actorRef.sessionId !== inspection.rootId) return;
		const { event } = inspection;
		this.events = appendEvent(this.events, {
			n: ++this.#eventCount,
			at: Date.now(),
			type: event.type,
			summary: summarizeEvent(event)
		});
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

	/** Mirror the actor: snapshot, status detail, network toasts, reconnect reloads. */
	#follow(client: RealtimeClient): () => void {
		const onSnapshot = (snapshot: ConnectionSnapshot) => {
			this.snapshot = snapshot;
			this.#setDetail(client.getStatusDetail());
		};
		onSnapshot(client.actor.getSnapshot());
		const subscription = client.actor.subscribe(onSnapshot);
		return () => subscription.unsubscribe();
	}

	#setDetail(next: StatusDetail): void {
		const previous = this.detail;
		if (sameDetail(previous, next)) return;
		this.detail = next;
		if (previous.status === next.status && previous.reason === next.reason) return;
		// "Reconnected" waits for the server's welcome: a socket it opens only to close (4401)
		// is no reconnection.
		if (next.status === 'connected') return;
		this.#toasts.network({
			status: next.status,
			offline: next.reason === 'offline',
			// Not started yet, or disconnect() on purpose: nothing to alarm anyone about.
			intentional: next.reason === 'idle' || next.reason === 'manual'
		});
	}

	#receive(type: CoreEventType, data: unknown): void {
		switch (type) {
			case 'job:recommendation':
				if (!this.#onJobsPage) this.jobsBadge += 1;
				this.#toasts.jobMatch(data as CoreEventMap['job:recommendation']);
				break;
			case 'application:status_change':
				this.#toasts.statusChange(data as CoreEventMap['application:status_change']);
				break;
			case 'notification:new':
				this.unread += 1;
				this.#toasts.notification(data as CoreEventMap['notification:new']);
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

function sameDetail(a: StatusDetail, b: StatusDetail): boolean {
	return (Object.keys(a) as (keyof StatusDetail)[]).every((key) => a[key] === b[key]);
}
