/**
 * The wire protocol between the Career Copilot server and the realtime client: frame schemas,
 * the typed event map, and close codes. Shared by the client package and the server, so the two
 * can never disagree about what a frame looks like.
 */
import * as v from 'valibot';
import { INVALID, schemaCheck } from './schema-check';

/** WebSocket close codes with a meaning in this protocol. */
export const CloseCode = {
	/** Normal closure: the peer is done. */
	NORMAL: 1000,
	/** The server is going away (restart, deploy): retry. */
	GOING_AWAY: 1001,
	/** Policy violation, e.g. a foreign Origin: do not retry. */
	POLICY: 1008,
	/** A frame exceeded the server's `maxPayload`. */
	TOO_BIG: 1009,
	/** No valid session: do not retry until the user logs in again. */
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

export const APPLICATION_STATUSES = [
	'saved',
	'applied',
	'screening',
	'interview',
	'offer',
	'accepted',
	'rejected',
	'declined',
	'withdrawn'
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const NOTIFICATION_CATEGORIES = [
	'system',
	'job_alert',
	'application',
	'recommendation',
	'social'
] as const;
export type NotificationCategory = (typeof NOTIFICATION_CATEGORIES)[number];

const id = v.union([v.string(), v.number()]);

export const JobSchema = v.looseObject({
	id,
	title: v.string(),
	company: v.string(),
	location: v.optional(v.string()),
	salary_range: v.optional(v.nullable(v.string())),
	skills: v.optional(v.array(v.string())),
	url: v.optional(v.nullable(v.string())),
	created_at: v.optional(v.string())
});
export type Job = v.InferOutput<typeof JobSchema>;

export const JobRecommendationSchema = v.object({
	job: JobSchema,
	match_score: v.optional(v.number()),
	reason: v.optional(v.string())
});
export type JobRecommendation = v.InferOutput<typeof JobRecommendationSchema>;

const applicationStatus = v.picklist(APPLICATION_STATUSES);

export const ApplicationStatusChangeSchema = v.object({
	application_id: id,
	/** null when the application was just created (Save or Apply on a job). */
	old_status: v.nullable(applicationStatus),
	new_status: applicationStatus,
	application: v.optional(v.record(v.string(), v.unknown())),
	job_title: v.optional(v.string()),
	company: v.optional(v.string())
});
export type ApplicationStatusChange = v.InferOutput<typeof ApplicationStatusChangeSchema>;

export const NotificationSchema = v.object({
	id,
	category: v.picklist(NOTIFICATION_CATEGORIES),
	title: v.string(),
	description: v.string(),
	timestamp: v.string(),
	actionUrl: v.optional(v.string()),
	actionLabel: v.optional(v.string()),
	metadata: v.optional(v.record(v.string(), v.unknown()))
});
export type Notification = v.InferOutput<typeof NotificationSchema>;

/** Payload schema of every server event type; an app may pass more to the client. */
export const coreEventSchemas = {
	'job:recommendation': JobRecommendationSchema,
	'application:status_change': ApplicationStatusChangeSchema,
	'notification:new': NotificationSchema
} as const;

/** Any map from event name to the valibot schema of its payload. */
export type EventSchemas = Record<string, v.GenericSchema>;

/** Event name -> payload type, derived from a schema map. */
export type EventMapOf<S extends EventSchemas> = { [K in keyof S]: v.InferOutput<S[K]> };

/** The events the Career Copilot server sends, by name, with their payloads. */
export type CoreEventMap = EventMapOf<typeof coreEventSchemas>;
export type CoreEventType = keyof CoreEventMap;

/** An event frame as the server sends it: `seq` is per user and strictly increasing. */
export interface EventFrame<T extends string = string, D = unknown> {
	type: T;
	id: string;
	seq: number;
	ts: number;
	data: D;
}

/**
 * The envelope of an event frame, `{type, id, seq, ts, data}`: string type and id, a `seq` that
 * is a safe integer >= 1 (above 2^53 - 1 two seqs can compare equal), a number `ts`, and a `data`
 * key. Checked by hand rather than by a valibot schema: it runs for every event frame, and a few
 * `typeof` checks cost a fraction of a schema run (see bench/client.ts); the payload, which varies
 * by event type, is still checked by its schema. Same verdicts as `v.object` with `v.number()`
 * (NaN refused, Infinity allowed for `ts`) and `v.unknown()` (the key must be there).
 */
function isEventEnvelope(raw: object): raw is EventFrame {
	const frame = raw as Record<string, unknown>;
	const { seq, ts } = frame;
	return (
		typeof frame.id === 'string' &&
		typeof seq === 'number' &&
		Number.isSafeInteger(seq) &&
		seq >= 1 &&
		typeof ts === 'number' &&
		!Number.isNaN(ts) &&
		'data' in frame
	);
}

/** A count or a seq: a safe integer >= 0 (JSON numbers beyond 2^53 - 1 lose precision). */
const nonNegativeInt = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

/** Control frames from the server, by type. Event frames are everything else. */
export const serverControlSchemas = {
	welcome: v.object({
		type: v.literal('welcome'),
		data: v.object({ heartbeatInterval: nonNegativeInt, lastSeq: nonNegativeInt })
	}),
	ping: v.object({ type: v.literal('ping') }),
	pong: v.object({ type: v.literal('pong') }),
	ack: v.object({ type: v.literal('ack'), data: v.object({ id: v.string() }) }),
	resync: v.object({ type: v.literal('resync'), data: v.object({ lastSeq: nonNegativeInt }) }),
	/** The server refused a frame; `id` names the refused message, if it was one. */
	error: v.object({
		type: v.literal('error'),
		data: v.object({ code: v.string(), message: v.string(), id: v.optional(v.string()) })
	})
} as const;

/** What the server says when it refuses a frame: `id` is set when it refused a message. */
export type ServerErrorData = v.InferOutput<(typeof serverControlSchemas)['error']>['data'];

export type ServerControlFrame = {
	[K in keyof typeof serverControlSchemas]: v.InferOutput<(typeof serverControlSchemas)[K]>;
}[keyof typeof serverControlSchemas];

export type ServerFrame = ServerControlFrame | EventFrame;

/** Why an incoming frame was dropped. */
export type DropReason = 'json' | 'shape' | 'unknown-type' | 'payload';

export type ParseResult =
	{ ok: true; frame: ServerFrame } | { ok: false; reason: DropReason; detail: string };

/**
 * Parse and validate one text frame from the server. Never throws: a frame that is not JSON,
 * has an unknown type, or whose payload fails its schema comes back as `{ ok: false }`.
 */
export function parseServerFrame(text: string, eventSchemas: EventSchemas): ParseResult {
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch {
		return { ok: false, reason: 'json', detail: 'not valid JSON' };
	}
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
		return { ok: false, reason: 'shape', detail: 'not a JSON object' };
	}
	const type = (raw as { type?: unknown }).type;
	if (typeof type !== 'string') return { ok: false, reason: 'shape', detail: 'no string type' };
	if (Object.hasOwn(serverControlSchemas, type)) {
		const frame = schemaCheck(serverControlSchemas[type as keyof typeof serverControlSchemas])(raw);
		return frame !== INVALID
			? { ok: true, frame: frame as ServerControlFrame }
			: { ok: false, reason: 'shape', detail: `bad ${type} frame` };
	}
	if (!Object.hasOwn(eventSchemas, type)) {
		return { ok: false, reason: 'unknown-type', detail: `unknown type ${type.slice(0, 64)}` };
	}
	if (!isEventEnvelope(raw)) return { ok: false, reason: 'shape', detail: `bad ${type} envelope` };
	const data = schemaCheck(eventSchemas[type])(raw.data);
	if (data === INVALID) return { ok: false, reason: 'payload', detail: `bad ${type} payload` };
	// A new object with the envelope's keys only: nothing else from the wire reaches the app.
	return { ok: true, frame: { type, id: raw.id, seq: raw.seq, ts: raw.ts, data } };
}

/** Frames the client sends. A custom message carries an `id` the server acks. */
export const clientControlSchemas = {
	resume: v.object({ type: v.literal('resume'), data: v.object({ lastSeq: nonNegativeInt }) }),
	ping: v.object({ type: v.literal('ping') }),
	pong: v.object({ type: v.literal('pong') })
} as const;

export const ClientMessageSchema = v.object({
	type: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
	id: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
	data: v.optional(v.unknown())
});

export type ClientControlFrame = {
	[K in keyof typeof clientControlSchemas]: v.InferOutput<(typeof clientControlSchemas)[K]>;
}[keyof typeof clientControlSchemas];
export type ClientMessage = v.InferOutput<typeof ClientMessageSchema>;
export type ClientFrame = ClientControlFrame | ClientMessage;
