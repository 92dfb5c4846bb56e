/**
 * The event envelope (`type`, `id`, `seq`, `ts`, `data`) is checked by hand in `parseServerFrame`
 * for speed. These properties hold it to the valibot schema it replaced: for every frame of an
 * event type, hostile or well-formed, the verdict (accepted, or dropped and why) and the frame the
 * app receives are exactly what the schema would give.
 */
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { parseServerFrame, type ParseResult } from '../../machines/protocol';
import { coreEventSchemas } from '../../src/lib/protocol';
import { hostileFrame, hostileNumberText } from '../fuzz/arbitraries';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);

/** The reference: the envelope as a valibot schema (with the safe-integer `seq`). */
const ReferenceEnvelope = v.object({
	type: v.string(),
	id: v.string(),
	seq: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
	ts: v.number(),
	data: v.unknown()
});

/** What `parseServerFrame` must answer for an event-typed frame, by the reference schema. */
function referenceParse(raw: unknown, type: keyof typeof coreEventSchemas): ParseResult {
	const envelope = v.safeParse(ReferenceEnvelope, raw);
	if (!envelope.success) return { ok: false, reason: 'shape', detail: `bad ${type} envelope` };
	const payload = v.safeParse(coreEventSchemas[type], envelope.output.data);
	if (!payload.success) return { ok: false, reason: 'payload', detail: `bad ${type} payload` };
	return { ok: true, frame: { ...envelope.output, data: payload.output } };
}

/** The parsed object of `text` when it is a JSON object with a core event type. */
function eventTyped(text: string): { raw: object; type: keyof typeof coreEventSchemas } | null {
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch {
		return null;
	}
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
	const type = (raw as { type?: unknown }).type;
	if (typeof type !== 'string' || !Object.hasOwn(coreEventSchemas, type)) return null;
	return { raw, type: type as keyof typeof coreEventSchemas };
}

const NOTIFICATION = JSON.stringify({
	id: 'n1',
	category: 'system',
	title: 't',
	description: 'd',
	timestamp: '2026-01-01T00:00:00Z'
});

/** JSON texts for one envelope field: every JSON kind, edge numbers, or the key left out. */
const fieldText = fc.oneof(
	hostileNumberText,
	fc.constantFrom(
		'1',
		'0',
		'-1',
		'1.5',
		'9007199254740991',
		'9007199254740992',
		'1e400',
		'-1e400',
		'"e1"',
		'""',
		'"1"',
		'null',
		'true',
		'[]',
		'{}',
		NOTIFICATION
	),
	fc.constant(undefined)
);

/** Envelopes of `notification:new` with each field (and an extra key) anything or absent. */
const envelopeText = fc
	.record({
		id: fieldText,
		seq: fieldText,
		ts: fieldText,
		data: fc.oneof(fc.constant(NOTIFICATION), fieldText),
		extra: fc.constantFrom(undefined, '"__proto__":{"polluted":1}', '"more":1')
	})
	.map(({ extra, ...fields }) => {
		const entries = Object.entries(fields)
			.filter(([, text]) => text !== undefined)
			.map(([key, text]) => `"${key}":${text}`);
		if (extra) entries.push(extra);
		return `{"type":"notification:new",${entries.join(',')}}`;
	});

describe('the hand-written event envelope check', () => {
	it('gives the schema’s verdict and output for every event-typed frame', () => {
		let compared = 0;
		let accepted = 0;
		fc.assert(
			fc.property(fc.oneof(envelopeText, hostileFrame), (text) => {
				const typed = eventTyped(text);
				if (!typed) return;
				compared++;
				const result = parseServerFrame(text, coreEventSchemas);
				if (result.ok) accepted++;
				expect(result).toStrictEqual(referenceParse(typed.raw, typed.type));
			}),
			{ seed: SEED, numRuns: 5_000 }
		);
		// Both verdicts were exercised, on a good share of the runs.
		expect(compared).toBeGreaterThan(2_000);
		expect(accepted).toBeGreaterThan(100);
		expect(compared - accepted).toBeGreaterThan(100);
	});

	it('refuses a seq above Number.MAX_SAFE_INTEGER and accepts the largest safe one', () => {
		const frame = (seq: string) =>
			`{"type":"notification:new","id":"e","seq":${seq},"ts":1,"data":${NOTIFICATION}}`;
		expect(parseServerFrame(frame('9007199254740991'), coreEventSchemas).ok).toBe(true);
		expect(parseServerFrame(frame('9007199254740992'), coreEventSchemas)).toMatchObject({
			ok: false,
			reason: 'shape'
		});
	});
});
