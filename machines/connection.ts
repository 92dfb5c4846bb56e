/**
 * The connection statechart: one WebSocket connection for its whole life. Backoff timers, the
 * connect timeout, the heartbeat, the outgoing queue and the incoming `seq` bookkeeping all live
 * here; the socket and the browser environment are actors the chart starts and stops.
 *
 * At most one socket exists at a time: the chart spawns `socket` only on entering `connecting`
 * or `reconnecting.attempting`, both reached only from `idle` (no socket yet) or from states that
 * stop it on entry (`reconnecting.backoff`, `offline`, `disconnected`, `failed`), and a stopped
 * socket actor has already detached its listeners.
 *
 * Two regions run side by side. `connection` is the socket's life; `role` is the tab's place in
 * its tab group (see tabs.ts): `standalone` (no sharing: Node, sharing off, or a browser without
 * Web Locks or BroadcastChannel), `detached` (sharing, but not connected), `member` (queued for
 * the group's lock: `electing`, then `follower` or `leader`) and `parked` (the page is hidden in
 * the back/forward cache or frozen: lock and channel let go, taken up again when it is shown).
 * Only a leader or a standalone client ever opens a socket; a follower's connection region waits
 * in `shared`, showing the leader's status and taking its events, acks and refusals from the
 * channel, and sending its outbox through the leader.
 *
 * Paste-able into the Stately visualizer; every action, guard, delay and actor is named, so tests
 * can `.provide()` other implementations (a fake socket, a recording action).
 *
 * The context holds data only. What talks to the outside world (the WebSocket constructor, the
 * frame decoder, the clock, randomness, storage, the logger) is a `ConnectionIO` that
 * `provideIO(machine, io)` binds into the implementations that use it, once per client; the
 * machine as exported runs on the platform's own (`globalThis.WebSocket`, `Date.now`,
 * `Math.random`, `console`, no storage).
 */
import {
	assertEvent,
	assign,
	emit,
	fromCallback,
	raise,
	sendTo,
	setup,
	spawnChild,
	stopChild,
	type AnyEventObject
} from 'xstate';
import { backoffDelay } from './backoff';
import { environmentActor, type EnvironmentEvent, type EnvironmentLogic } from './environment';
import {
	createFrameDecoder,
	FRAME_DROP_REASONS,
	latestSeq,
	newFrames,
	type FrameDecoder,
	type FrameDropReason
} from './frames';
import { DEFAULT_OPTIONS, type ResolvedOptions, type WebSocketConstructor } from './options';
import {
	CloseCode,
	FATAL_CLOSE_CODES,
	withTabGroup,
	type EventFrame,
	type ServerErrorData
} from './protocol';
import { randomId } from './ids';
import {
	acceptsMessage,
	acknowledge,
	enqueue,
	handOverQueue,
	loadQueue,
	takeHandedOver,
	pending,
	saveQueue,
	serializeMessage,
	type QueuedMessage,
	type QueueLimits
} from './queue';
import { socketActor, type SocketEvent } from './socket';
import { type LeaderState, type TabChannelInput, type TabsCommand, type TabsEvent } from './tabs';

/** Why the client stopped retrying by itself. */
export type FailureReason = 'unauthorized' | 'forbidden' | 'policy' | 'max-attempts';

/** Why the client is reconnecting. */
export type RetryCause = 'closed' | 'connect-timeout' | 'heartbeat-timeout';

const FAILURE_BY_CODE: Record<number, FailureReason> = {
	[CloseCode.UNAUTHORIZED]: 'unauthorized',
	[CloseCode.FORBIDDEN]: 'forbidden',
	[CloseCode.POLICY]: 'policy'
};

/** The options the chart reads, as plain data. */
export interface ConnectionConfig extends QueueLimits {
	url: string;
	reconnectInterval: number;
	maxReconnectInterval: number;
	reconnectDecay: number;
	maxReconnectAttempts: number;
	timeoutInterval: number;
	jitter: number;
	heartbeatInterval: number;
	heartbeatTimeout: number;
}

/**
 * What the chart needs from the outside world, for one client. Functions, so they stay out of the
 * context: `provideIO` binds them into the implementations that use them.
 */
export interface ConnectionIO {
	WebSocket: WebSocketConstructor;
	decode: FrameDecoder;
	random: () => number;
	now: () => number;
	saveQueue: (queue: readonly QueuedMessage[]) => void;
	/** The page is going away: keep the queue for the next page (see `handOverQueue`). */
	handOverQueue: (queue: readonly QueuedMessage[]) => void;
	/** Take what other pages handed over, to send it from here (see `takeHandedOver`). */
	takeHandedOver: () => QueuedMessage[];
	warn: (message: string) => void;
	/** The tab group's part of the chart (see `TabGroup`); absent: the client stands alone. */
	tabs?: TabGroup['implementations'];
}

/**
 * A tab group as `statechart-websocket/tabs` plugs it into one client (see share-tabs.ts): the
 * group's lock and channel name, and the implementations of the chart's tab part (the role
 * region's actors, the relay's guards and actions) on the browser's Web Locks and
 * BroadcastChannel. Without it the chart's tab part does nothing and the client stands alone.
 */
export interface TabGroup {
	name: string;
	implementations: Parameters<ConnectionMachine['provide']>[0];
}

/** This tab in its tab group (see tabs.ts); `null` in the context of a standalone client. */
export interface TabsContext {
	/** The group's lock and channel name. */
	name: string;
	/** This tab's id. */
	id: string;
	/** The id of the group's connection at the server (a follower adopts its leader's). */
	group: string;
	/** Leader: how many connections it has opened (a new one makes followers resend). */
	epoch: number;
	/** The tab that plays sounds for events: the visible tab if any, else the leader. */
	attention: string;
	/** Leader: which tab each relayed message came from, until it is acked or refused. */
	routes: Readonly<Record<string, string>>;
	/** Follower: what the leader last said. */
	leader: LeaderState | null;
	/** Follower: the leader connection (`id:epoch`) its outbox was last sent through. */
	sentThrough: string | null;
}

export interface ConnectionContext {
	config: ConnectionConfig;
	tabs: TabsContext | null;
	/** What the browser last said (always true outside a browser). */
	online: boolean;
	/** Reconnect attempts since the last open; 0 during the first connect. */
	attempt: number;
	/** The backoff delay now running. */
	retryDelay: number;
	/** When the next attempt starts (epoch ms), while waiting in `reconnecting.backoff`. */
	nextRetryAt: number | null;
	/** Messages not acked yet, oldest first (see queue.ts). */
	queue: readonly QueuedMessage[];
	/** How many of `queue` were written to the current socket. */
	inFlight: number;
	/** The highest event `seq` received, or the `lastSeq` option until a higher one arrives. */
	lastSeq: number;
	/** Frames dropped as malformed, in total and by reason. */
	droppedFrames: number;
	droppedByReason: Readonly<Record<FrameDropReason, number>>;
	/** Set in `failed`. */
	failureReason: FailureReason | null;
	/** The code of the last close, until the next open. */
	closeCode: number | null;
	/** Why the last connection ended or attempt failed, until the next open. */
	retryCause: RetryCause | null;
	/** When the last frame arrived (epoch ms). */
	lastFrameAt: number | null;
	/** When the heartbeat ping now waiting for an answer was sent. */
	pingSentAt: number | null;
}

/** Commands from the app (the facade sends these). */
export type ClientEvent =
	| { type: 'CONNECT' }
	| { type: 'DISCONNECT' }
	| { type: 'RETRY_NOW' }
	| { type: 'SEND'; message: QueuedMessage };

/**
 * Raised by the chart itself to re-check the heartbeat against the clock after a send, `VISIBLE`
 * or `ONLINE` (a hidden tab's timers are throttled, so `after` alone can fire far too late).
 */
export type HeartbeatCheckEvent = { type: 'HEARTBEAT.CHECK' };

export type ConnectionEvent =
	ClientEvent | EnvironmentEvent | SocketEvent | HeartbeatCheckEvent | TabsEvent;

/**
 * Emitted to `actor.on(...)` listeners: the facade dispatches them to subscribers. The `frames`
 * array of `realtime.events` (like that of `SERVER.EVENTS`) is emptied after the current task's
 * microtasks (see socket.ts): a listener that keeps it for later keeps a copy.
 */
export type ConnectionEmitted =
	| { type: 'realtime.events'; frames: readonly EventFrame[] }
	/** The server welcomed a new connection: a session began (see `Welcome`). */
	| ({ type: 'realtime.connected' } & Welcome)
	| { type: 'realtime.resync'; lastSeq: number }
	| ({ type: 'realtime.error' } & ServerErrorData);

/** What the server's welcome tells a new connection. */
export interface Welcome {
	/** The server's heartbeat interval (ms). */
	heartbeatInterval: number;
	/** The newest event seq the server has for this client. */
	lastSeq: number;
}

/** The machine's input: plain data (see `connectionInput`). */
export interface ConnectionInput {
	config: ConnectionConfig;
	/** The newest event seq the app already has. */
	lastSeq: number;
	/** The outbox as storage kept it, oldest first. */
	queue: readonly QueuedMessage[];
	/** This tab's group, ids made once per client; `null`: the client stands alone. */
	tabs: { name: string; id: string; group: string } | null;
}

const PING_FRAME = JSON.stringify({ type: 'ping' });
const PONG_FRAME = JSON.stringify({ type: 'pong' });

/** The chart's input from validated options: the data, with the outbox loaded from storage. */
export function connectionInput(options: ResolvedOptions): ConnectionInput {
	// The functions go to `connectionIO`; lastSeq only seeds the context; autoConnect is the
	// facade's business.
	const {
		WebSocket: _WebSocket,
		storage,
		storageKey,
		random: _random,
		now: _now,
		logger: _logger,
		eventSchemas: _eventSchemas,
		maxFrameSize: _maxFrameSize,
		lastSeq,
		autoConnect: _autoConnect,
		tabSharing,
		...config
	} = options;
	const queue = config.enableMessageQueue
		? loadQueue(storage, storageKey, config.maxQueueSize)
		: [];
	const tabs = tabSharing ? { name: tabSharing.name, id: randomId(), group: randomId() } : null;
	return { config, lastSeq, queue, tabs };
}

/** The outside world of one client, from validated options. */
export function connectionIO(options: ResolvedOptions): ConnectionIO {
	const { storage, storageKey, logger } = options;
	return {
		WebSocket: options.WebSocket,
		decode: createFrameDecoder(options.eventSchemas, options.maxFrameSize),
		random: options.random,
		now: options.now,
		saveQueue: (queue) => saveQueue(storage, storageKey, queue),
		handOverQueue: (queue) => handOverQueue(storage, storageKey, queue),
		takeHandedOver: () => takeHandedOver(storage, storageKey),
		warn: (message) => logger.warn(message),
		tabs: options.tabSharing ? options.tabSharing.implementations : undefined
	};
}

/**
 * The platform's own outside world, which the machine runs on unless `provideIO` gives it
 * another: the global WebSocket (looked up when a socket opens), no app events, no storage (the
 * outbox lives in the context only), the console.
 */
const PLATFORM_IO: ConnectionIO = {
	get WebSocket() {
		return DEFAULT_OPTIONS.WebSocket;
	},
	decode: createFrameDecoder({}, DEFAULT_OPTIONS.maxFrameSize),
	random: DEFAULT_OPTIONS.random,
	now: DEFAULT_OPTIONS.now,
	saveQueue: () => {},
	handOverQueue: () => {},
	takeHandedOver: () => [],
	warn: (message) => DEFAULT_OPTIONS.logger.warn(message)
};

function initialContext({ config, lastSeq, queue, tabs }: ConnectionInput): ConnectionContext {
	return {
		config,
		tabs: tabs && {
			...tabs,
			epoch: 0,
			attention: tabs.id,
			routes: {},
			leader: null,
			sentThrough: null
		},
		online: true,
		attempt: 0,
		retryDelay: 0,
		nextRetryAt: null,
		queue,
		inFlight: 0,
		lastSeq,
		droppedFrames: 0,
		droppedByReason: Object.fromEntries(FRAME_DROP_REASONS.map((reason) => [reason, 0])) as Record<
			FrameDropReason,
			number
		>,
		failureReason: null,
		closeCode: null,
		retryCause: null,
		lastFrameAt: null,
		pingSentAt: null
	};
}

/**
 * The tab group's actors of a client standing alone (see `TabGroup`): no lock to ask for, no
 * channel to speak on.
 */
const tabLockAlone = fromCallback<AnyEventObject, { name: string }>(() => {});
const tabChannelAlone = fromCallback<TabsCommand, TabChannelInput>(() => {});
/** The chart's tab-group guards and actions of a client standing alone: no group, no relay. */
const outsideGroup: (args: unknown, params: undefined) => boolean = () => false;
const standingAlone: (args: unknown, params: undefined) => void = () => {};

/** The chart's children, as `setup` types them (for the implementations built outside it). */
export type ChartActor =
	| { src: 'socket'; logic: typeof socketActor; id: 'socket' }
	| { src: 'environment'; logic: EnvironmentLogic; id: 'environment' }
	| { src: 'tabLock'; logic: typeof tabLockAlone; id: 'tabLock' }
	| { src: 'tabChannel'; logic: typeof tabChannelAlone; id: 'tabChannel' };
const ioAssign = assign<ConnectionContext, ConnectionEvent, undefined, ConnectionEvent, ChartActor>;
const ioSpawnChild = spawnChild<
	ConnectionContext,
	ConnectionEvent,
	undefined,
	ConnectionEvent,
	ChartActor
>;
type ChartArgs = { context: ConnectionContext; event: ConnectionEvent };

/**
 * The implementations that reach the outside world, over one `io`: named in `setup()` below with
 * the platform's `io`, and bound to a client's own by `provideIO`.
 */
function ioImplementations(io: ConnectionIO) {
	return {
		actors: {
			environment: environmentActor(io.takeHandedOver)
		},
		guards: {
			isSilent: ({ context }: ChartArgs) =>
				io.now() - (context.lastFrameAt ?? 0) >= context.config.heartbeatInterval,
			isProbeOverdue: ({ context }: ChartArgs) =>
				context.pingSentAt !== null &&
				(context.lastFrameAt ?? 0) < context.pingSentAt &&
				io.now() - context.pingSentAt >= context.config.heartbeatTimeout
		},
		actions: {
			openSocket: ioSpawnChild('socket', {
				id: 'socket',
				// Only a leader or a standalone client opens a socket: a leader's carries its group.
				input: ({ context }: { context: ConnectionContext }) => ({
					url: withTabGroup(context.config.url, context.tabs?.group ?? null),
					WebSocket: io.WebSocket,
					decode: io.decode
				})
			}),
			scheduleRetry: ioAssign(({ context }) => {
				const rateLimited = context.closeCode === CloseCode.RATE_LIMITED;
				const retryDelay = backoffDelay(
					context.attempt + 1,
					context.config,
					io.random(),
					rateLimited
				);
				return { retryDelay, nextRetryAt: io.now() + retryDelay };
			}),
			markOpen: ioAssign({
				attempt: 0,
				closeCode: null,
				retryCause: null,
				lastFrameAt: () => io.now(),
				pingSentAt: null
			}),
			acceptEvents: ioAssign(({ context, event }) => {
				assertEvent(event, ['SERVER.EVENTS', 'TABS.EVENTS']);
				return { lastSeq: latestSeq(event.frames, context.lastSeq), lastFrameAt: io.now() };
			}),
			recordFrame: ioAssign({ lastFrameAt: () => io.now() }),
			markPingSent: ioAssign({ pingSentAt: () => io.now() }),
			persistQueue: ({ context }: ChartArgs) => io.saveQueue(context.queue),
			handOverQueue: ({ context }: ChartArgs) => io.handOverQueue(context.queue),
			warnDroppedFrame: ({ event }: ChartArgs) => {
				assertEvent(event, 'SOCKET.BAD_FRAME');
				io.warn(
					`realtime: dropped a frame (${event.reason}: ${event.detail}); ` +
						`further "${event.reason}" drops are only counted`
				);
			}
		}
	};
}

const platform = ioImplementations(PLATFORM_IO);

/** The connection statechart. Create it with `createActor(connectionMachine, { input })`. */
export const connectionMachine = setup({
	types: {} as {
		context: ConnectionContext;
		events: ConnectionEvent;
		input: ConnectionInput;
		emitted: ConnectionEmitted;
		children: {
			socket: 'socket';
			environment: 'environment';
			tabLock: 'tabLock';
			tabChannel: 'tabChannel';
		};
	},
	actors: {
		socket: socketActor,
		tabLock: tabLockAlone,
		tabChannel: tabChannelAlone,
		...platform.actors
	},
	delays: {
		backoff: ({ context }) => context.retryDelay,
		connectTimeout: ({ context }) => context.config.timeoutInterval,
		heartbeatInterval: ({ context }) => context.config.heartbeatInterval,
		heartbeatTimeout: ({ context }) => context.config.heartbeatTimeout
	},
	guards: {
		isOffline: ({ context }) => !context.online,
		isFatalClose: ({ event }) => {
			assertEvent(event, 'SOCKET.CLOSED');
			return FATAL_CLOSE_CODES.has(event.code);
		},
		attemptsExhausted: ({ context }) => context.attempt >= context.config.maxReconnectAttempts,
		isQueueDisabled: ({ context }) => !context.config.enableMessageQueue,
		canQueue: ({ context }) => acceptsMessage(context.queue.length, context.config),
		hasNewEvents: ({ context, event }) => {
			assertEvent(event, ['SERVER.EVENTS', 'TABS.EVENTS']);
			return event.frames.some((frame) => frame.seq > context.lastSeq);
		},
		isServerBehind: ({ context, event }) => {
			assertEvent(event, 'SERVER.WELCOME');
			return event.lastSeq < context.lastSeq;
		},
		isStandalone: ({ context }) => context.tabs === null,
		// The tab group's part, which share-tabs.ts provides (`statechart-websocket/tabs`): a client
		// standing alone never follows, leads or relays.
		isFollowing: outsideGroup,
		isLeading: outsideGroup,
		hasLeader: outsideGroup,
		canRelay: outsideGroup,
		canRelayNow: outsideGroup,
		isNewLeaderConnection: outsideGroup,
		isTakeover: outsideGroup,
		isRelayedMessage: outsideGroup,
		isMessageRefusal: ({ event }) => {
			assertEvent(event, 'SERVER.ERROR');
			return event.id !== undefined;
		},
		isFirstDropOfReason: ({ context, event }) => {
			assertEvent(event, 'SOCKET.BAD_FRAME');
			return context.droppedByReason[event.reason] === 0;
		},
		...platform.guards,
		isProbeAnswered: ({ context }) =>
			context.lastFrameAt !== null &&
			context.pingSentAt !== null &&
			context.lastFrameAt >= context.pingSentAt
	},
	actions: {
		...platform.actions,
		markOnline: assign({ online: true }),
		markOffline: assign({ online: false }),
		resetAttempt: assign({ attempt: 0 }),
		countAttempt: assign({ attempt: ({ context }) => context.attempt + 1 }),
		closeSocket: stopChild('socket'),
		clearRetry: assign({ nextRetryAt: null }),
		recordClose: assign(({ event }) => {
			assertEvent(event, 'SOCKET.CLOSED');
			return { closeCode: event.code, retryCause: 'closed' as const };
		}),
		recordConnectTimeout: assign({ closeCode: null, retryCause: 'connect-timeout' }),
		recordHeartbeatTimeout: assign({ closeCode: null, retryCause: 'heartbeat-timeout' }),
		recordFatalClose: assign(({ event }) => {
			assertEvent(event, 'SOCKET.CLOSED');
			return { closeCode: event.code, failureReason: FAILURE_BY_CODE[event.code] };
		}),
		recordExhausted: assign({ failureReason: 'max-attempts' }),
		clearFailure: assign({ failureReason: null }),
		sendResume: sendTo('socket', ({ context }) => ({
			type: 'SEND' as const,
			frames: [JSON.stringify({ type: 'resume', data: { lastSeq: context.lastSeq } })]
		})),
		transmitPending: sendTo('socket', ({ context }) => ({
			type: 'SEND' as const,
			frames: pending(context).map(serializeMessage)
		})),
		markSent: assign(({ context }) => ({ inFlight: context.queue.length })),
		requeueInFlight: assign({ inFlight: 0 }),
		enqueueMessage: assign(({ context, event }) => {
			assertEvent(event, 'SEND');
			return enqueue(context, event.message, context.config.maxQueueSize);
		}),
		transmitMessage: sendTo('socket', ({ event }) => {
			assertEvent(event, 'SEND');
			return { type: 'SEND' as const, frames: [serializeMessage(event.message)] };
		}),
		// The server acked or refused one of this tab's messages (itself, or through the leader).
		// A refused message would be refused again: resending it after every reconnect (and page
		// load) only keeps it, and the room it takes, in the outbox forever. The app hears of it
		// through `realtime.error` and decides what to do.
		removeAnswered: assign(({ context, event }) => {
			assertEvent(event, ['SERVER.ACK', 'SERVER.ERROR', 'TABS.ACK', 'TABS.REFUSED']);
			const id = event.type === 'TABS.REFUSED' ? event.error.id : event.id;
			return id === undefined ? {} : acknowledge(context, id);
		}),
		// Resolved before acceptEvents in the same transition, so it still sees the old lastSeq.
		emitNewEvents: emit(({ context, event }) => {
			assertEvent(event, ['SERVER.EVENTS', 'TABS.EVENTS']);
			return { type: 'realtime.events' as const, frames: newFrames(event.frames, context.lastSeq) };
		}),
		sendPing: sendTo('socket', { type: 'SEND', frames: [PING_FRAME] }),
		sendPong: sendTo('socket', { type: 'SEND', frames: [PONG_FRAME] }),
		// From the server, or from the leader (TABS.RESYNC): what was missed is gone.
		applyResync: assign(({ event }) => {
			assertEvent(event, ['SERVER.RESYNC', 'SERVER.WELCOME', 'TABS.RESYNC']);
			return { lastSeq: event.lastSeq };
		}),
		emitResync: emit(({ event }) => {
			assertEvent(event, ['SERVER.RESYNC', 'SERVER.WELCOME', 'TABS.RESYNC']);
			return { type: 'realtime.resync' as const, lastSeq: event.lastSeq };
		}),
		emitConnected: emit(({ event }) => {
			assertEvent(event, 'SERVER.WELCOME');
			return {
				type: 'realtime.connected' as const,
				heartbeatInterval: event.heartbeatInterval,
				lastSeq: event.lastSeq
			};
		}),
		// An `error` frame, or one the leader relayed to this tab (TABS.REFUSED).
		emitServerError: emit(({ event }) => {
			assertEvent(event, ['SERVER.ERROR', 'TABS.REFUSED']);
			if (event.type === 'TABS.REFUSED') return { type: 'realtime.error' as const, ...event.error };
			const { type: _type, ...error } = event;
			return { type: 'realtime.error' as const, ...error };
		}),
		countDroppedFrame: assign(({ context, event }) => {
			assertEvent(event, 'SOCKET.BAD_FRAME');
			const { droppedByReason } = context;
			return {
				droppedFrames: context.droppedFrames + 1,
				droppedByReason: { ...droppedByReason, [event.reason]: droppedByReason[event.reason] + 1 }
			};
		}),
		checkLiveness: raise({ type: 'HEARTBEAT.CHECK' }),

		// The tab group's part, which share-tabs.ts provides: a client standing alone shares nothing.
		joinTabs: standingAlone,
		leaveTabs: standingAlone,
		leadTabs: standingAlone,
		takeLead: standingAlone,
		trackAttention: standingAlone,
		forgetTab: standingAlone,
		runTabCommand: standingAlone,
		countConnection: standingAlone,
		relayEvents: standingAlone,
		relayResync: standingAlone,
		routeMessages: standingAlone,
		transmitRelayed: standingAlone,
		forwardAck: standingAlone,
		forwardRefusal: standingAlone,
		forgetRoute: standingAlone,
		forgetRoutes: standingAlone,
		recordLeader: standingAlone,
		markSentThrough: standingAlone,
		relayPending: standingAlone,
		relayMessage: standingAlone,
		forwardCommand: standingAlone,
		emitLeaderConnected: standingAlone
	}
}).createMachine({
	id: 'realtime',
	context: ({ input }) => initialContext(input),
	invoke: [
		{ id: 'environment', src: 'environment' },
		{
			id: 'tabChannel',
			src: 'tabChannel',
			input: ({ context, self }) => ({
				name: context.tabs?.name ?? null,
				tabId: context.tabs?.id ?? '',
				connection: self
			})
		}
	],
	type: 'parallel',
	on: {
		ONLINE: { actions: 'markOnline' },
		OFFLINE: { actions: 'markOffline' },
		'PAGE.HIDE': { actions: 'handOverQueue' },
		SEND: { guard: 'canQueue', actions: ['enqueueMessage', 'persistQueue'] }
	},
	states: {
		connection: {
			id: 'connection',
			initial: 'idle',
			on: {
				DISCONNECT: '.disconnected',
				// A leader whose page is hidden or frozen closes its socket first, then lets the lock
				// go (see the role region): the next leader's socket never meets this one's.
				'PAGE.HIDE': { guard: 'isLeading', target: '.shared', actions: 'handOverQueue' },
				'PAGE.FREEZE': { guard: 'isLeading', target: '.shared' }
			},
			states: {
				idle: {
					on: { CONNECT: 'starting' }
				},
				// A choice, left at once: every start (connect(), or retryNow() after a failure) goes
				// offline without spending an attempt when the browser says it is, else connects.
				starting: {
					always: [
						{ guard: 'isFollowing', target: 'shared' },
						{ guard: 'isOffline', target: 'offline' },
						{ target: 'connecting' }
					]
				},
				connecting: {
					entry: ['resetAttempt', 'openSocket'],
					after: {
						connectTimeout: { target: 'reconnecting', actions: 'recordConnectTimeout' }
					},
					on: {
						'SOCKET.OPEN': 'connected',
						// A close before open carries no server code (1006): the server accepts a socket
						// before closing it with 4401/4403/1008, so fatal closes only happen in `connected`.
						'SOCKET.CLOSED': { target: 'reconnecting', actions: 'recordClose' },
						OFFLINE: 'offline'
					}
				},
				connected: {
					initial: 'live',
					entry: ['markOpen', 'countConnection', 'sendResume', 'transmitPending', 'markSent'],
					exit: ['requeueInFlight', 'forgetRoutes'],
					on: {
						'SERVER.EVENTS': [
							{ guard: 'hasNewEvents', actions: ['emitNewEvents', 'relayEvents', 'acceptEvents'] },
							{ actions: 'recordFrame' }
						],
						// A new session: the app hears of it (`onConnected`) only now, not on open, since a
						// server that refuses the socket (4401) opens it only to close it.
						'SERVER.WELCOME': [
							{
								guard: 'isServerBehind',
								actions: [
									'recordFrame',
									'applyResync',
									'emitConnected',
									'emitResync',
									'relayResync'
								]
							},
							{ actions: ['recordFrame', 'emitConnected'] }
						],
						'SERVER.PING': { actions: ['recordFrame', 'sendPong'] },
						'SERVER.PONG': { actions: 'recordFrame' },
						// A follower's message (see TABS.SEND): its answer goes back to that tab alone.
						'SERVER.ACK': [
							{ guard: 'isRelayedMessage', actions: ['recordFrame', 'forwardAck', 'forgetRoute'] },
							{ actions: ['recordFrame', 'removeAnswered', 'persistQueue'] }
						],
						'SERVER.RESYNC': {
							actions: ['recordFrame', 'applyResync', 'emitResync', 'relayResync']
						},
						'SERVER.ERROR': [
							{
								guard: 'isRelayedMessage',
								actions: ['recordFrame', 'forwardRefusal', 'forgetRoute']
							},
							{
								guard: 'isMessageRefusal',
								actions: ['recordFrame', 'removeAnswered', 'persistQueue', 'emitServerError']
							},
							{ actions: ['recordFrame', 'emitServerError'] }
						],
						'SOCKET.BAD_FRAME': [
							{
								guard: 'isFirstDropOfReason',
								actions: ['recordFrame', 'countDroppedFrame', 'warnDroppedFrame']
							},
							{ actions: ['recordFrame', 'countDroppedFrame'] }
						],
						SEND: [
							{ guard: 'isQueueDisabled', actions: ['transmitMessage', 'checkLiveness'] },
							{
								guard: 'canQueue',
								actions: [
									'enqueueMessage',
									'persistQueue',
									'transmitPending',
									'markSent',
									'checkLiveness'
								]
							}
						],
						// Timers of a hidden tab are throttled (to once a minute, or frozen): `after` may fire
						// long after the socket died. So the clock is read again when the tab comes back, the
						// network returns, and before each send (`checkLiveness` raises HEARTBEAT.CHECK).
						VISIBLE: { actions: 'checkLiveness' },
						ONLINE: { actions: 'checkLiveness' },
						// A follower's outbox, written as it came; the follower keeps it until acked, and
						// resends it through the next connection should this one end first.
						'TABS.SEND': { actions: ['routeMessages', 'transmitRelayed'] },
						'SOCKET.CLOSED': [
							{ guard: 'isFatalClose', target: 'failed', actions: 'recordFatalClose' },
							{ target: 'reconnecting', actions: 'recordClose' }
						],
						OFFLINE: 'offline'
					},
					states: {
						live: {
							after: { heartbeatInterval: 'probing' },
							// The same silence measured on the clock, for when the timer above was throttled.
							on: { 'HEARTBEAT.CHECK': { guard: 'isSilent', target: 'probing' } }
						},
						probing: {
							entry: ['markPingSent', 'sendPing'],
							// Any frame after the ping answers it, and the next interval counts from that frame:
							// waiting out heartbeatTimeout first would let a connection that dies right after
							// answering go undetected for heartbeatInterval + 2 x heartbeatTimeout.
							always: { guard: 'isProbeAnswered', target: 'live' },
							after: {
								heartbeatTimeout: {
									target: '#connection.reconnecting',
									actions: 'recordHeartbeatTimeout'
								}
							},
							// The timeout measured on the clock, for when the timer above was throttled.
							on: {
								'HEARTBEAT.CHECK': {
									guard: 'isProbeOverdue',
									target: '#connection.reconnecting',
									actions: 'recordHeartbeatTimeout'
								}
							}
						}
					}
				},
				reconnecting: {
					initial: 'backoff',
					on: { OFFLINE: 'offline' },
					states: {
						backoff: {
							entry: ['closeSocket', 'scheduleRetry'],
							exit: 'clearRetry',
							always: {
								guard: 'attemptsExhausted',
								target: '#connection.failed',
								actions: 'recordExhausted'
							},
							after: { backoff: 'attempting' },
							on: { RETRY_NOW: 'attempting', VISIBLE: 'attempting', ONLINE: 'attempting' }
						},
						attempting: {
							entry: ['countAttempt', 'openSocket'],
							after: {
								connectTimeout: { target: 'backoff', actions: 'recordConnectTimeout' }
							},
							on: {
								'SOCKET.OPEN': '#connection.connected',
								'SOCKET.CLOSED': { target: 'backoff', actions: 'recordClose' }
							}
						}
					}
				},
				offline: {
					entry: ['closeSocket', 'markOffline'],
					on: { ONLINE: { target: 'connecting', actions: 'markOnline' } }
				},
				disconnected: {
					entry: 'closeSocket',
					on: { CONNECT: 'starting' }
				},
				failed: {
					entry: 'closeSocket',
					exit: 'clearFailure',
					on: { CONNECT: 'starting', RETRY_NOW: 'starting' }
				},
				// Another tab's socket serves this one (or will, once a leader is known): no socket
				// here. Status, events, acks and refusals come from the leader over the channel.
				shared: {
					entry: 'closeSocket',
					on: {
						// What this tab sent through the old leader is unacked: it goes out again first.
						'TABS.ELECTED': { target: 'starting', actions: 'requeueInFlight' },
						'TABS.LEADER': [
							// Another tab took over and resumed from the seq every tab has: for this tab
							// nothing was lost, so it is not told of a new connection (no reload).
							{
								guard: 'isTakeover',
								actions: [
									'recordLeader',
									'markSentThrough',
									'requeueInFlight',
									'relayPending',
									'markSent'
								]
							},
							{
								guard: 'isNewLeaderConnection',
								actions: [
									'recordLeader',
									'markSentThrough',
									'emitLeaderConnected',
									'requeueInFlight',
									'relayPending',
									'markSent'
								]
							},
							{ actions: 'recordLeader' }
						],
						'TABS.EVENTS': { guard: 'hasNewEvents', actions: ['emitNewEvents', 'acceptEvents'] },
						'TABS.RESYNC': { actions: ['applyResync', 'emitResync'] },
						'TABS.ACK': { actions: ['removeAnswered', 'persistQueue'] },
						'TABS.REFUSED': { actions: ['removeAnswered', 'persistQueue', 'emitServerError'] },
						SEND: [
							{ guard: 'canRelayNow', actions: 'relayMessage' },
							{
								guard: 'canRelay',
								actions: ['enqueueMessage', 'persistQueue', 'relayPending', 'markSent']
							},
							{ guard: 'canQueue', actions: ['enqueueMessage', 'persistQueue'] }
						],
						CONNECT: { guard: 'hasLeader', actions: 'forwardCommand' },
						RETRY_NOW: { guard: 'hasLeader', actions: 'forwardCommand' }
					}
				}
			}
		},
		role: {
			initial: 'detached',
			states: {
				standalone: {},
				// Sharing, but this tab wants no connection (not started, or disconnect()).
				detached: {
					always: { guard: 'isStandalone', target: 'standalone' },
					on: { CONNECT: 'member' }
				},
				// Queued for the group's lock (held for as long as this tab leads; never stolen).
				member: {
					initial: 'electing',
					invoke: {
						id: 'tabLock',
						src: 'tabLock',
						input: ({ context }) => ({ name: context.tabs!.name })
					},
					entry: 'joinTabs',
					exit: 'leaveTabs',
					on: {
						DISCONNECT: 'detached',
						'PAGE.HIDE': 'parked',
						'PAGE.FREEZE': 'parked'
					},
					states: {
						electing: {
							on: { 'TABS.ELECTED': 'leader', 'TABS.LEADER': 'follower' }
						},
						follower: {
							on: { 'TABS.ELECTED': 'leader' }
						},
						leader: {
							entry: ['takeLead', 'leadTabs'],
							on: {
								'TABS.VISIBILITY': { actions: 'trackAttention' },
								'TABS.BYE': { actions: 'forgetTab' },
								'TABS.COMMAND': { actions: 'runTabCommand' }
							}
						}
					}
				},
				// The page is in the back/forward cache or frozen: no lock, no channel, until shown.
				parked: {
					on: { 'PAGE.SHOW': 'member', DISCONNECT: 'detached' }
				}
			}
		}
	}
});

/** The connection machine's type, for `.provide()`d variants. */
export type ConnectionMachine = typeof connectionMachine;

/**
 * `machine` (the chart, or a `.provide()`d variant of it) bound to one client's outside world:
 * its socket constructor, decoder, clock, randomness, storage and logger. Implementations a test
 * provided under other names are kept.
 */
export function provideIO(machine: ConnectionMachine, io: ConnectionIO): ConnectionMachine {
	const bound = machine.provide(ioImplementations(io));
	return io.tabs ? bound.provide(io.tabs) : bound;
}
