/**
 * The server's checks of the frames a client sends (see the package README's wire protocol):
 * `resume {lastSeq}` and custom `{type, id, data}` messages, as valibot schemas typed against the
 * package's frame types.
 */
import * as v from 'valibot';
import type { ClientControlFrame, ClientMessage } from 'statechart-websocket';

/** A seq: a safe integer >= 0 (JSON numbers beyond 2^53 - 1 lose precision). */
const seq = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

export const clientControlSchemas = {
	resume: v.object({ type: v.literal('resume'), data: v.object({ lastSeq: seq }) }),
	ping: v.object({ type: v.literal('ping') }),
	pong: v.object({ type: v.literal('pong') })
} satisfies {
	[K in ClientControlFrame['type']]: v.GenericSchema<Extract<ClientControlFrame, { type: K }>>;
};

export const ClientMessageSchema = v.object({
	type: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
	id: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
	data: v.optional(v.unknown())
}) satisfies v.GenericSchema<ClientMessage>;
