/**
 * The wire protocol: JSON text frames, their checks and close codes. The README's "Wire protocol"
 * section is its specification; a server written to it works with this client.
 *
 * Nothing here depends on a validation library: the frames of the protocol itself are checked by
 * hand (a few `typeof` tests, run for every frame), and an app's event payloads by the Standard
 * Schema v1 validators it declares them with (valibot, zod, arktype...).
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';

export type { StandardSchemaV1 };

/** WebSocket close codes with a meaning in this protocol. */
export const CloseCode = {
	/** Normal closure: the peer is done. */
	NORMAL: 1000,
	/** The server is going away (restart, deploy): retry. */
	GOING_AWAY: 1001,
	/** Policy violation, e.g. a foreign Origin: do not retry. */
	POLICY: 1008,
	/** A frame exceeded the server's size limit. */
	TOO_BIG: 1009,
	/** No valid session: do not retry until the user signs in again. */
	UNAUTHORIZED: 4401,
	/** The session may not use this socket: do not retry. */
	FORBIDDEN: 4403,
	/** Too many messages or connections: retry, more slowly. */
	RATE_LIMITED: 4429
} as const;

/** Close codes after which the client stops retrying by itself. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
	CloseCode.POLICY,
	CloseCode.UNAUTHORIZED,
	CloseCode.FORBIDDEN
]);

/** An app's server events: event name -> Standard Schema v1 of its payload. */
export type EventSchemas = Record<string, StandardSchemaV1>;

/** Event name -> payload type, from a schema map (the schemas' output types). */
export type EventMapOf<S extends EventSchemas> = {
	[K in keyof S]: StandardSchemaV1.InferOutput<S[K]>;
};

/** An event frame as the server sends it: `seq` is per user and strictly increasing. */
export interface EventFrame<T extends string = string, D = unknown> {
	type: T;
	id: string;
	seq: number;
	ts: number;
	data: D;
}

/** What the server says when it refuses a frame: `id` is set when it refused a message. */
export interface ServerErrorData {
	code: string;
	message: string;
	id?: string;
}

/** The control frames a server sends; every other `type` is an event frame. */
export type ServerControlFrame =
	| { type: 'welcome'; data: { heartbeatInterval: number; lastSeq: number } }
	| { type: 'ping' }
	| { type: 'pong' }
	| { type: 'ack'; data: { id: string } }
	| { type: 'resync'; data: { lastSeq: number } }
	| { type: 'error'; data: ServerErrorData };

export type ServerFrame = ServerControlFrame | EventFrame;

/** The control frames a client sends. */
export type ClientControlFrame =
	{ type: 'resume'; data: { lastSeq: number } } | { type: 'ping' } | { type: 'pong' };

/** A message from the app: acked by `id` (1-128 characters), `type` 1-64 characters. */
export interface ClientMessage {
	type: string;
	id: string;
	data?: unknown;
}

export type ClientFrame = ClientControlFrame | ClientMessage;

/** The `type`s of the server's control frames: no app event may take one of these names. */
export const SERVER_CONTROL_TYPES: readonly string[] = [
	'welcome',
	'ping',
	'pong',
	'ack',
	'resync',
	'error'
];

/** The `type`s of the client's control frames: no app message may take one of these names. */
export const CLIENT_CONTROL_TYPES: readonly string[] = ['resume', 'ping', 'pong'];

/** Why an incoming frame was dropped. */
export type DropReason = 'json' | 'shape' | 'unknown-type' | 'payload';

export type ParseResult =
	{ ok: true; frame: ServerFrame } | { ok: false; reason: DropReason; detail: string };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
/** A count or a seq: a safe integer >= 0 (JSON numbers beyond 2^53 - 1 lose precision). */
const isCount = (value: unknown): value is number =>
	typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * A control frame of `type` as the client keeps it (only the keys the protocol defines), or
 * null when its fields are not what the protocol says.
 */
function controlFrame(type: string, raw: Json): ServerControlFrame | null {
	if (type === 'ping' || type === 'pong') return { type };
	const data = raw.data;
	if (!isObject(data)) return null;
	switch (type) {
		case 'welcome':
			return isCount(data.heartbeatInterval) && isCount(data.lastSeq)
				? { type, data: { heartbeatInterval: data.heartbeatInterval, lastSeq: data.lastSeq } }
				: null;
		case 'ack':
			return isString(data.id) ? { type, data: { id: data.id } } : null;
		case 'resync':
			return isCount(data.lastSeq) ? { type, data: { lastSeq: data.lastSeq } } : null;
		case 'error': {
			const { code, message, id } = data;
			if (!isString(code) || !isString(message) || (id !== undefined && !isString(id))) return null;
			return { type, data: id === undefined ? { code, message } : { code, message, id } };
		}
		default:
			return null;
	}
}

/**
 * The envelope of an event frame, `{type, id, seq, ts, data}`: a string `id`, a `seq` that is a
 * safe integer >= 1 (above 2^53 - 1 two seqs can compare equal), a number `ts` (not NaN), and a
 * `data` key.
 */
function isEventEnvelope(frame: Json): boolean {
	const { seq, ts } = frame;
	return (
		isString(frame.id) &&
		typeof seq === 'number' &&
		Number.isSafeInteger(seq) &&
		seq >= 1 &&
		typeof ts === 'number' &&
		!Number.isNaN(ts) &&
		'data' in frame
	);
}

/**
 * Parse and check one text frame from the server. Never throws: a frame that is not JSON, has an
 * unknown type, or whose payload its schema refuses comes back as `{ ok: false }`. Payload
 * schemas must validate synchronously (an async one refuses every frame, with that as detail).
 */
export function parseServerFrame(text: string, eventSchemas: EventSchemas): ParseResult {
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch {
		return { ok: false, reason: 'json', detail: 'not valid JSON' };
	}
	if (!isObject(raw)) return { ok: false, reason: 'shape', detail: 'not a JSON object' };
	const type = raw.type;
	if (!isString(type)) return { ok: false, reason: 'shape', detail: 'no string type' };
	if (SERVER_CONTROL_TYPES.includes(type)) {
		const frame = controlFrame(type, raw);
		return frame
			? { ok: true, frame }
			: { ok: false, reason: 'shape', detail: `bad ${type} frame` };
	}
	if (!Object.hasOwn(eventSchemas, type)) {
		return { ok: false, reason: 'unknown-type', detail: `unknown type ${type.slice(0, 64)}` };
	}
	if (!isEventEnvelope(raw)) return { ok: false, reason: 'shape', detail: `bad ${type} envelope` };
	let result: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;
	try {
		result = eventSchemas[type]['~standard'].validate(raw.data);
	} catch (error) {
		return { ok: false, reason: 'payload', detail: `${type} schema threw: ${String(error)}` };
	}
	if (result instanceof Promise) {
		return { ok: false, reason: 'payload', detail: `${type} has an async schema (unsupported)` };
	}
	if (result.issues) return { ok: false, reason: 'payload', detail: `bad ${type} payload` };
	// A new object with the envelope's keys only: nothing else from the wire reaches the app.
	const frame: EventFrame = {
		type,
		id: raw.id as string,
		seq: raw.seq as number,
		ts: raw.ts as number,
		data: result.value
	};
	return { ok: true, frame };
}

/**
 * Check one client message as a server receives it (or as storage kept it): `type` 1-64
 * characters and not a control frame's, `id` 1-128 characters. Only those keys and `data` are
 * kept. Null when it is not one.
 */
export function parseClientMessage(raw: unknown): ClientMessage | null {
	if (!isObject(raw)) return null;
	const { type, id, data } = raw;
	if (!isString(type) || type.length < 1 || type.length > 64) return null;
	if (CLIENT_CONTROL_TYPES.includes(type)) return null;
	if (!isString(id) || id.length < 1 || id.length > 128) return null;
	return data === undefined ? { type, id } : { type, id, data };
}

/**
 * The query parameter a leader adds to its socket's URL: the id of its tab group. The server may
 * use it to close an older socket of the same session and group when a new leader's arrives (a
 * crashed leader's socket it has not noticed yet), so one browser never holds two.
 */
export const TAB_GROUP_PARAM = 'tab-group';

/** `url` with the tab group's parameter (the URL unchanged for a client standing alone). */
export function withTabGroup(url: string, group: string | null): string {
	if (group === null) return url;
	const parsed = new URL(url);
	parsed.searchParams.set(TAB_GROUP_PARAM, group);
	return parsed.href;
}
