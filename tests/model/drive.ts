/**
 * Runs a model path against the real client (createRealtimeClient with the `ws` WebSocket) and
 * the real control server: every model event becomes the real action that causes it (a call on
 * the client, a browser event on a stand-in `window`/`document` (tests/support/fake-browser), the
 * server accepting, refusing
 * or closing the socket, a frame from the server, or the chart's clock reaching a delay), and
 * after each step the client must be in the path's state, have taken exactly the path's
 * transitions, and the server must see the sockets that state implies.
 *
 * The chart's timers run on xstate's SimulatedClock, so a delay fires exactly when the path says
 * and never in the middle of another step; sockets, frames and the server are real.
 */
import { SimulatedClock, type InspectionEvent } from 'xstate';
import { WebSocket } from 'ws';
import {
	createRealtimeClient,
	memoryStorage,
	type ConnectionSnapshot,
	type RealtimeClient
} from '../../machines/index';
import { waitFor, type ControlServer } from '../support/control-server';
import { FakeLockManager } from '../support/fake-locks';
import { shareTabs } from '../../machines/share-tabs';
import { tabGroupName, type TabMessageBody } from '../../machines/tabs';
import type { FakeBrowser } from '../support/fake-browser';
import {
	activeStates,
	afterDelay,
	eventFrame,
	fixedRandom,
	isAfterEvent,
	MODEL_OPTIONS,
	PEER,
	transitionKey,
	SILENCE,
	valueName,
	type ChartTransition,
	type ModelEvent,
	type ModelPath
} from './chart-model';
import { coreEventSchemas } from '../../src/lib/protocol';

/** Bound of every wait for the real client or server to catch up with a step. */
const STEP_TIMEOUT_MS = 3_000;

/** What one path run saw the real client do. */
export interface PathRun {
	transitions: Set<string>;
	states: Set<string>;
}

/**
 * The other tab of a model path's tab group, played by the test: it holds the group's lock
 * whenever the client does not (and gives it up when the path says the client is elected), and
 * posts on the group's BroadcastChannel what a leading or following tab would.
 */
class PeerTab {
	readonly channel: BroadcastChannel;
	#release: (() => void) | null = null;
	#closed = false;
	/** Resolves once the peer holds the lock (granted in a task of its own). */
	held!: Promise<void>;

	constructor(
		readonly locks: FakeLockManager,
		readonly name: string
	) {
		this.channel = new BroadcastChannel(name);
		this.#hold();
	}

	/** Let the lock go (the client, queued, gets it) and queue for it again behind the client. */
	yieldLock(): void {
		void this.held.then(() => {
			this.#release?.();
			this.#release = null;
			this.#hold();
		});
	}

	post(message: TabMessageBody, from = PEER): void {
		this.channel.postMessage({ ...message, v: 1, from });
	}

	close(): void {
		this.#closed = true;
		this.#release?.();
		this.channel.close();
	}

	#hold(): void {
		let granted: () => void;
		this.held = new Promise((resolve) => (granted = resolve));
		void this.locks.forTab(PEER).request(this.name, {}, () => {
			if (this.#closed) return Promise.resolve();
			granted();
			return new Promise<void>((resolve) => (this.#release = resolve));
		});
	}
}

/** The tab-sharing browser APIs of the client of a tab-group path; its tab is hidden. */
function tabSharingFor(id: string, locks: FakeLockManager) {
	const document = {
		visibilityState: 'hidden',
		addEventListener: () => {},
		removeEventListener: () => {}
	};
	return shareTabs({ key: `model-${id}`, locks: locks.forTab(id), BroadcastChannel, document });
}

interface Run {
	id: string;
	client: RealtimeClient;
	peer: PeerTab | null;
	server: ControlServer;
	browser: FakeBrowser;
	clock: SimulatedClock;
	advanceNow(ms: number): void;
}

/** The real action behind each model event. */
function drive(event: ModelEvent, run: Run): void {
	const { client, server, browser, id, clock } = run;
	if (event.type.startsWith('TABS.')) return drivePeer(event, run);
	const snapshot = client.actor.getSnapshot();
	const lastSeq = snapshot.context.lastSeq;
	const frame = (value: unknown) => server.broadcast(JSON.stringify(value), id);
	if (isAfterEvent(event.type)) {
		clock.increment(afterDelay(snapshot, event.type));
		return;
	}
	switch (event.type) {
		case 'CONNECT':
			return client.connect();
		case 'DISCONNECT':
			return client.disconnect();
		case 'RETRY_NOW':
			return client.retryNow();
		case 'SEND':
			client.send(event.message.type, event.message.data);
			return;
		case 'ONLINE':
			return browser.online();
		case 'OFFLINE':
			return browser.offline();
		case 'VISIBLE':
			if (event.meta?.silence) run.advanceNow(SILENCE);
			return browser.visible();
		case 'PAGE.HIDE':
			return browser.pageHide();
		case 'PAGE.FREEZE':
			return browser.freeze();
		case 'PAGE.SHOW':
			return browser.pageShow();
		case 'SOCKET.OPEN':
			expectOne(server.release('silent', id), 'held upgrade to accept');
			return;
		case 'SOCKET.CLOSED':
			if (event.code === 1006) expectOne(server.release('refuse', id), 'held upgrade to refuse');
			else server.closeSockets(event.code, 'model', id);
			return;
		case 'SOCKET.BAD_FRAME':
			server.broadcast('{ not json', id);
			return;
		case 'SERVER.EVENTS':
			return frame(eventFrame(event.meta?.seq === 'seen' ? lastSeq : lastSeq + 1));
		case 'SERVER.WELCOME':
			return frame({
				type: 'welcome',
				data: { heartbeatInterval: 30_000, lastSeq: event.meta?.behind ? lastSeq - 1 : lastSeq }
			});
		case 'SERVER.PING':
			return frame({ type: 'ping' });
		case 'SERVER.PONG':
			return frame({ type: 'pong' });
		case 'SERVER.ACK':
			return frame({ type: 'ack', data: { id: event.id } });
		case 'SERVER.RESYNC':
			return frame({ type: 'resync', data: { lastSeq } });
		case 'SERVER.ERROR':
			// `id` (a refused message) is left out of the JSON when undefined.
			return frame({
				type: 'error',
				data: { code: event.code, message: event.message, id: event.id }
			});
		default:
			throw new Error(`no real-world driver for ${event.type}`);
	}
}

/** What the peer tab does to cause a `TABS.*` event in the client. */
function drivePeer(event: ModelEvent, run: Run): void {
	const peer = run.peer;
	if (!peer) throw new Error(`${event.type} in a path without a tab group`);
	const snapshot = run.client.actor.getSnapshot();
	const to = snapshot.context.tabs!.id;
	const lastSeq = snapshot.context.lastSeq;
	switch (event.type) {
		case 'TABS.ELECTED':
			return peer.yieldLock();
		case 'TABS.LEADER':
			return peer.post(
				{ kind: 'welcome', to, state: event.state, frames: [], resync: false },
				event.state.id
			);
		case 'TABS.EVENTS':
			return peer.post(
				{
					kind: 'events',
					frames: [eventFrame(event.meta?.seq === 'seen' ? lastSeq : lastSeq + 1)]
				},
				event.from
			);
		case 'TABS.RESYNC':
			return peer.post({ kind: 'resync', lastSeq });
		case 'TABS.ACK':
			return peer.post({ kind: 'ack', to, id: event.id });
		case 'TABS.REFUSED':
			return peer.post({ kind: 'refused', to, error: event.error });
		case 'TABS.SEND':
			return peer.post({ kind: 'send', to, messages: event.messages });
		case 'TABS.COMMAND':
			return peer.post({ kind: 'command', to, command: event.command });
		case 'TABS.VISIBILITY':
			return peer.post({ kind: 'visibility', visible: event.visible });
		case 'TABS.BYE':
			return peer.post({ kind: 'bye' });
		default:
			throw new Error(`no real-world driver for ${event.type}`);
	}
}

function expectOne(count: number, what: string): void {
	if (count !== 1) throw new Error(`expected exactly one ${what}, found ${count}`);
}

/** The sockets the server must see for a client in a given state. */
function expectedSockets(snapshot: ConnectionSnapshot): { held: number; open: number } {
	if (
		snapshot.matches({ connection: 'connecting' }) ||
		snapshot.matches({ connection: { reconnecting: 'attempting' } })
	) {
		return { held: 1, open: 0 };
	}
	return { held: 0, open: snapshot.matches({ connection: 'connected' }) ? 1 : 0 };
}

/**
 * Run one path on a fresh real client with identity `id`. Throws, naming the path and the step,
 * when the client's state, its transitions or the server's sockets differ from the model.
 */
export async function runPath(
	path: ModelPath,
	id: string,
	server: ControlServer,
	browser: FakeBrowser,
	transitions: Map<string, ChartTransition>
): Promise<PathRun> {
	const seen: PathRun = { transitions: new Set(), states: new Set() };
	let stepTransitions: string[] = [];
	const processed = new Map<string, number>();
	const inspect = (event: InspectionEvent) => {
		if (event.actorRef.sessionId !== event.rootId) return;
		if (event.type === '@xstate.microstep') {
			for (const definition of event._transitions) {
				const info = transitions.get(transitionKey(definition));
				if (info) stepTransitions.push(info.key);
			}
			// A choice state is left in the microstep after the one that entered it: only a
			// microstep's snapshot shows it.
			for (const state of activeStates(event.snapshot as ConnectionSnapshot)) {
				seen.states.add(state);
			}
		} else if (event.type === '@xstate.snapshot') {
			processed.set(event.event.type, (processed.get(event.event.type) ?? 0) + 1);
		}
	};
	const clock = new SimulatedClock();
	let skew = 0;
	server.setMode('hang');
	const locks = new FakeLockManager();
	const peer = path.config.tabs ? new PeerTab(locks, tabGroupName(`model-${id}`)) : null;
	const client = createRealtimeClient(
		{
			url: server.url(id),
			events: coreEventSchemas,
			...MODEL_OPTIONS,
			...path.config.options,
			WebSocket: WebSocket,
			storage: memoryStorage(),
			random: fixedRandom,
			now: () => clock.now() + skew,
			logger: { warn: () => {}, error: () => {} },
			tabSharing: peer ? tabSharingFor(id, locks) : false
		},
		{ clock, inspect }
	);
	const run: Run = {
		id,
		client,
		peer,
		server,
		browser,
		clock,
		advanceNow: (ms) => (skew += ms)
	};
	const where = (index: number) =>
		`path [${path.config.name}] ${path.description}\n  at step ${index + 1} ` +
		`(${path.steps[index] ? JSON.stringify(path.steps[index].event) : 'start'})`;
	try {
		await peer?.held;
		const initial = client.actor.getSnapshot();
		// What the client took on its own as it started (a standalone client's role settles).
		for (const key of stepTransitions) seen.transitions.add(key);
		if (valueName(initial.value) !== valueName(path.start)) {
			throw new Error(`starts in ${valueName(initial.value)}, model says ${valueName(path.start)}`);
		}
		for (const state of activeStates(initial)) seen.states.add(state);
		for (const [index, step] of path.steps.entries()) {
			stepTransitions = [];
			const before = processed.get(step.event.type) ?? 0;
			drive(step.event, run);
			await waitFor(
				() => (processed.get(step.event.type) ?? 0) > before,
				STEP_TIMEOUT_MS,
				`the client to process ${step.event.type} — ${where(index)}`
			);
			const snapshot = client.actor.getSnapshot();
			const actual = valueName(snapshot.value);
			if (actual !== valueName(step.value)) {
				throw new Error(`state ${actual}, model says ${valueName(step.value)} — ${where(index)}`);
			}
			const took = [...stepTransitions].sort().join(' | ');
			const expected = [...step.transitions].sort().join(' | ');
			if (took !== expected) {
				throw new Error(`transitions [${took}], model says [${expected}] — ${where(index)}`);
			}
			const sockets = expectedSockets(snapshot);
			await server.waitFor(
				(s) => s.heldUpgrades(id) === sockets.held && s.openSockets(id) === sockets.open,
				STEP_TIMEOUT_MS,
				`the server to see ${JSON.stringify(sockets)} for ${actual} — ${where(index)}`
			);
			for (const key of step.transitions) seen.transitions.add(key);
			for (const state of activeStates(snapshot)) seen.states.add(state);
		}
		const maxOpen = server.stats(id).maxOpen;
		if (maxOpen > 1)
			throw new Error(`${maxOpen} sockets open at once — ${where(path.steps.length - 1)}`);
	} catch (error) {
		client.stop();
		peer?.close();
		throw error;
	}
	client.stop();
	peer?.close();
	await server.waitFor(
		(s) => s.heldUpgrades(id) === 0 && s.openSockets(id) === 0,
		STEP_TIMEOUT_MS,
		`client ${id} to close its socket on stop()`
	);
	return seen;
}
