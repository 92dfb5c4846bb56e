/**
 * `schemaCheck` rebuilds valibot schemas as plain functions for the per-frame path. These
 * properties hold it to valibot itself: for any value the verdict is valibot's, and for a value
 * from `JSON.parse` (what a frame is) the output equals valibot's output. Inputs are drawn from
 * the schema's own structure (mostly valid, with hostile keys and values mixed in) so the accepting
 * paths are exercised as much as the refusing ones.
 */
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	ClientMessageSchema,
	clientControlSchemas,
	coreEventSchemas,
	serverControlSchemas
} from '../../machines/protocol';
import { INVALID, schemaCheck } from '../../machines/schema-check';

const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const RUNS = 400;

/** Every kind the module rebuilds, and kinds it leaves to valibot (pipe, default, lazy). */
const EVERY_KIND = v.object({
	text: v.string(),
	flag: v.boolean(),
	count: v.number(),
	tag: v.literal('x'),
	choice: v.picklist(['a', 'b', 1]),
	maybe: v.optional(v.string()),
	orNull: v.nullable(v.number()),
	either: v.nullish(v.string()),
	exact: v.exactOptional(v.boolean()),
	list: v.array(v.union([v.string(), v.number()])),
	flags: v.record(v.string(), v.boolean()),
	anything: v.unknown(),
	toString: v.optional(v.unknown()),
	nested: v.optional(
		v.looseObject({ id: v.number(), inner: v.optional(v.object({ a: v.string() })) })
	)
});

const LEFT_TO_VALIBOT = {
	pipe: v.object({ n: v.pipe(v.number(), v.integer(), v.minValue(0)), s: v.string() }),
	defaults: v.object({ a: v.optional(v.string(), 'fallback'), b: v.number() }),
	picklistKeys: v.record(v.picklist(['a', 'b']), v.number()),
	strict: v.strictObject({ a: v.string() }),
	tuple: v.tuple([v.string(), v.number()]),
	lazy: v.lazy(() => v.object({ a: v.string() }))
};

const SCHEMAS: Record<string, v.GenericSchema> = {
	...coreEventSchemas,
	...Object.fromEntries(Object.entries(serverControlSchemas).map(([k, s]) => [`server ${k}`, s])),
	...Object.fromEntries(Object.entries(clientControlSchemas).map(([k, s]) => [`client ${k}`, s])),
	'client message': ClientMessageSchema,
	'every kind': EVERY_KIND,
	...LEFT_TO_VALIBOT
};

/** The structure of a valibot schema, as far as the generator reads it. */
interface Node {
	type: string;
	pipe?: Node[];
	entries?: Record<string, Node>;
	wrapped?: Node;
	item?: Node;
	value?: Node;
	options?: unknown[];
	literal?: unknown;
	items?: Node[];
	getter?: () => Node;
}

const anyJson = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null');
/** Keys a hostile frame would use, as well as ordinary ones. */
const hostileKey = fc.oneof(
	fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'extra', ''),
	fc.string({ maxLength: 4 })
);
const MAY_BE_MISSING = new Set(['optional', 'nullish', 'exact_optional']);

const objectText = (pairs: Array<[string, string]>) =>
	`{${pairs.map(([key, text]) => `${JSON.stringify(key)}:${text}`).join(',')}}`;

/** JSON text for a value of `node`: valid most of the time, anything now and then. */
function jsonFor(node: Node): fc.Arbitrary<string> {
	return fc.oneof({ weight: 24, arbitrary: validJsonFor(node) }, { weight: 1, arbitrary: anyJson });
}

function validJsonFor(node: Node): fc.Arbitrary<string> {
	if (node.pipe) return jsonFor(node.pipe[0]);
	switch (node.type) {
		case 'string':
			return fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s));
		case 'number':
			return fc
				.oneof(
					{ weight: 3, arbitrary: fc.nat(5) },
					{ weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) },
					{ weight: 1, arbitrary: fc.double() }
				)
				.map((n) => JSON.stringify(n));
		case 'boolean':
			return fc.boolean().map(String);
		case 'literal':
			return fc.constant(JSON.stringify(node.literal));
		case 'picklist':
			return fc.constantFrom(...node.options!).map((o) => JSON.stringify(o));
		case 'nullable':
		case 'nullish':
			return fc.oneof(jsonFor(node.wrapped!), fc.constant('null'));
		case 'optional':
		case 'exact_optional':
			// Left out by the object around it; `undefined` has no JSON text.
			return jsonFor(node.wrapped!);
		case 'array':
			return fc.array(jsonFor(node.item!), { maxLength: 3 }).map((items) => `[${items}]`);
		case 'tuple':
			return fc.tuple(...node.items!.map(jsonFor)).map((items) => `[${items}]`);
		case 'union':
			return fc.oneof(...node.options!.map((option) => jsonFor(option as Node)));
		case 'record':
			return fc
				.array(fc.tuple(fc.oneof(hostileKey, fc.constantFrom('a', 'b')), jsonFor(node.value!)), {
					maxLength: 3
				})
				.map(objectText);
		case 'lazy':
			return jsonFor(node.getter!());
		case 'object':
		case 'loose_object':
		case 'strict_object': {
			const entries = Object.entries(node.entries!).map(([key, entry]) =>
				fc
					.option(jsonFor(entry), { nil: null, freq: MAY_BE_MISSING.has(entry.type) ? 3 : 20 })
					.map((text) => (text === null ? [] : [[key, text] as [string, string]]))
			);
			const extras = fc.array(fc.tuple(hostileKey, anyJson), { maxLength: 2 });
			return fc
				.tuple(fc.tuple(...entries), extras, fc.boolean())
				.map(([present, more, extrasFirst]) => {
					const known = present.flat();
					return objectText(extrasFirst ? [...more, ...known] : [...known, ...more]);
				});
		}
		default:
			return anyJson;
	}
}

/** Any JavaScript value, not only JSON: only the verdict has to agree on these. */
const anyValue = fc.anything({
	maxDepth: 3,
	withBoxedValues: true,
	withNullPrototype: true,
	withSparseArray: true,
	withObjectString: true
});

describe('schemaCheck agrees with valibot', () => {
	for (const [name, schema] of Object.entries(SCHEMAS)) {
		const check = schemaCheck(schema);

		it(`${name}: same verdict and same output on parsed JSON`, () => {
			let accepted = 0;
			fc.assert(
				fc.property(jsonFor(schema as unknown as Node), (text) => {
					const value: unknown = JSON.parse(text);
					const reference = v.safeParse(schema, value);
					const checked = check(value);
					expect(checked === INVALID, text).toBe(!reference.success);
					if (reference.success) expect(checked, text).toStrictEqual(reference.output);
					if (reference.success) accepted++;
				}),
				{ seed: SEED, numRuns: RUNS }
			);
			// Both paths taken often: a generator that only made invalid input would prove little.
			expect(accepted).toBeGreaterThan(RUNS * 0.1);
			expect(accepted).toBeLessThan(RUNS * 0.95);
		});

		it(`${name}: same verdict on any value`, () => sameVerdicts(schema));
	}

	// Valibot compares literals with SameValueZero: NaN is NaN (only outside JSON).
	it('NaN literal: same verdict on any value', () => sameVerdicts(v.literal(NaN)));
});

function sameVerdicts(schema: v.GenericSchema) {
	const check = schemaCheck(schema);
	fc.assert(
		fc.property(fc.oneof(anyValue, fc.constant(NaN)), (value) => {
			expect(check(value) === INVALID).toBe(!v.safeParse(schema, value).success);
		}),
		{ seed: SEED, numRuns: RUNS }
	);
}

describe('schemaCheck', () => {
	it('hands back a clean parsed payload as it is, where valibot copies it', () => {
		const text = JSON.stringify({
			id: 'n1',
			category: 'system',
			title: 't',
			description: 'd',
			timestamp: '2026-01-01T00:00:00Z',
			metadata: { a: 1 }
		});
		const payload: unknown = JSON.parse(text);
		expect(schemaCheck(coreEventSchemas['notification:new'])(payload)).toBe(payload);
		expect(v.parse(coreEventSchemas['notification:new'], payload)).not.toBe(payload);
	});

	it('copies what it must strip, and never copies a prototype key', () => {
		const payload = JSON.parse(
			'{"job":{"id":1,"title":"t","company":"c","__proto__":{"polluted":1},"x":2},"extra":1}'
		) as Record<string, unknown>;
		const checked = schemaCheck(coreEventSchemas['job:recommendation'])(payload) as {
			job: Record<string, unknown>;
		};
		expect(checked).not.toBe(payload);
		expect(Object.keys(checked)).toEqual(['job']);
		expect(Object.hasOwn(checked.job, '__proto__')).toBe(false);
		expect(checked.job.x).toBe(2);
		expect(Object.getPrototypeOf(checked.job)).toBe(Object.prototype);
	});

	it('builds one check per schema', () => {
		const schema = v.object({ a: v.string() });
		expect(schemaCheck(schema)).toBe(schemaCheck(schema));
	});
});
