/**
 * The clients the peers bench compares, each with its library defaults, each doing the same work
 * per frame: take the text frame, `JSON.parse` it (the library may do it), hand the event to one
 * handler by its type. The handler gets the frame's `id`, the server's send time in ns.
 *
 * statechart-websocket runs twice: with a pass-through Standard Schema (the library's own cost:
 * envelope checks, seq tracking, the chart, dispatch) and with the app's valibot schema of the
 * payload (what validation adds on top).
 */
import ReconnectingWebSocket from 'reconnecting-websocket';
import PartySocket from 'partysocket/ws';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { createRealtimeClient, type StandardSchemaV1 } from '../../machines/index';
import { NotificationSchema } from '../../src/lib/protocol';

/**
 * When a socket under a client last delivered a message (`process.hrtime`, ns): where the
 * client's own part of a frame's latency starts. Stamped by a listener each socket gets in its
 * constructor, before the library's own, so it runs first; socket.io's stamp is its engine's
 * `packet` (just after engine.io's packet decode: its WebSocket is not handed in).
 */
export const arrival = { at: 0n };

const stamp = () => {
	arrival.at = process.hrtime.bigint();
};

/** `ws`'s WebSocket, stamping `arrival` on every message. */
class StampedWebSocket extends WebSocket {
	constructor(...args: ConstructorParameters<typeof WebSocket>) {
		super(...args);
		this.on('message', stamp);
	}
}

/** One client under test. `onEvent` gets each event's `id` (the send time, ns). */
export interface BenchClient {
	/** Resolves when the first connection is open. */
	ready: Promise<void>;
	/** Called each time a connection opens (the first and every reconnect). */
	onOpen(listener: () => void): void;
	close(): void;
}

export interface Peer {
	name: string;
	/** Whether it reconnects by itself (raw ws does not). */
	reconnects: boolean;
	create(urls: { ws: string; io: string }, onEvent: (id: string) => void): BenchClient;
}

/** Dispatch by type to one handler, as an app's router would. */
function dispatcher(onEvent: (id: string) => void) {
	const handlers = new Map<string, (frame: { id: string }) => void>([
		['notification:new', (frame) => onEvent(frame.id)]
	]);
	return (text: unknown) => {
		const frame = JSON.parse(text as string) as { type: string; id: string };
		handlers.get(frame.type)?.(frame);
	};
}

/** A listener declared as a method type, so each library's own event types fit (bivariance). */
type Listener = { listener(event: unknown): void }['listener'];

/** A client over an EventTarget-style reconnecting socket (open / message events). */
function eventTargetClient(
	socket: {
		addEventListener(type: string, listener: Listener): void;
		close(): void;
	},
	onEvent: (id: string) => void
): BenchClient {
	const dispatch = dispatcher(onEvent);
	const openListeners: Array<() => void> = [];
	const ready = new Promise<void>((resolve) => openListeners.push(resolve));
	socket.addEventListener('open', () => openListeners.forEach((listener) => listener()));
	socket.addEventListener('message', (event) => dispatch((event as { data: unknown }).data));
	return { ready, onOpen: (listener) => openListeners.push(listener), close: () => socket.close() };
}

const passThrough: StandardSchemaV1<unknown> = {
	'~standard': { version: 1, vendor: 'bench', validate: (value) => ({ value }) }
};

function statechartClient(schema: StandardSchemaV1): Peer['create'] {
	return (urls, onEvent) => {
		const client = createRealtimeClient({
			url: urls.ws,
			WebSocket: StampedWebSocket,
			events: { 'notification:new': schema }
		});
		client.subscribe('notification:new', (_data, frame) => onEvent(frame.id));
		const openListeners: Array<() => void> = [];
		const ready = new Promise<void>((resolve) => openListeners.push(resolve));
		client.onStatusChange((status) => {
			if (status === 'connected') openListeners.forEach((listener) => listener());
		});
		return {
			ready,
			onOpen: (listener) => openListeners.push(listener),
			close: () => client.stop()
		};
	};
}

export const PEERS: Peer[] = [
	{
		name: 'raw ws',
		reconnects: false,
		create: (urls, onEvent) => eventTargetClient(new StampedWebSocket(urls.ws), onEvent)
	},
	{
		name: 'partysocket',
		reconnects: true,
		create: (urls, onEvent) =>
			eventTargetClient(new PartySocket(urls.ws, [], { WebSocket: StampedWebSocket }), onEvent)
	},
	{
		name: 'reconnecting-websocket',
		reconnects: true,
		create: (urls, onEvent) =>
			eventTargetClient(
				new ReconnectingWebSocket(urls.ws, [], { WebSocket: StampedWebSocket }),
				onEvent
			)
	},
	{
		name: 'socket.io-client',
		reconnects: true,
		create: (urls, onEvent) => {
			// The WebSocket transport from the start: one socket, the same frames as the others.
			const socket = io(urls.io, { transports: ['websocket'] });
			const dispatch = dispatcher(onEvent);
			socket.on('m', dispatch);
			socket.io.on('open', () => socket.io.engine.on('packet', stamp));
			const openListeners: Array<() => void> = [];
			const ready = new Promise<void>((resolve) => openListeners.push(resolve));
			socket.on('connect', () => openListeners.forEach((listener) => listener()));
			return {
				ready,
				onOpen: (listener) => openListeners.push(listener),
				close: () => socket.close()
			};
		}
	},
	{
		name: 'statechart-websocket',
		reconnects: true,
		create: statechartClient(passThrough)
	},
	{
		name: 'statechart-websocket + valibot payload',
		reconnects: true,
		create: statechartClient(NotificationSchema)
	}
];
