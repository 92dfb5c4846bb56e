/**
 * Incoming frames as chart events. The socket actor decodes each text frame into one of these, so
 * the chart reacts to `SERVER.PING` or `SERVER.EVENTS` by name (with guards and named actions)
 * instead of inspecting raw JSON, and a bad frame becomes a `SOCKET.BAD_FRAME` to count.
 */
import {
	parseServerFrame,
	type DropReason,
	type EventFrame,
	type EventSchemas,
	type ServerErrorData
} from './protocol';

/** Why a frame was dropped: the protocol's reasons, plus frames too big or not text at all. */
export type FrameDropReason = DropReason | 'too-big' | 'binary';

/** Every drop reason, for counters that start at zero. */
export const FRAME_DROP_REASONS = [
	'json',
	'shape',
	'unknown-type',
	'payload',
	'too-big',
	'binary'
] as const satisfies readonly FrameDropReason[];

/**
 * Incoming frames as the chart receives them. Event frames come in order-preserving batches
 * (`SERVER.EVENTS`): the socket actor gathers the event frames that arrive together, so a burst
 * costs one chart transition rather than one per frame.
 */
export type FrameEvent =
	{ type: 'SERVER.EVENTS'; frames: readonly EventFrame[] } | ControlFrameEvent;

/** A control frame or a bad frame, as the chart receives it. */
export type ControlFrameEvent =
	| { type: 'SERVER.WELCOME'; heartbeatInterval: number; lastSeq: number }
	| { type: 'SERVER.PING' }
	| { type: 'SERVER.PONG' }
	| { type: 'SERVER.ACK'; id: string }
	| { type: 'SERVER.RESYNC'; lastSeq: number }
	| ({ type: 'SERVER.ERROR' } & ServerErrorData)
	| { type: 'SOCKET.BAD_FRAME'; reason: FrameDropReason; detail: string };

/** One decoded frame: an event frame (it has a `seq`) to batch, or a chart event. */
export type DecodedFrame = EventFrame | ControlFrameEvent;

/** Decodes the `data` of a WebSocket message event. Never throws. */
export type FrameDecoder = (data: unknown) => DecodedFrame;

// Control frames carry no data that changes between frames: one shared event object each.
const PING: ControlFrameEvent = { type: 'SERVER.PING' };
const PONG: ControlFrameEvent = { type: 'SERVER.PONG' };

/**
 * A decoder validating event payloads with `eventSchemas`. Frames longer than `maxFrameSize`
 * characters are dropped before parsing, which also bounds how deep a frame can nest.
 */
export function createFrameDecoder(eventSchemas: EventSchemas, maxFrameSize: number): FrameDecoder {
	return (data) => {
		if (typeof data !== 'string') return badFrame('binary', 'not a text frame');
		if (data.length > maxFrameSize) {
			return badFrame('too-big', `${data.length} characters, limit ${maxFrameSize}`);
		}
		const result = parseServerFrame(data, eventSchemas);
		if (!result.ok) return badFrame(result.reason, result.detail);
		const frame = result.frame;
		// Only event frames carry a `seq` (control frames keep the protocol's keys only).
		if ('seq' in frame) return frame;
		switch (frame.type) {
			case 'welcome':
				return { type: 'SERVER.WELCOME', ...frame.data };
			case 'ping':
				return PING;
			case 'pong':
				return PONG;
			case 'ack':
				return { type: 'SERVER.ACK', id: frame.data.id };
			case 'resync':
				return { type: 'SERVER.RESYNC', lastSeq: frame.data.lastSeq };
			case 'error':
				return { type: 'SERVER.ERROR', ...frame.data };
		}
	};
}

/**
 * The frames of a batch that are news: `seq` above `lastSeq` and above every frame before it in
 * the batch (a replay may overlap what already arrived). The batch itself when all are.
 */
export function newFrames(frames: readonly EventFrame[], lastSeq: number): readonly EventFrame[] {
	let latest = lastSeq;
	let index = 0;
	// The usual batch is all news: hand it on as it is, without building a copy.
	for (; index < frames.length && frames[index].seq > latest; index++) latest = frames[index].seq;
	if (index === frames.length) return frames;
	const fresh = frames.slice(0, index);
	for (; index < frames.length; index++) {
		const frame = frames[index];
		if (frame.seq <= latest) continue;
		fresh.push(frame);
		latest = frame.seq;
	}
	return fresh;
}

/** The highest `seq` seen after a batch. */
export function latestSeq(frames: readonly EventFrame[], lastSeq: number): number {
	let latest = lastSeq;
	for (const frame of frames) if (frame.seq > latest) latest = frame.seq;
	return latest;
}

function badFrame(reason: FrameDropReason, detail: string): ControlFrameEvent {
	return { type: 'SOCKET.BAD_FRAME', reason, detail };
}
