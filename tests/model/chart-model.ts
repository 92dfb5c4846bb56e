/**
 * The test model, derived in code from the real chart (machines/connection.ts): no second chart
 * is written by hand. The chart's own `transition()` is walked with xstate/graph; this module
 * only decides which concrete events to offer in each state, how to tell snapshots apart so the
 * walk ends, and which transition definitions each step takes, and from that builds a set of
 * paths that together take every transition of the chart.
 *
 * Time: `createTestModel` refuses charts with `after`, so the walk uses the machine itself, where
 * delays are ordinary `xstate.after.*` events. A model clock moves by the delay of each of those
 * events, and by a "silence" (a hidden tab whose timers were throttled) on `VISIBLE`, so the
 * heartbeat guards that read `now()` see in the model exactly what the real client will see on
 * its simulated clock.
 */
import {
	createEmptyActor,
	type ActorLogic,
	type AnyTransitionDefinition,
	type InspectionEvent,
	type StateValue
} from 'xstate';
import {
	adjacencyMapToArray,
	getAdjacencyMap,
	getShortestPaths,
	getStateNodes
} from 'xstate/graph';
import {
	connectionInput,
	connectionIO,
	connectionMachine,
	memoryStorage,
	provideIO,
	resolveOptions,
	type ConnectionEvent,
	type ConnectionOptions,
	roleOf,
	type ConnectionSnapshot,
	type EventFrame
} from '../../machines/index';
import { shareTabs, type LeaderState } from '../../machines/share-tabs';

/** Options shared by the model and the real client of every path (times in simulated ms). */
export const MODEL_OPTIONS = {
	reconnectInterval: 1_000,
	maxReconnectInterval: 30_000,
	reconnectDecay: 1.5,
	maxReconnectAttempts: 2,
	timeoutInterval: 5_000,
	heartbeatInterval: 30_000,
	heartbeatTimeout: 10_000,
	jitter: 0.2,
	autoConnect: false
} satisfies Partial<ConnectionOptions>;

/**
 * Tab sharing as the walk resolves it: the chart only needs the group's ids in its context (the
 * walk never runs the actors), so the browser APIs here do nothing.
 */
const MODEL_TABS = {
	key: 'model',
	locks: { request: () => new Promise<unknown>(() => {}) },
	BroadcastChannel: class {
		postMessage() {}
		close() {}
		addEventListener() {}
		removeEventListener() {}
	}
};

/** How long a throttled hidden tab stays silent before a `VISIBLE` in the model. */
export const SILENCE = MODEL_OPTIONS.heartbeatInterval + MODEL_OPTIONS.heartbeatTimeout;

/** The random source of model and real clients alike, so both compute the same backoff. */
export const fixedRandom = () => 0.5;

/** Client configurations the model is walked with; a later one only adds what earlier lack. */
const MODEL_CONFIGS: readonly ModelConfig[] = [
	{ name: 'queue on', options: {}, tabs: false },
	{ name: 'queue off', options: { enableMessageQueue: false }, tabs: false },
	// A tab of a group: the real run plays the group's other tab (see drive.ts).
	{ name: 'tab group', options: {}, tabs: true },
	{ name: 'tab group, queue off', options: { enableMessageQueue: false }, tabs: true }
];
export interface ModelConfig {
	name: string;
	options: Partial<ConnectionOptions>;
	/** The client shares its connection with another tab (tab sharing on). */
	tabs: boolean;
}

/** The other tab of the model's tab group, as the real run plays it; a second one takes over. */
export const PEER = 'peer';
export const OTHER_PEER = 'peer2';
/** The id of the message the peer tab sends through a leading client. */
export const PEER_MESSAGE = 'peer-1';

/** A leader state of tab `id`, as a follower receives it. */
export function peerState(
	id: string,
	status: 'connected' | 'reconnecting',
	epoch: number,
	lastSeq: number
): LeaderState {
	return {
		id,
		group: 'model-group',
		epoch,
		status,
		reason: status === 'connected' ? null : 'closed',
		attempt: status === 'connected' ? 0 : 1,
		maxAttempts: MODEL_OPTIONS.maxReconnectAttempts,
		nextRetryAt: null,
		droppedFrames: 0,
		closeCode: null,
		lastSeq,
		attention: id
	};
}

const roleIs = (snapshot: ConnectionSnapshot, ...roles: string[]) =>
	roles.includes(roleOf(snapshot));

/**
 * A socket that never opened can only report close code 1006 (browsers and `ws` alike: the close
 * code of a failed handshake is always "abnormal"), so that is the only close offered before open.
 */
const CLOSE_CODES_BEFORE_OPEN = [1006] as const;
/** Close codes a server sends on an open socket: one to retry after, one fatal. */
const CLOSE_CODES_WHEN_OPEN = [1001, 4401] as const;

/** How the model event relates to the client's `lastSeq`, so the real run can build the same. */
interface ModelMeta {
	/** `VISIBLE` after the tab was hidden (timers throttled) for {@link SILENCE} ms. */
	silence?: true;
	/** An event frame with `lastSeq + 1` (`new`) or `lastSeq` (`seen`). */
	seq?: 'new' | 'seen';
	/** A welcome that reports one event fewer than the client has. */
	behind?: true;
}

/** A machine event as offered by the model, with what the real run needs to reproduce it. */
export type ModelEvent = ConnectionEvent & { meta?: ModelMeta };

/** One transition definition of the chart. */
export interface ChartTransition {
	key: string;
	source: string;
	event: string;
	guard: string | null;
	target: string | null;
}

/**
 * The key of a transition definition: its state, event and place among that event's candidates.
 * By structure, not by object, so it is the same in every `.provide()`d copy of the chart (each
 * client runs its own, bound to its outside world).
 */
export function transitionKey(definition: AnyTransitionDefinition): string {
	const { source, eventType } = definition;
	const list = (eventType ? source.transitions.get(eventType) : source.always) ?? [];
	return `${source.id} ${eventType || 'always'} #${list.indexOf(definition)}`;
}

/** Every transition definition of the chart (each guarded candidate counts), by key. */
export function chartTransitions(): Map<string, ChartTransition> {
	const all = new Map<string, ChartTransition>();
	for (const node of [connectionMachine.root, ...getStateNodes(connectionMachine.root)]) {
		const candidates = [...node.transitions.values(), node.always ?? []];
		for (const list of candidates) {
			list.forEach((definition) => {
				const guard = definition.guard;
				const info: ChartTransition = {
					key: transitionKey(definition),
					source: node.id,
					event: definition.eventType || 'always',
					guard: typeof guard === 'string' ? guard : guard ? 'inline' : null,
					target: definition.target?.map((target) => target.id).join(',') ?? null
				};
				all.set(info.key, info);
			});
		}
	}
	return all;
}

/** Every state node of the chart, by id (`connection.reconnecting.backoff`, ...). */
export function chartStates(): string[] {
	return getStateNodes(connectionMachine.root).map((node) => node.id);
}

/** The state node ids a snapshot is in. */
export function activeStates(snapshot: ConnectionSnapshot): string[] {
	return snapshot._nodes.map((node) => node.id).filter((id) => id !== connectionMachine.id);
}

/** The delay of an `xstate.after.<delay>.<state>` event, from the chart's own `delays`. */
export function afterDelay(snapshot: ConnectionSnapshot, eventType: string): number {
	const name = eventType.split('.')[2];
	const delay = (connectionMachine.implementations.delays as Record<string, unknown>)[name];
	if (typeof delay === 'number') return delay;
	if (typeof delay !== 'function') throw new Error(`the chart has no delay named ${name}`);
	return delay({ context: snapshot.context, event: { type: eventType } });
}

export const isAfterEvent = (type: string) => type.startsWith('xstate.after.');

/** A valid event frame with a given `seq`: the payload the model and the real server both use. */
export function eventFrame(seq: number): EventFrame {
	return {
		type: 'notification:new',
		id: `model-${seq}`,
		seq,
		ts: 0,
		data: {
			id: `n-${seq}`,
			category: 'system',
			title: 'Model event',
			description: 'Sent by the model-based tests',
			timestamp: '2025-01-01T00:00:00.000Z'
		}
	};
}

/**
 * The concrete events offered for one event type in a state; `[]` for events the chart raises
 * itself. An event type without an entry fails the run: a new event in the chart needs a way to
 * produce it for real before the model can offer it.
 */
const VARIANTS: Record<string, (snapshot: ConnectionSnapshot) => ModelEvent[]> = {
	CONNECT: () => [{ type: 'CONNECT' }],
	DISCONNECT: () => [{ type: 'DISCONNECT' }],
	RETRY_NOW: () => [{ type: 'RETRY_NOW' }],
	SEND: () => [{ type: 'SEND', message: { id: 'model', type: 'note:saved', data: { n: 1 } } }],
	ONLINE: () => [{ type: 'ONLINE' }],
	OFFLINE: () => [{ type: 'OFFLINE' }],
	'PAGE.HIDE': () => [{ type: 'PAGE.HIDE' }],
	'PAGE.FREEZE': () => [{ type: 'PAGE.FREEZE' }],
	'PAGE.SHOW': () => [{ type: 'PAGE.SHOW' }],
	// The lock: granted when the peer, who holds it meanwhile, lets it go.
	'TABS.ELECTED': (snapshot) =>
		roleIs(snapshot, 'electing', 'follower') ? [{ type: 'TABS.ELECTED' }] : [],
	// What the peer posts while it leads: this tab hears it while it is a member that follows.
	'TABS.LEADER': (snapshot) => {
		if (!roleIs(snapshot, 'electing', 'follower')) return [];
		const { lastSeq, tabs } = snapshot.context;
		const leader = tabs?.leader ?? null;
		const id = leader?.id ?? PEER;
		const epoch = leader?.epoch ?? 0;
		const through = tabs?.sentThrough ?? null;
		return [
			{ type: 'TABS.LEADER', state: peerState(id, 'connected', epoch + 1, lastSeq) },
			{ type: 'TABS.LEADER', state: peerState(id, 'reconnecting', epoch, lastSeq) },
			...(through === `${id}:${epoch}`
				? [{ type: 'TABS.LEADER' as const, state: peerState(id, 'connected', epoch, lastSeq) }]
				: []),
			...(through !== null
				? [
						{
							type: 'TABS.LEADER' as const,
							state: peerState(id === PEER ? OTHER_PEER : PEER, 'connected', 1, lastSeq)
						}
					]
				: [])
		];
	},
	'TABS.EVENTS': (snapshot) => {
		if (!roleIs(snapshot, 'follower')) return [];
		const { lastSeq } = snapshot.context;
		const from = snapshot.context.tabs?.leader?.id ?? PEER;
		return [
			{ type: 'TABS.EVENTS', from, frames: [eventFrame(lastSeq + 1)], meta: { seq: 'new' } },
			...(lastSeq > 0
				? [
						{
							type: 'TABS.EVENTS' as const,
							from,
							frames: [eventFrame(lastSeq)],
							meta: { seq: 'seen' as const }
						}
					]
				: [])
		];
	},
	'TABS.RESYNC': (snapshot) =>
		roleIs(snapshot, 'follower')
			? [{ type: 'TABS.RESYNC', from: PEER, lastSeq: snapshot.context.lastSeq }]
			: [],
	'TABS.ACK': (snapshot) =>
		roleIs(snapshot, 'electing', 'follower') ? [{ type: 'TABS.ACK', from: PEER, id: 'model' }] : [],
	'TABS.REFUSED': (snapshot) =>
		roleIs(snapshot, 'electing', 'follower')
			? [
					{
						type: 'TABS.REFUSED',
						from: PEER,
						error: { code: 'model', message: 'a refused message', id: 'model' }
					}
				]
			: [],
	// What the peer posts while this tab leads.
	'TABS.SEND': (snapshot) =>
		roleIs(snapshot, 'leader')
			? [
					{
						type: 'TABS.SEND',
						from: PEER,
						messages: [{ id: PEER_MESSAGE, type: 'note:saved', data: { n: 2 } }]
					}
				]
			: [],
	'TABS.COMMAND': (snapshot) =>
		roleIs(snapshot, 'leader')
			? [
					{ type: 'TABS.COMMAND', from: PEER, command: 'CONNECT' },
					{ type: 'TABS.COMMAND', from: PEER, command: 'RETRY_NOW' }
				]
			: [],
	'TABS.VISIBILITY': (snapshot) =>
		roleIs(snapshot, 'leader')
			? [
					{ type: 'TABS.VISIBILITY', from: PEER, visible: true },
					{ type: 'TABS.VISIBILITY', from: PEER, visible: false }
				]
			: [],
	'TABS.BYE': (snapshot) => (roleIs(snapshot, 'leader') ? [{ type: 'TABS.BYE', from: PEER }] : []),
	VISIBLE: (snapshot) =>
		snapshot.matches({ connection: 'connected' })
			? [{ type: 'VISIBLE' }, { type: 'VISIBLE', meta: { silence: true } }]
			: [{ type: 'VISIBLE' }],
	'HEARTBEAT.CHECK': () => [],
	'SOCKET.OPEN': () => [{ type: 'SOCKET.OPEN' }],
	'SOCKET.CLOSED': (snapshot) =>
		(snapshot.matches({ connection: 'connected' })
			? CLOSE_CODES_WHEN_OPEN
			: CLOSE_CODES_BEFORE_OPEN
		).map((code) => ({ type: 'SOCKET.CLOSED', code, reason: '' })),
	'SOCKET.BAD_FRAME': () => [{ type: 'SOCKET.BAD_FRAME', reason: 'json', detail: 'not JSON' }],
	'SERVER.EVENTS': ({ context }) => [
		{ type: 'SERVER.EVENTS', frames: [eventFrame(context.lastSeq + 1)], meta: { seq: 'new' } },
		...(context.lastSeq > 0
			? [
					{
						type: 'SERVER.EVENTS' as const,
						frames: [eventFrame(context.lastSeq)],
						meta: { seq: 'seen' as const }
					}
				]
			: [])
	],
	'SERVER.WELCOME': ({ context }) => [
		{ type: 'SERVER.WELCOME', heartbeatInterval: 30_000, lastSeq: context.lastSeq },
		...(context.lastSeq > 0
			? [
					{
						type: 'SERVER.WELCOME' as const,
						heartbeatInterval: 30_000,
						lastSeq: context.lastSeq - 1,
						meta: { behind: true as const }
					}
				]
			: [])
	],
	'SERVER.PING': () => [{ type: 'SERVER.PING' }],
	'SERVER.PONG': () => [{ type: 'SERVER.PONG' }],
	'SERVER.ACK': ({ context }) => [
		{ type: 'SERVER.ACK', id: 'model' },
		...(context.tabs?.routes[PEER_MESSAGE]
			? [{ type: 'SERVER.ACK' as const, id: PEER_MESSAGE }]
			: [])
	],
	'SERVER.RESYNC': ({ context }) => [{ type: 'SERVER.RESYNC', lastSeq: context.lastSeq }],
	'SERVER.ERROR': ({ context }) => [
		{ type: 'SERVER.ERROR', code: 'model', message: 'a model error' },
		{ type: 'SERVER.ERROR', code: 'model', message: 'a refused message', id: 'model' },
		...(context.tabs?.routes[PEER_MESSAGE]
			? [
					{
						type: 'SERVER.ERROR' as const,
						code: 'model',
						message: 'a refused message',
						id: PEER_MESSAGE
					}
				]
			: [])
	]
};

/** The events the model offers in a snapshot: one or more variants per event the state handles. */
function eventsFor(snapshot: ConnectionSnapshot): ModelEvent[] {
	const types = new Set(snapshot._nodes.flatMap((node) => node.ownEvents));
	return [...types].flatMap((type) => {
		if (isAfterEvent(type)) return [{ type } as unknown as ModelEvent];
		const variants = VARIANTS[type];
		if (!variants) throw new Error(`no real-world way to produce the chart's event ${type}`);
		return variants(snapshot);
	});
}

/** The machine event of a model event (without the test's metadata). */
function toMachineEvent({ meta: _meta, ...event }: ModelEvent): ConnectionEvent {
	return event as ConnectionEvent;
}

/** A readable name of a model event, for path descriptions. */
function describeEvent(event: ModelEvent): string {
	if (isAfterEvent(event.type)) return `after(${event.type.split('.')[2]})`;
	if (event.type === 'SOCKET.CLOSED') return `SOCKET.CLOSED(${event.code})`;
	const meta = event.meta;
	if (meta?.silence) return `${event.type}(after silence)`;
	if (meta?.seq) return `${event.type}(${meta.seq})`;
	if (meta?.behind) return `${event.type}(behind)`;
	if (event.type === 'SERVER.ERROR' && event.id !== undefined) return `${event.type}(refusal)`;
	if (event.type === 'TABS.LEADER') {
		const { id, status, epoch } = event.state;
		return `${event.type}(${id} ${status} #${epoch})`;
	}
	if (event.type === 'TABS.COMMAND') return `${event.type}(${event.command})`;
	if (event.type === 'TABS.VISIBILITY')
		return `${event.type}(${event.visible ? 'shown' : 'hidden'})`;
	return event.type;
}

/** A state value as a dotted string: `reconnecting.backoff`. */
export function valueName(value: StateValue): string {
	if (typeof value === 'string') return value;
	return Object.entries(value)
		.map(([key, child]) =>
			child && Object.keys(child).length ? `${key}.${valueName(child as StateValue)}` : key
		)
		.join(',');
}

/** One step of a path: the event, the state value after it, the transitions it takes. */
export interface ModelStep {
	event: ModelEvent;
	value: StateValue;
	transitions: string[];
}

export interface ModelPath {
	config: ModelConfig;
	/** The state value before the first step. */
	start: StateValue;
	steps: ModelStep[];
	description: string;
}

/**
 * The chart as actor logic for the walk: the real machine's `transition`, with the model clock
 * set for each step and the transition definitions each step takes recorded.
 */
function modelLogic(config: ModelConfig, transitions: Map<string, ChartTransition>) {
	let clock = 0;
	const clocks = new WeakMap<object, number>();
	let taken: string[] = [];
	const inspector = createEmptyActor();
	inspector.system.inspect((event: InspectionEvent) => {
		if (event.type !== '@xstate.microstep') return;
		for (const definition of event._transitions) {
			const info = transitions.get(transitionKey(definition));
			if (info) taken.push(info.key);
		}
	});
	const scope = {
		self: inspector,
		logger: () => {},
		id: '',
		sessionId: 'model',
		defer: () => {},
		system: inspector.system,
		stopChild: () => {},
		emit: () => {},
		actionExecutor: () => {}
	} as unknown as Parameters<typeof connectionMachine.transition>[2];
	const resolved = resolveOptions({
		url: 'ws://127.0.0.1/model',
		...MODEL_OPTIONS,
		...config.options,
		tabSharing: config.tabs ? shareTabs(MODEL_TABS) : false,
		WebSocket: class {} as never,
		storage: memoryStorage(),
		random: fixedRandom,
		now: () => clock,
		logger: { warn: () => {}, error: () => {} }
	});
	// The chart bound to the model clock, as a real client binds it to its own.
	const machine = provideIO(connectionMachine, connectionIO(resolved));
	const input = connectionInput(resolved);
	const clockOf = (snapshot: ConnectionSnapshot) => clocks.get(snapshot) ?? 0;

	/** What a snapshot's guards depend on, besides its state value: the walk's identity of it. */
	const serialize = (snapshot: ConnectionSnapshot) => {
		const { context } = snapshot;
		const now = clockOf(snapshot);
		const connected = snapshot.matches({ connection: 'connected' });
		const tabs = context.tabs;
		const leader = tabs?.leader ?? null;
		return JSON.stringify([
			leader?.id ?? null,
			leader?.status ?? null,
			tabs?.sentThrough === null || !tabs
				? 'none'
				: leader && tabs.sentThrough === `${leader.id}:${leader.epoch}`
					? 'current'
					: 'stale',
			tabs ? PEER_MESSAGE in tabs.routes : false,
			tabs ? tabs.attention === tabs.id : true,
			snapshot.value,
			context.online,
			context.attempt,
			context.lastSeq > 0,
			context.droppedByReason.json > 0,
			connected && now - (context.lastFrameAt ?? 0) >= context.config.heartbeatInterval,
			connected && context.pingSentAt !== null && (context.lastFrameAt ?? 0) >= context.pingSentAt
		]);
	};
	const edges = new Map<string, string[]>();
	const edgeKey = (snapshot: ConnectionSnapshot, event: ModelEvent) =>
		`${serialize(snapshot)} ${JSON.stringify(event)}`;

	const logic: ActorLogic<ConnectionSnapshot, ModelEvent> = {
		getInitialSnapshot: () => {
			clock = 0;
			const snapshot = machine.getInitialSnapshot(scope, input);
			clocks.set(snapshot, 0);
			return snapshot;
		},
		transition: (snapshot, event) => {
			const advance = isAfterEvent(event.type)
				? afterDelay(snapshot, event.type)
				: event.meta?.silence
					? SILENCE
					: 0;
			clock = clockOf(snapshot) + advance;
			taken = [];
			const result = machine.transition(snapshot, toMachineEvent(event), scope);
			// An event that changes nothing returns the same snapshot: copy it when time moved, so
			// the snapshot it came from keeps its own clock.
			const next = result === snapshot && advance > 0 ? { ...result } : result;
			clocks.set(next, clock);
			edges.set(edgeKey(snapshot, event), taken);
			return next;
		},
		getPersistedSnapshot: (snapshot) => snapshot
	};
	const options = { events: eventsFor, serializeState: serialize };
	return { logic, options, serialize, edges, edgeKey };
}

/**
 * Paths that together take every transition the model can reach: for each transition not yet
 * taken, the shortest path to a state where one event takes it, plus that event. Paths that are
 * a prefix of another are dropped. Returns the paths and the transitions no path takes.
 */
export function generatePaths(): { paths: ModelPath[]; unreached: ChartTransition[] } {
	const transitions = chartTransitions();
	const uncovered = new Set([...transitions.values()].map((t) => t.key));
	const paths: ModelPath[] = [];
	for (const config of MODEL_CONFIGS) {
		const model = modelLogic(config, transitions);
		const initial = model.logic.getInitialSnapshot(undefined as never, undefined);
		const shortest = new Map(
			getShortestPaths(model.logic, model.options).map((path) => [
				model.serialize(path.state),
				path.steps.slice(1)
			])
		);
		const stepsTo = (snapshot: ConnectionSnapshot) => shortest.get(model.serialize(snapshot))!;
		const candidates = adjacencyMapToArray(getAdjacencyMap(model.logic, model.options)).sort(
			(a, b) => stepsTo(a.state).length - stepsTo(b.state).length
		);
		const chosen: ModelStep[][] = [];
		for (const edge of candidates) {
			const taken = model.edges.get(model.edgeKey(edge.state, edge.event))!;
			if (!taken.some((key) => uncovered.has(key))) continue;
			let previous = initial;
			const steps: ModelStep[] = [];
			for (const { event, state } of [
				...stepsTo(edge.state),
				{ event: edge.event, state: edge.nextState }
			]) {
				const transitions = model.edges.get(model.edgeKey(previous, event))!;
				for (const key of transitions) uncovered.delete(key);
				steps.push({ event, value: state.value, transitions });
				previous = state;
			}
			chosen.push(steps);
		}
		const start = initial.value;
		paths.push(
			...withoutPrefixes(chosen).map((steps) => ({
				config,
				start,
				steps,
				description: describe(start, steps)
			}))
		);
	}
	const unreached = [...transitions.values()].filter((t) => uncovered.has(t.key));
	return { paths, unreached };
}

function describe(start: StateValue, steps: ModelStep[]): string {
	return [
		valueName(start),
		...steps.map((s) => `-${describeEvent(s.event)}-> ${valueName(s.value)}`)
	].join(' ');
}

/** Drop every path whose events are a prefix of another path's. */
function withoutPrefixes(paths: ModelStep[][]): ModelStep[][] {
	const keys = paths.map((steps) => steps.map((s) => JSON.stringify(s.event)));
	return paths.filter((_, i) =>
		keys.every(
			(other, j) =>
				j === i || other.length <= keys[i].length || keys[i].some((event, n) => event !== other[n])
		)
	);
}
