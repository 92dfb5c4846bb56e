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
 * Paste-able into the Stately visualizer; every action, guard, delay and actor is named, so tests
 * can `.provide()` other implementations (a fake socket, a recording action).
 */
import { assertEvent, assign, emit, raise, sendTo, setup, spawnChild, stopChild } from 'xstate';
import { backoffDelay } from './backoff';
import { environmentActor, type EnvironmentEvent } from './environment';
import {
	createFrameDecoder,
	FRAME_DROP_REASONS,
	latestSeq,
	newFrames,
	type FrameDecoder,
	type FrameDropReason
} from './frames';
import type { ResolvedOptions, WebSocketConstructor } from './options';
import { CloseCode, FATAL_CLOSE_CODES, type EventFrame, type ServerErrorData } from './protocol';
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
 * What the chart needs from the outside world. Functions only, so a serialized snapshot (the
 * inspector, graph traversal) shows `{}` for it.
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
}

export interface ConnectionContext {
	config: ConnectionConfig;
	io: ConnectionIO;
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

/** Raised by the chart itself to re-check the heartbeat after a send, `VISIBLE` or `ONLINE`. */
export type HeartbeatCheckEvent = { type: 'HEARTBEAT.CHECK' };

export type ConnectionEvent = ClientEvent | EnvironmentEvent | SocketEvent | HeartbeatCheckEvent;

/**
 * Emitted to `actor.on(...)` listeners: the facade dispatches them to subscribers. The `frames`
 * array of `realtime.events` (like that of `SERVER.EVENTS`) is emptied after the current task's
 * microtasks (see socket.ts): a listener that keeps it for later keeps a copy.
 */
export type ConnectionEmitted =
	| { type: 'realtime.events'; frames: readonly EventFrame[] }
	| { type: 'realtime.resync'; lastSeq: number }
	| ({ type: 'realtime.error' } & ServerErrorData);

/** The machine's input: validated options (see `resolveOptions`). */
export type ConnectionInput = ResolvedOptions;

const PING_FRAME = JSON.stringify({ type: 'ping' });
const PONG_FRAME = JSON.stringify({ type: 'pong' });

function initialContext(input: ConnectionInput): ConnectionContext {
	// What talks to the outside world goes to `io`, the plain data to `config`; lastSeq only seeds
	// the context; autoConnect is the facade's business.
	const {
		WebSocket,
		storage,
		storageKey,
		random,
		now,
		logger,
		eventSchemas,
		maxFrameSize,
		lastSeq,
		autoConnect: _autoConnect,
		...config
	} = input;
	return {
		config,
		io: {
			WebSocket,
			decode: createFrameDecoder(eventSchemas, maxFrameSize),
			random,
			now,
			saveQueue: (queue) => saveQueue(storage, storageKey, queue),
			handOverQueue: (queue) => handOverQueue(storage, storageKey, queue),
			takeHandedOver: () => takeHandedOver(storage, storageKey),
			warn: (message) => logger.warn(message)
		},
		online: true,
		attempt: 0,
		retryDelay: 0,
		nextRetryAt: null,
		queue: config.enableMessageQueue ? loadQueue(storage, storageKey, config.maxQueueSize) : [],
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

/** The connection statechart. Create it with `createActor(connectionMachine, { input })`. */
export const connectionMachine = setup({
	types: {} as {
		context: ConnectionContext;
		events: ConnectionEvent;
		input: ConnectionInput;
		emitted: ConnectionEmitted;
		children: { socket: 'socket'; environment: 'environment' };
	},
	actors: {
		socket: socketActor,
		environment: environmentActor
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
			assertEvent(event, 'SERVER.EVENTS');
			return event.frames.some((frame) => frame.seq > context.lastSeq);
		},
		isServerBehind: ({ context, event }) => {
			assertEvent(event, 'SERVER.WELCOME');
			return event.lastSeq < context.lastSeq;
		},
		isMessageRefusal: ({ event }) => {
			assertEvent(event, 'SERVER.ERROR');
			return event.id !== undefined;
		},
		isFirstDropOfReason: ({ context, event }) => {
			assertEvent(event, 'SOCKET.BAD_FRAME');
			return context.droppedByReason[event.reason] === 0;
		},
		isSilent: ({ context }) =>
			context.io.now() - (context.lastFrameAt ?? 0) >= context.config.heartbeatInterval,
		isProbeAnswered: ({ context }) =>
			context.lastFrameAt !== null &&
			context.pingSentAt !== null &&
			context.lastFrameAt >= context.pingSentAt,
		isProbeOverdue: ({ context }) =>
			context.pingSentAt !== null &&
			(context.lastFrameAt ?? 0) < context.pingSentAt &&
			context.io.now() - context.pingSentAt >= context.config.heartbeatTimeout
	},
	actions: {
		markOnline: assign({ online: true }),
		markOffline: assign({ online: false }),
		resetAttempt: assign({ attempt: 0 }),
		countAttempt: assign({ attempt: ({ context }) => context.attempt + 1 }),
		openSocket: spawnChild('socket', {
			id: 'socket',
			input: ({ context }) => ({
				url: context.config.url,
				WebSocket: context.io.WebSocket,
				decode: context.io.decode
			})
		}),
		closeSocket: stopChild('socket'),
		scheduleRetry: assign(({ context }) => {
			const rateLimited = context.closeCode === CloseCode.RATE_LIMITED;
			const retryDelay = backoffDelay(
				context.attempt + 1,
				context.config,
				context.io.random(),
				rateLimited
			);
			return { retryDelay, nextRetryAt: context.io.now() + retryDelay };
		}),
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
		markOpen: assign(({ context }) => ({
			attempt: 0,
			closeCode: null,
			retryCause: null,
			lastFrameAt: context.io.now(),
			pingSentAt: null
		})),
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
		persistQueue: ({ context }) => context.io.saveQueue(context.queue),
		handOverQueue: ({ context }) => context.io.handOverQueue(context.queue),
		transmitMessage: sendTo('socket', ({ event }) => {
			assertEvent(event, 'SEND');
			return { type: 'SEND' as const, frames: [serializeMessage(event.message)] };
		}),
		removeAcked: assign(({ context, event }) => {
			assertEvent(event, 'SERVER.ACK');
			return acknowledge(context, event.id);
		}),
		// A refused message would be refused again: resending it after every reconnect (and page
		// load) only keeps it, and the room it takes, in the outbox forever. The app hears of it
		// through `realtime.error` and decides what to do.
		removeRefused: assign(({ context, event }) => {
			assertEvent(event, 'SERVER.ERROR');
			return event.id === undefined ? {} : acknowledge(context, event.id);
		}),
		// Resolved before acceptEvents in the same transition, so it still sees the old lastSeq.
		emitNewEvents: emit(({ context, event }) => {
			assertEvent(event, 'SERVER.EVENTS');
			return { type: 'realtime.events' as const, frames: newFrames(event.frames, context.lastSeq) };
		}),
		acceptEvents: assign(({ context, event }) => {
			assertEvent(event, 'SERVER.EVENTS');
			return { lastSeq: latestSeq(event.frames, context.lastSeq), lastFrameAt: context.io.now() };
		}),
		recordFrame: assign({ lastFrameAt: ({ context }) => context.io.now() }),
		markPingSent: assign({ pingSentAt: ({ context }) => context.io.now() }),
		sendPing: sendTo('socket', { type: 'SEND', frames: [PING_FRAME] }),
		sendPong: sendTo('socket', { type: 'SEND', frames: [PONG_FRAME] }),
		applyResync: assign(({ event }) => {
			assertEvent(event, ['SERVER.RESYNC', 'SERVER.WELCOME']);
			return { lastSeq: event.lastSeq };
		}),
		emitResync: emit(({ event }) => {
			assertEvent(event, ['SERVER.RESYNC', 'SERVER.WELCOME']);
			return { type: 'realtime.resync' as const, lastSeq: event.lastSeq };
		}),
		emitServerError: emit(({ event }) => {
			assertEvent(event, 'SERVER.ERROR');
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
		warnDroppedFrame: ({ context, event }) => {
			assertEvent(event, 'SOCKET.BAD_FRAME');
			context.io.warn(
				`realtime: dropped a frame (${event.reason}: ${event.detail}); ` +
					`further "${event.reason}" drops are only counted`
			);
		},
		checkLiveness: raise({ type: 'HEARTBEAT.CHECK' })
	}
}).createMachine({
	id: 'connection',
	context: ({ input }) => initialContext(input),
	invoke: {
		id: 'environment',
		src: 'environment',
		input: ({ context }) => ({ takeHandedOver: context.io.takeHandedOver })
	},
	initial: 'idle',
	on: {
		DISCONNECT: '.disconnected',
		ONLINE: { actions: 'markOnline' },
		OFFLINE: { actions: 'markOffline' },
		'PAGE.HIDE': { actions: 'handOverQueue' },
		SEND: { guard: 'canQueue', actions: ['enqueueMessage', 'persistQueue'] }
	},
	states: {
		idle: {
			on: {
				CONNECT: [{ guard: 'isOffline', target: 'offline' }, { target: 'connecting' }]
			}
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
			entry: ['markOpen', 'sendResume', 'transmitPending', 'markSent'],
			exit: 'requeueInFlight',
			on: {
				'SERVER.EVENTS': [
					{ guard: 'hasNewEvents', actions: ['emitNewEvents', 'acceptEvents'] },
					{ actions: 'recordFrame' }
				],
				'SERVER.WELCOME': [
					{ guard: 'isServerBehind', actions: ['recordFrame', 'applyResync', 'emitResync'] },
					{ actions: 'recordFrame' }
				],
				'SERVER.PING': { actions: ['recordFrame', 'sendPong'] },
				'SERVER.PONG': { actions: 'recordFrame' },
				'SERVER.ACK': { actions: ['recordFrame', 'removeAcked', 'persistQueue'] },
				'SERVER.RESYNC': { actions: ['recordFrame', 'applyResync', 'emitResync'] },
				'SERVER.ERROR': [
					{
						guard: 'isMessageRefusal',
						actions: ['recordFrame', 'removeRefused', 'persistQueue', 'emitServerError']
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
				VISIBLE: { actions: 'checkLiveness' },
				ONLINE: { actions: 'checkLiveness' },
				'SOCKET.CLOSED': [
					{ guard: 'isFatalClose', target: 'failed', actions: 'recordFatalClose' },
					{ target: 'reconnecting', actions: 'recordClose' }
				],
				OFFLINE: 'offline'
			},
			states: {
				live: {
					after: { heartbeatInterval: 'probing' },
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
			on: {
				CONNECT: [{ guard: 'isOffline', target: 'offline' }, { target: 'connecting' }]
			}
		},
		failed: {
			entry: 'closeSocket',
			exit: 'clearFailure',
			on: {
				CONNECT: [{ guard: 'isOffline', target: 'offline' }, { target: 'connecting' }],
				RETRY_NOW: [{ guard: 'isOffline', target: 'offline' }, { target: 'connecting' }]
			}
		}
	}
});

/** The connection machine's type, for `.provide()`d variants. */
export type ConnectionMachine = typeof connectionMachine;
