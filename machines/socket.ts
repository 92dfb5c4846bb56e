/**
 * The socket actor: one WebSocket for the life of the actor. It turns the socket's events into
 * chart events and the chart's `SEND` commands into frames. When it is stopped it first detaches
 * every listener and only then closes the socket, so a dying socket can never send an event that
 * the chart would take for the next socket's.
 *
 * Event frames that arrive in the same task (a burst read from one TCP chunk) are reported as one
 * `SERVER.EVENTS` batch at the end of that task: one chart transition per burst instead of one per
 * frame. Order is kept: any other event first reports the batch gathered so far. A batch still
 * pending when the actor stops is discarded with the socket; `lastSeq` did not move, so the next
 * connection's `resume` asks for those events again.
 *
 * A reported batch is emptied once the microtasks of the task that reported it have run: the chart
 * and every listener have had it by then. This is for the garbage collector. The objects xstate
 * builds for a transition (action arguments, deferred effects) can be moved to the old generation
 * and die there; until the next full collection they still point at the event, so a young-
 * generation collection takes every frame of the batch for live and promotes it. Emptying the
 * array cuts that path: on a stream of events this took promoted memory from about 330 to 45
 * bytes per frame, and the client's throughput from about 0.79x to 0.84-0.88x of a bare socket's
 * (measured in-process then; bench/peers/ now). The frame objects themselves are never touched, only the array.
 */
import { fromCallback, type AnyEventObject } from 'xstate';
import type { FrameDecoder, FrameEvent } from './frames';
import type { EventFrame } from './protocol';
import type { WebSocketConstructor, WebSocketLike } from './options';

/** What the socket reports to the chart. */
export type SocketEvent =
	{ type: 'SOCKET.OPEN' } | { type: 'SOCKET.CLOSED'; code: number; reason: string } | FrameEvent;

/** What the chart asks of the socket: write these frames, in order, if the socket is open. */
export type SocketCommand = { type: 'SEND'; frames: readonly string[] };

export interface SocketInput {
	url: string;
	WebSocket: WebSocketConstructor;
	decode: FrameDecoder;
}

/** WebSocket `readyState` values (the constants are not on every implementation's instances). */
const CONNECTING = 0;
const OPEN = 1;
/** The close code of a connection that failed without a close frame. */
const ABNORMAL_CLOSURE = 1006;

const ignore = () => {};

/** The socket actor logic; the chart spawns it as `socket` and stops it when the socket is done. */
export const socketActor = fromCallback<SocketCommand, SocketInput>(
	({ input, sendBack, receive }) => {
		const report: (event: SocketEvent) => void = sendBack as (event: AnyEventObject) => void;
		let socket: WebSocketLike;
		try {
			socket = new input.WebSocket(input.url);
		} catch (error) {
			report({ type: 'SOCKET.CLOSED', code: ABNORMAL_CLOSURE, reason: String(error) });
			return;
		}
		let batch: EventFrame[] = [];
		const reportBatch = () => {
			if (batch.length === 0) return;
			const frames = batch;
			batch = [];
			report({ type: 'SERVER.EVENTS', frames });
			queueMicrotask(() => (frames.length = 0));
		};
		const forward = (event: SocketEvent) => {
			reportBatch();
			report(event);
		};
		const listeners = {
			open: () => forward({ type: 'SOCKET.OPEN' }),
			message: (event: { data: unknown }) => {
				const decoded = input.decode(event.data);
				if (!('seq' in decoded)) return forward(decoded);
				if (batch.length === 0) queueMicrotask(reportBatch);
				batch.push(decoded);
			},
			close: (event: { code: number; reason: string }) =>
				forward({ type: 'SOCKET.CLOSED', code: event.code, reason: event.reason }),
			// Not reported: an `error` is always followed by a `close`, which tells the chart all it
			// can act on (browsers give an error no detail). Listened to all the same, since `ws`, an
			// EventEmitter, throws an `error` nobody listens to.
			error: ignore
		};
		for (const [type, listener] of Object.entries(listeners)) {
			socket.addEventListener(type, listener);
		}
		receive((command) => {
			if (socket.readyState !== OPEN) return;
			for (const frame of command.frames) socket.send(frame);
		});
		return () => {
			batch = [];
			for (const [type, listener] of Object.entries(listeners)) {
				socket.removeEventListener(type, listener);
			}
			// ws reports an aborted handshake as an `error` event later; as an EventEmitter it would
			// throw if nobody listened. This listener swallows it and talks to no one.
			socket.addEventListener('error', ignore);
			if (socket.readyState === CONNECTING || socket.readyState === OPEN) {
				socket.close(1000, 'client closing');
			}
		};
	}
);
