/**
 * The facade an app uses: `createRealtimeClient(options)` starts the connection chart and offers
 * connect/disconnect, typed subscriptions to server events, send with a reported outcome, and the
 * status. Everything it knows comes from the actor, which it also exposes for stores and the
 * inspector.
 */
import { createActor, type Actor, type ActorOptions } from 'xstate';
import {
	connectionInput,
	connectionIO,
	connectionMachine,
	provideIO,
	type ConnectionMachine,
	type Welcome
} from './connection';
import { randomId } from './ids';
import { resolveOptions, type ConnectionOptions } from './options';
import {
	parseClientMessage,
	type EventFrame,
	type EventMapOf,
	type EventSchemas,
	type ServerErrorData
} from './protocol';
import { planSend, type SendPlan } from './queue';
import {
	roleOf,
	statusDetailOf,
	statusOf,
	type TabRole,
	type ConnectionSnapshot,
	type ConnectionStatus,
	type StatusDetail
} from './status';

/** Calling it removes the listener; calling it again does nothing. */
export type Unsubscribe = () => void;

/** A subscriber to one event type: the validated payload, and the whole frame (id, seq, ts). */
export type EventHandler<T, K extends string = string> = (data: T, frame: EventFrame<K, T>) => void;

/** What `send()` did: the message id, and the outcome (see `SendOutcome`). */
export interface SendResult extends SendPlan {
	id: string;
}

/** Extra ways to run the client: another machine (`.provide()`d), the inspector, a clock. */
export interface ClientRuntime {
	/**
	 * The chart to run, e.g. `connectionMachine.provide({ actors: { socket } })`. The client binds
	 * its options' outside world (`WebSocket`, `now`, `storage`...) into it with `provideIO`.
	 */
	machine?: ConnectionMachine;
	/** An inspector, e.g. `createBrowserInspector().inspect` from @statelyai/inspect. */
	inspect?: ActorOptions<ConnectionMachine>['inspect'];
	/**
	 * A clock for the chart's timers, e.g. xstate's `SimulatedClock` in tests; pass the option
	 * `now: () => clock.now()` too, so that `nextRetryAt` and the heartbeat use the same time.
	 */
	clock?: ActorOptions<ConnectionMachine>['clock'];
}

/** A client whose events `M` (name -> payload type) come from its `events` option. */
export interface RealtimeClient<M extends Record<string, unknown> = Record<string, unknown>> {
	/** The running connection actor: `useSelector(client.actor, ...)`, the inspector, tests. */
	readonly actor: Actor<ConnectionMachine>;
	/** Connect (from idle, disconnected or failed); ignored while connecting or connected. */
	connect(): void;
	/** Close the socket and stay disconnected until `connect()`; no timer is left running. */
	disconnect(): void;
	/** While waiting to retry (or failed): try now instead of when the backoff ends. */
	retryNow(): void;
	/** Stop for good: socket closed, timers and listeners removed. The client cannot restart. */
	stop(): void;
	/** Call `handler` with the payload of every new `type` event. */
	subscribe<K extends keyof M & string>(type: K, handler: EventHandler<M[K], K>): Unsubscribe;
	/**
	 * Send `{type, id, data}` to the server now if connected, else queue it. `data` must be JSON
	 * (a TypeError otherwise), `type` 1-64 characters and not a control frame's.
	 */
	send(type: string, data?: unknown): SendResult;
	getStatus(): ConnectionStatus;
	getStatusDetail(): StatusDetail;
	isConnected(): boolean;
	/** This tab's role in its tab group: `leader`, `follower`... (`standalone` without sharing). */
	getRole(): TabRole;
	/**
	 * Whether this tab is the one of its group that should draw the user's attention (a sound) for
	 * the events it gets now: the visible tab, else the leader. Always true standing alone. Ask it
	 * from a subscriber: every tab of a group agrees on it for each event.
	 */
	hasAttention(): boolean;
	/** Call `listener` whenever the status changes. */
	onStatusChange(listener: (status: ConnectionStatus, detail: StatusDetail) => void): Unsubscribe;
	/**
	 * Call `listener` when the server welcomes a new connection: a session began (after the first
	 * connect and after every reconnect). A socket the server closes at once (4401) is not one.
	 */
	onConnected(listener: (welcome: Welcome) => void): Unsubscribe;
	/** Call `listener` when the server says the client missed too much: refetch everything. */
	onResync(listener: (lastSeq: number) => void): Unsubscribe;
	/**
	 * Call `listener` with each `error` frame of the server: `{code, message}`, and `id` when it
	 * refused a message from `send()`. A refused message has already left the outbox (it would be
	 * refused again) and is not resent: compare `id` with `send()`'s result to tell the user or to
	 * send a corrected message.
	 */
	onError(listener: (error: ServerErrorData) => void): Unsubscribe;
}

/**
 * Create and start a client. Throws a `TypeError` naming the option when an option is invalid.
 *
 * @example
 * const Chat = z.object({ text: z.string() }); // any Standard Schema v1: zod, valibot, arktype...
 * const client = createRealtimeClient({ url: 'wss://example.com/ws', events: { 'chat:message': Chat } });
 * const off = client.subscribe('chat:message', (data) => console.log(data.text)); // typed
 */
export function createRealtimeClient<S extends EventSchemas = Record<never, never>>(
	options: ConnectionOptions<S>,
	runtime: ClientRuntime = {}
): RealtimeClient<EventMapOf<S>> {
	const resolved = resolveOptions(options);
	const { logger } = resolved;
	const { machine = connectionMachine, ...actorOptions } = runtime;
	// Spread, not `clock: runtime.clock`: an explicit undefined would replace xstate's default clock.
	const actor = createActor(provideIO(machine, connectionIO(resolved)), {
		...actorOptions,
		input: connectionInput(resolved)
	});
	// Handlers of every type in one map; `subscribe`'s signature is what keeps them typed. The
	// lists are replaced, never changed, so dispatch iterates a plain array without copying it.
	const handlers = new Map<string, readonly EventHandler<unknown>[]>();
	const statusListeners = new Set<(status: ConnectionStatus, detail: StatusDetail) => void>();
	const nextId = idFactory();

	actor.on('realtime.events', ({ frames }) => {
		for (const frame of frames) {
			const forType = handlers.get(frame.type);
			if (forType) for (let i = 0; i < forType.length; i++) dispatch(forType[i], frame);
		}
	});
	const dispatch = (handler: EventHandler<unknown>, frame: EventFrame) => {
		try {
			handler(frame.data, frame);
		} catch (error) {
			logger.error(`realtime: a "${frame.type}" subscriber threw`, error);
		}
	};
	let status = statusOf(actor.getSnapshot());
	actor.subscribe((snapshot) => {
		const next = statusOf(snapshot);
		if (next === status) return;
		status = next;
		const detail = statusDetailOf(snapshot);
		for (const listener of statusListeners) listener(next, detail);
	});
	actor.start();
	if (resolved.autoConnect) actor.send({ type: 'CONNECT' });

	const running = () => actor.getSnapshot().status === 'active';
	// A follower tab is connected when its leader is.
	const isConnected = (snapshot: ConnectionSnapshot = actor.getSnapshot()) =>
		snapshot.status === 'active' && statusOf(snapshot) === 'connected';

	return {
		actor,
		connect: () => actor.send({ type: 'CONNECT' }),
		disconnect: () => actor.send({ type: 'DISCONNECT' }),
		retryNow: () => actor.send({ type: 'RETRY_NOW' }),
		stop() {
			actor.stop();
			handlers.clear();
			statusListeners.clear();
		},
		subscribe(type, handler) {
			const entry = handler as unknown as EventHandler<unknown>;
			handlers.set(type, [...(handlers.get(type) ?? []), entry]);
			let subscribed = true;
			return () => {
				if (!subscribed) return;
				subscribed = false;
				const rest = [...(handlers.get(type) ?? [])];
				rest.splice(rest.indexOf(entry), 1);
				if (rest.length) handlers.set(type, rest);
				else handlers.delete(type);
			};
		},
		send(type, data) {
			// The check a server makes of a client message (the id is ours, so only `type` can fail).
			const message = parseClientMessage({ type, id: nextId(), data: toJson(data) });
			if (!message) {
				throw new TypeError(
					'type must be a string of 1 to 64 characters, not resume, ping or pong'
				);
			}
			if (!running()) return { id: message.id, outcome: 'dropped' };
			const snapshot = actor.getSnapshot();
			const plan = planSend(snapshot.context.queue, snapshot.context.config, isConnected(snapshot));
			actor.send({ type: 'SEND', message });
			return { id: message.id, ...plan };
		},
		getStatus: () => statusOf(actor.getSnapshot()),
		getStatusDetail: () => statusDetailOf(actor.getSnapshot()),
		isConnected: () => isConnected(),
		getRole: () => roleOf(actor.getSnapshot()),
		hasAttention() {
			const { tabs } = actor.getSnapshot().context;
			return tabs === null || tabs.attention === tabs.id;
		},
		onStatusChange(listener) {
			statusListeners.add(listener);
			return () => void statusListeners.delete(listener);
		},
		onConnected(listener) {
			const subscription = actor.on('realtime.connected', ({ type: _type, ...welcome }) =>
				listener(welcome)
			);
			return () => subscription.unsubscribe();
		},
		onResync(listener) {
			const subscription = actor.on('realtime.resync', ({ lastSeq }) => listener(lastSeq));
			return () => subscription.unsubscribe();
		},
		onError(listener) {
			const subscription = actor.on('realtime.error', ({ type: _type, ...error }) =>
				listener(error)
			);
			return () => subscription.unsubscribe();
		}
	};
}

/**
 * `data` as the server will see it: plain JSON, or a TypeError now rather than on the wire (a
 * function or a symbol stringifies to `undefined`, which does not parse).
 */
function toJson(data: unknown): unknown {
	if (data === undefined) return undefined;
	try {
		return JSON.parse(JSON.stringify(data) as string);
	} catch (error) {
		throw new TypeError(`data must be JSON-serializable (${String(error)})`);
	}
}

/**
 * Message ids unique across clients and page loads (the server drops duplicates by id): a random
 * prefix per client, then a counter.
 */
function idFactory(): () => string {
	const prefix = randomId();
	let counter = 0;
	return () => `${prefix}-${++counter}`;
}
