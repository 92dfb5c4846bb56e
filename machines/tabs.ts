/**
 * Tab sharing: the tabs of one origin and one session share a single connection. One tab, the
 * leader, holds a Web Lock for as long as it leads and owns the socket; the others follow over a
 * BroadcastChannel of the same name. Two actors do the browser's part and the chart does the rest
 * (the `role` region of connection.ts):
 *
 * - `tabLock` asks for the lock (`navigator.locks.request`, exclusive, never `steal`) and reports
 *   `TABS.ELECTED` when it is granted. While it waits it is queued behind the leader, so when the
 *   leader goes away (closed, reloaded, crashed: the browser releases a dead page's locks) the
 *   next tab in the queue is elected at once. Stopping the actor releases the lock or leaves the
 *   queue.
 * - `tabChannel` speaks the relay protocol below on the BroadcastChannel: it reports what other
 *   tabs post as `TABS.*` events and posts what the chart asks. While its tab leads it also mirrors
 *   the leader's status to the followers, from the leader's own snapshots, so every tab shows what
 *   the leader's status dot shows.
 *
 * The relay protocol (one structured-clone message per post, `{v: 1, kind, from, to?, ...}`):
 *
 * | kind         | from → to           | meaning                                                   |
 * | ------------ | ------------------- | --------------------------------------------------------- |
 * | `hello`      | joining tab → all   | who leads? (with the joiner's lastSeq and visibility)     |
 * | `welcome`    | leader → joiner     | the leader's state and the events the joiner lacks        |
 * | `leader`     | leader → all        | the leader's status, connection epoch, group, attention   |
 * | `events`     | leader → all        | new event frames, in seq order, as the leader accepted them |
 * | `resync`     | leader → all        | the server said too much was missed: refetch              |
 * | `send`       | follower → leader   | messages of the follower's outbox, to write to the socket |
 * | `ack`        | leader → one tab    | the server acked that tab's message                       |
 * | `refused`    | leader → one tab    | the server refused that tab's message (an `error` frame)  |
 * | `command`    | follower → leader   | `CONNECT` or `RETRY_NOW` pressed in a follower            |
 * | `visibility` | any tab → all       | the tab became visible or hidden (who plays the sound)    |
 * | `bye`        | leaving tab → all   | the tab leaves (page hidden, disconnected, stopped)       |
 *
 * Messages come from pages of the same origin only (that is what a BroadcastChannel is), but they
 * are still checked: one that does not fit is dropped, never acted on.
 */
import { fromCallback, type AnyActorRef, type AnyEventObject, type Snapshot } from 'xstate';
import type { EventFrame, ServerErrorData } from './protocol';
import type { QueuedMessage } from './queue';
import type { ConnectionStatus, StatusReason } from './status';

/** The part of the Web Locks API (`navigator.locks`) the election uses. */
export interface LockManagerLike {
	request(
		name: string,
		options: { signal?: AbortSignal },
		callback: (lock: unknown) => Promise<unknown>
	): Promise<unknown>;
}

/** The part of a BroadcastChannel the relay uses. */
export interface BroadcastChannelLike {
	postMessage(message: unknown): void;
	close(): void;
	addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
	removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export type BroadcastChannelConstructor = new (name: string) => BroadcastChannelLike;

/** Where a tab learns whether it is visible (the page's `document`). */
export interface VisibilitySource {
	readonly visibilityState: string;
	addEventListener(type: 'visibilitychange', listener: () => void): void;
	removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

/** The browser APIs tab sharing runs on. */
export interface TabsIO {
	locks: LockManagerLike;
	BroadcastChannel: BroadcastChannelConstructor;
	/** Absent: the tab counts as visible. */
	document?: VisibilitySource;
}

/**
 * The page's own Web Locks, BroadcastChannel and document, or `undefined` where any is missing
 * (Node, workers, old browsers): there each client keeps its own socket.
 */
export function platformTabs(): TabsIO | undefined {
	const scope = globalThis as {
		document?: VisibilitySource;
		navigator?: { locks?: LockManagerLike };
		BroadcastChannel?: BroadcastChannelConstructor;
	};
	const locks = scope.navigator?.locks;
	if (!scope.document || typeof locks?.request !== 'function') return undefined;
	if (typeof scope.BroadcastChannel !== 'function') return undefined;
	return { locks, BroadcastChannel: scope.BroadcastChannel, document: scope.document };
}

/** The lock and channel name of a sharing key. */
export function tabGroupName(key: string): string {
	return `statechart-websocket:${key}`;
}

/** What a leader tells its followers about the connection (see `leaderStateOf`). */
export interface LeaderState {
	/** The leader's tab id. */
	id: string;
	/** The id of the tab group's connection at the server (see `TAB_GROUP_PARAM`). */
	group: string;
	/** How many connections this leader has opened: a new one means "resend what is unacked". */
	epoch: number;
	status: ConnectionStatus;
	reason: StatusReason | null;
	attempt: number;
	maxAttempts: number;
	nextRetryAt: number | null;
	droppedFrames: number;
	closeCode: number | null;
	/** The newest seq the leader has. */
	lastSeq: number;
	/** The tab that plays sounds for events now: the visible tab if any, else the leader. */
	attention: string;
}

/** The part of a message each kind adds to the envelope `{v, kind, from, to?}`. */
export type TabMessageBody =
	| { kind: 'hello'; visible: boolean; lastSeq: number }
	| {
			kind: 'welcome';
			to: string;
			state: LeaderState;
			/** The relayed events after the joiner's lastSeq (see `CATCH_UP_FRAMES`). */
			frames: readonly EventFrame[];
			/** The joiner lacks more than the leader kept: it must refetch (like a server resync). */
			resync: boolean;
	  }
	| { kind: 'leader'; state: LeaderState }
	| { kind: 'events'; frames: readonly EventFrame[] }
	| { kind: 'resync'; lastSeq: number }
	| { kind: 'send'; to: string; messages: readonly QueuedMessage[] }
	| { kind: 'ack'; to: string; id: string }
	| { kind: 'refused'; to: string; error: ServerErrorData }
	| { kind: 'command'; to: string; command: 'CONNECT' | 'RETRY_NOW' }
	| { kind: 'visibility'; visible: boolean }
	| { kind: 'bye' };

export type TabMessage = TabMessageBody & { v: 1; from: string };

/** What the tab actors report to the chart. */
export type TabsEvent =
	| { type: 'TABS.ELECTED' }
	| { type: 'TABS.LEADER'; state: LeaderState }
	| { type: 'TABS.EVENTS'; from: string; frames: readonly EventFrame[] }
	| { type: 'TABS.RESYNC'; from: string; lastSeq: number }
	| { type: 'TABS.SEND'; from: string; messages: readonly QueuedMessage[] }
	| { type: 'TABS.ACK'; from: string; id: string }
	| { type: 'TABS.REFUSED'; from: string; error: ServerErrorData }
	| { type: 'TABS.COMMAND'; from: string; command: 'CONNECT' | 'RETRY_NOW' }
	| { type: 'TABS.VISIBILITY'; from: string; visible: boolean }
	| { type: 'TABS.BYE'; from: string };

/**
 * What the chart asks of `tabChannel`: open the channel and say hello, leave it (bye, closed),
 * start mirroring this tab's status as the leader's, or post one message.
 */
export type TabsCommand =
	| { type: 'JOIN'; lastSeq: number }
	| { type: 'LEAVE' }
	| { type: 'LEAD' }
	| { type: 'POST'; message: TabMessageBody };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isId = (value: unknown): value is string =>
	isString(value) && value.length > 0 && value.length <= 200;
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
/** A seq or a count: a safe integer >= 0. */
const isCount = (value: unknown): value is number =>
	typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isNumberOrNull = (value: unknown) => value === null || typeof value === 'number';
const STATUSES: readonly unknown[] = ['connecting', 'connected', 'reconnecting', 'disconnected'];

const isFrame = (value: unknown): value is EventFrame =>
	isObject(value) &&
	isString(value.type) &&
	isString(value.id) &&
	isCount(value.seq) &&
	value.seq >= 1 &&
	typeof value.ts === 'number' &&
	'data' in value;
const isMessage = (value: unknown): value is QueuedMessage =>
	isObject(value) && isId(value.id) && isString(value.type);
const isError = (value: unknown): value is ServerErrorData =>
	isObject(value) &&
	isString(value.code) &&
	isString(value.message) &&
	(value.id === undefined || isString(value.id));
const isLeaderState = (value: unknown): value is LeaderState =>
	isObject(value) &&
	isId(value.id) &&
	isId(value.group) &&
	isCount(value.epoch) &&
	STATUSES.includes(value.status) &&
	(value.reason === null || isString(value.reason)) &&
	isCount(value.attempt) &&
	typeof value.maxAttempts === 'number' &&
	value.maxAttempts >= 0 &&
	isNumberOrNull(value.nextRetryAt) &&
	isCount(value.droppedFrames) &&
	isNumberOrNull(value.closeCode) &&
	isCount(value.lastSeq) &&
	isId(value.attention);
const isArrayOf = <T>(value: unknown, item: (value: unknown) => value is T): value is T[] =>
	Array.isArray(value) && value.every(item);

/** What each kind carries besides the envelope, checked field by field. */
const BODY_CHECKS: Record<TabMessageBody['kind'], (message: Json) => boolean> = {
	hello: (m) => isBoolean(m.visible) && isCount(m.lastSeq),
	welcome: (m) =>
		isId(m.to) && isLeaderState(m.state) && isArrayOf(m.frames, isFrame) && isBoolean(m.resync),
	leader: (m) => isLeaderState(m.state),
	events: (m) => isArrayOf(m.frames, isFrame),
	resync: (m) => isCount(m.lastSeq),
	send: (m) => isId(m.to) && isArrayOf(m.messages, isMessage),
	ack: (m) => isId(m.to) && isString(m.id),
	refused: (m) => isId(m.to) && isError(m.error),
	command: (m) => isId(m.to) && (m.command === 'CONNECT' || m.command === 'RETRY_NOW'),
	visibility: (m) => isBoolean(m.visible),
	bye: () => true
};

/** A message from another tab, or `null` when it does not fit the protocol. */
export function parseTabMessage(data: unknown): TabMessage | null {
	if (!isObject(data) || data.v !== 1 || !isId(data.from) || !isString(data.kind)) return null;
	const check = BODY_CHECKS[data.kind as TabMessageBody['kind']];
	if (!Object.hasOwn(BODY_CHECKS, data.kind) || !check(data)) return null;
	return data as unknown as TabMessage;
}

/**
 * The chart events of a message addressed to tab `self` (or to all): none for another tab's. A
 * welcome brings the joiner up to date first (the events it lacks, or a resync), then the state.
 */
export function tabsEventsOf(message: TabMessage, self: string): TabsEvent[] {
	if ('to' in message && message.to !== self) return [];
	const { from } = message;
	switch (message.kind) {
		case 'hello':
			// Only the leader acts on it (see tabChannelActor): a hello tells it who is visible.
			return [{ type: 'TABS.VISIBILITY', from, visible: message.visible }];
		case 'welcome': {
			const { state, frames, resync } = message;
			const catchUp: TabsEvent[] = resync
				? [{ type: 'TABS.RESYNC', from, lastSeq: state.lastSeq }]
				: frames.length > 0
					? [{ type: 'TABS.EVENTS', from, frames }]
					: [];
			return [...catchUp, { type: 'TABS.LEADER', state }];
		}
		case 'leader':
			return [{ type: 'TABS.LEADER', state: message.state }];
		case 'events':
			return [{ type: 'TABS.EVENTS', from, frames: message.frames }];
		case 'resync':
			return [{ type: 'TABS.RESYNC', from, lastSeq: message.lastSeq }];
		case 'send':
			return [{ type: 'TABS.SEND', from, messages: message.messages }];
		case 'ack':
			return [{ type: 'TABS.ACK', from, id: message.id }];
		case 'refused':
			return [{ type: 'TABS.REFUSED', from, error: message.error }];
		case 'command':
			return [{ type: 'TABS.COMMAND', from, command: message.command }];
		case 'visibility':
			return [{ type: 'TABS.VISIBILITY', from, visible: message.visible }];
		case 'bye':
			return [{ type: 'TABS.BYE', from }];
	}
}

/**
 * The lock actor: queues for the group's lock and reports `TABS.ELECTED` once this tab holds it.
 * The lock is held (the request's callback has not settled) until the actor stops; stopping it
 * before the grant aborts the request. A grant that races the stop is handed straight back.
 *
 * The lock is released by settling a promise, so the browser learns of it only after the chart's
 * current transition has run to its end: a leader that resigns (page hidden, `disconnect()`,
 * `stop()`) has already closed its socket in that transition when the next tab is elected.
 */
export function tabLockActor(locks: LockManagerLike | undefined) {
	return fromCallback<AnyEventObject, { name: string }>(({ input, sendBack }) => {
		// No Web Locks, no sharing: the chart never makes such a client a member (see options.ts).
		if (!locks) return;
		const abort = new AbortController();
		let release: (() => void) | undefined;
		let stopped = false;
		locks
			.request(input.name, { signal: abort.signal }, () => {
				if (stopped) return Promise.resolve();
				sendBack({ type: 'TABS.ELECTED' } satisfies TabsEvent);
				return new Promise<void>((resolve) => (release = resolve));
			})
			// An aborted request rejects with an AbortError: leaving the queue is what we asked for.
			.catch(() => undefined);
		return () => {
			stopped = true;
			abort.abort();
			release?.();
		};
	});
}

export interface TabChannelInput {
	/** The channel's name (see `tabGroupName`); `null`: sharing is off, the actor does nothing. */
	name: string | null;
	/** This tab's id. */
	tabId: string;
	/** The connection actor whose status a leader mirrors (the parent chart's `self`). */
	connection: AnyActorRef;
}

/** The leader state of one of the connection's snapshots (status.ts has the chart's). */
export type LeaderStateOf = (snapshot: Snapshot<unknown>) => LeaderState;

/** Whether two leader states differ in anything but `lastSeq` (which every events post moves). */
function sameLeaderState(a: LeaderState | null, b: LeaderState): boolean {
	if (!a) return false;
	return (Object.keys(b) as (keyof LeaderState)[]).every(
		(key) => key === 'lastSeq' || a[key] === b[key]
	);
}

/**
 * How many of the last relayed events a leader keeps to bring a joining tab up to date (a page
 * that loaded a moment ago, or one back from the back/forward cache); one that lacks more is told
 * to resync.
 */
export const CATCH_UP_FRAMES = 256;

/**
 * The channel actor: the relay protocol on the group's BroadcastChannel. Invoked for the client's
 * whole life (it does nothing while the tab is not a member of a group), so the chart can always
 * `sendTo('tabChannel', ...)`: a post while no channel is open is dropped.
 *
 * - `JOIN` opens the channel and posts `hello`. Until the leader's `welcome` (the events this tab
 *   lacks, or a resync, then its state) relayed events are dropped here: they are all in the
 *   welcome, and taking one first would make the tab skip the older ones it brings. A tab whose
 *   hello no leader answered (the leader went away meanwhile) says hello again to the next one.
 * - `LEAD` makes this tab the one that welcomes joiners (from the events it relayed) and mirrors
 *   the connection's status to the followers after every snapshot whose leader state changed.
 * - `LEAVE` posts `bye` and closes the channel (a page in the back/forward cache keeps none).
 * - `POST` posts one message.
 * It also reports this tab's own visibility changes as `TABS.VISIBILITY` and posts them, and a
 * visible follower tells each new leader so (it decides which tab plays sounds).
 */
export function tabChannelActor(io: TabsIO | undefined, leaderState: LeaderStateOf) {
	return fromCallback<TabsCommand, TabChannelInput>(({ input, sendBack, receive }) => {
		const report = sendBack as (event: TabsEvent) => void;
		const { name, tabId: self } = input;
		if (name === null || !io) return;
		const visible = () => (io.document?.visibilityState ?? 'visible') === 'visible';
		let channel: BroadcastChannelLike | null = null;
		let lastSeq = 0;
		/** Set while this tab leads: the mirror's subscription and the events it relayed. */
		let leading: { subscription: { unsubscribe(): void }; relayed: EventFrame[] } | null = null;
		let announced: LeaderState | null = null;
		let welcomed = false;
		let lastLeader: string | null = null;
		const post = (message: TabMessageBody) =>
			channel?.postMessage({ ...message, v: 1, from: self } satisfies TabMessage);
		const current = () => leaderState(input.connection.getSnapshot());
		const announce = (state: LeaderState) => {
			announced = state;
			post({ kind: 'leader', state });
		};
		const welcome = (to: string, since: number) => {
			const state = current();
			const relayed = leading?.relayed ?? [];
			const frames = relayed.filter((frame) => frame.seq > since);
			// Complete when the frames reach back to the first one the joiner lacks.
			const complete = since >= state.lastSeq || (frames[0]?.seq ?? Infinity) <= since + 1;
			post({ kind: 'welcome', to, state, frames: complete ? frames : [], resync: !complete });
		};
		const onMessage = ({ data }: { data: unknown }) => {
			const message = parseTabMessage(data);
			if (!message) return;
			if (message.kind === 'hello') {
				if (!leading) return;
				welcome(message.from, message.lastSeq);
			} else if (message.kind === 'welcome' && message.to === self) {
				welcomed = true;
			} else if (
				!leading &&
				!welcomed &&
				(message.kind === 'events' || message.kind === 'resync')
			) {
				return;
			} else if (message.kind === 'leader' && message.state.id !== lastLeader && !leading) {
				lastLeader = message.state.id;
				if (!welcomed) post({ kind: 'hello', visible: visible(), lastSeq });
				else if (visible()) post({ kind: 'visibility', visible: true });
			}
			for (const event of tabsEventsOf(message, self)) report(event);
		};
		const onVisibility = () => {
			const event = { type: 'TABS.VISIBILITY', from: self, visible: visible() } as const;
			post({ kind: 'visibility', visible: event.visible });
			report(event);
		};
		const leave = () => {
			leading?.subscription.unsubscribe();
			leading = null;
			announced = null;
			welcomed = false;
			lastLeader = null;
			if (!channel) return;
			post({ kind: 'bye' });
			channel.removeEventListener('message', onMessage);
			channel.close();
			channel = null;
		};
		io.document?.addEventListener('visibilitychange', onVisibility);
		receive((command) => {
			switch (command.type) {
				case 'JOIN':
					if (channel) return;
					lastSeq = command.lastSeq;
					channel = new io.BroadcastChannel(name);
					channel.addEventListener('message', onMessage);
					post({ kind: 'hello', visible: visible(), lastSeq });
					return;
				case 'LEAD': {
					if (leading || !channel) return;
					const subscription = input.connection.subscribe((snapshot: Snapshot<unknown>) => {
						const state = leaderState(snapshot);
						if (!sameLeaderState(announced, state)) announce(state);
					});
					leading = { subscription, relayed: [] };
					announce(current());
					if (visible()) report({ type: 'TABS.VISIBILITY', from: self, visible: true });
					return;
				}
				case 'LEAVE':
					return leave();
				case 'POST': {
					const { message } = command;
					if (message.kind === 'events' && leading) {
						const { relayed } = leading;
						relayed.push(...message.frames);
						if (relayed.length > CATCH_UP_FRAMES)
							relayed.splice(0, relayed.length - CATCH_UP_FRAMES);
					}
					return void post(message);
				}
			}
		});
		return () => {
			io.document?.removeEventListener('visibilitychange', onVisibility);
			leave();
		};
	});
}
