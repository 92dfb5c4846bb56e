/**
 * Valibot schemas turned into plain check functions, for the per-frame path. A valibot run
 * allocates a dataset object per node and walks a generic pipeline; on a stream of small event
 * frames that is most of the client's cost over a bare socket (see bench/client.ts). The schemas
 * stay the single definition of the protocol: this module reads their structure (valibot's own
 * `type`, `entries`, `wrapped`, `options`... properties) and builds, once per schema, a closure
 * that gives valibot's verdict for any value and, for a value from `JSON.parse` (what a frame
 * is), an output equal to valibot's. A node it does not know (pipes, defaults, fallbacks, async or
 * custom schemas) is run by valibot itself, so any schema an app passes works.
 * tests/unit/schema-check.test.ts holds the two to the same answers on hostile and valid input.
 */
import * as v from 'valibot';

/** What a check returns for a value its schema refuses. */
export const INVALID: unique symbol = Symbol('invalid');

/**
 * A schema as a function: the validated output, or {@link INVALID}. The output may be the input
 * itself where valibot's copy would hold the same keys and values.
 */
export type SchemaCheck = (value: unknown) => unknown;

/** The properties of a valibot schema object this module reads. */
interface SchemaNode {
	type: string;
	async: boolean;
	pipe?: unknown;
	default?: unknown;
	fallback?: unknown;
	entries?: Record<string, SchemaNode>;
	wrapped?: SchemaNode;
	item?: SchemaNode;
	key?: SchemaNode;
	value?: SchemaNode;
	options?: unknown[];
	literal?: unknown;
}

/** Entry types an object lets go missing (when they have no default). */
const MAY_BE_MISSING = new Set(['optional', 'nullish', 'exact_optional']);

const checks = new WeakMap<object, SchemaCheck>();

/** The check of `schema`, built on first use and kept for as long as the schema lives. */
export function schemaCheck(schema: v.GenericSchema): SchemaCheck {
	let check = checks.get(schema);
	if (!check) {
		check = compile(schema as unknown as SchemaNode);
		checks.set(schema, check);
	}
	return check;
}

/** Whether valibot's generic run is needed: the node transforms, defaults, or may be async. */
function needsValibot(node: SchemaNode): boolean {
	return (
		node.async ||
		node.pipe !== undefined ||
		node.default !== undefined ||
		node.fallback !== undefined
	);
}

function compile(node: SchemaNode): SchemaCheck {
	if (needsValibot(node)) return runValibot(node);
	switch (node.type) {
		case 'string':
		case 'boolean':
			return typeOf(node.type);
		case 'number':
			return (value) => (typeof value === 'number' && !Number.isNaN(value) ? value : INVALID);
		case 'unknown':
		case 'any':
			return (value) => value;
		case 'literal':
			return literal(node.literal);
		case 'picklist':
			return picklist(node.options!);
		case 'optional':
			return orAlso(undefined, compile(node.wrapped!));
		case 'nullable':
			return orAlso(null, compile(node.wrapped!));
		case 'nullish':
			return nullish(compile(node.wrapped!));
		case 'exact_optional':
			// Outside an object it is its wrapped schema; objects treat the missing key themselves.
			return compile(node.wrapped!);
		case 'array':
			return array(compile(node.item!));
		case 'union':
			return union(node.options!.map((option) => compile(option as SchemaNode)));
		case 'object':
		case 'loose_object':
			return object(node);
		case 'record':
			return node.key!.type === 'string' && !needsValibot(node.key!)
				? record(compile(node.value!))
				: runValibot(node);
		default:
			return runValibot(node);
	}
}

/** A node valibot runs: for the kinds this module does not rebuild. */
function runValibot(node: SchemaNode): SchemaCheck {
	const schema = node as unknown as v.GenericSchema;
	return (value) => {
		const result = v.safeParse(schema, value);
		return result.success ? result.output : INVALID;
	};
}

function typeOf(type: string): SchemaCheck {
	return (value) => (typeof value === type ? value : INVALID);
}

/** Valibot compares literals and picklist options with SameValueZero (NaN matches NaN). */
function literal(expected: unknown): SchemaCheck {
	return (value) =>
		value === expected || (value !== value && expected !== expected) ? value : INVALID;
}

function picklist(options: unknown[]): SchemaCheck {
	return (value) => (options.includes(value) ? value : INVALID);
}

function orAlso(allowed: null | undefined, wrapped: SchemaCheck): SchemaCheck {
	return (value) => (value === allowed ? value : wrapped(value));
}

function nullish(wrapped: SchemaCheck): SchemaCheck {
	return (value) => (value === null || value === undefined ? value : wrapped(value));
}

function array(item: SchemaCheck): SchemaCheck {
	return (value) => {
		if (!Array.isArray(value)) return INVALID;
		const output: unknown[] = [];
		for (const element of value) {
			const checked = item(element);
			if (checked === INVALID) return INVALID;
			output.push(checked);
		}
		return output;
	};
}

/** The first option that accepts the value gives the output, as in valibot. */
function union(options: SchemaCheck[]): SchemaCheck {
	return (value) => {
		for (const option of options) {
			const checked = option(value);
			if (checked !== INVALID) return checked;
		}
		return INVALID;
	};
}

/**
 * `object` keeps the known keys only; `loose_object` also copies the others, except the keys that
 * could reach a prototype. A key counts as present when `key in value`, as valibot has it.
 *
 * Valibot always builds a new object. Here the input itself is the output while it equals the
 * copy valibot would build (a parsed frame is ours alone, and most frames have nothing to strip),
 * and a copy is started at the first difference: two thirds of the cost of a check was the copy.
 */
function object(node: SchemaNode): SchemaCheck {
	const entries = node.entries!;
	// A default or fallback on an entry fills a missing key: valibot's job.
	if (Object.values(entries).some(needsValibot)) return runValibot(node);
	const keys = Object.keys(entries);
	const entryChecks = keys.map((key) => compile(entries[key]));
	const optional = keys.map((key) => MAY_BE_MISSING.has(entries[key].type));
	const loose = node.type === 'loose_object';
	// An entry such as `toString` is found on the prototype of any object: always copy then.
	const mayBeInherited = keys.some((key) => key in Object.prototype);
	const isExtra = (key: string) => !Object.hasOwn(entries, key);
	return (value) => {
		if (!value || typeof value !== 'object') return INVALID;
		const input = value as Record<string, unknown>;
		let output = startCopy(input, mayBeInherited);
		let present = 0;
		for (let index = 0; index < keys.length; index++) {
			const key = keys[index];
			const item = input[key];
			// `in` only when the value is undefined: a defined value means the key is there.
			if (item !== undefined || key in input) {
				const checked = entryChecks[index](item);
				if (checked === INVALID) return INVALID;
				present++;
				if (output === null && checked !== item) output = pick(input, keys, index);
				if (output !== null) output[key] = checked;
			} else if (!optional[index]) {
				return INVALID;
			}
		}
		if (loose) {
			const extras = Object.keys(input).filter(isExtra);
			if (output === null && !extras.some(isPrototypeKey)) return input;
			output ??= pick(input, keys, keys.length);
			for (const key of extras) if (!isPrototypeKey(key)) output[key] = input[key];
			return output;
		}
		// Keys beyond the entries are to be stripped (a parsed JSON object has only own keys).
		if (output === null && Object.keys(input).length !== present) {
			output = pick(input, keys, keys.length);
		}
		return output ?? input;
	};
}

/** A record with string keys: every own key except the prototype-reaching ones. */
function record(item: SchemaCheck): SchemaCheck {
	return (value) => {
		if (!value || typeof value !== 'object') return INVALID;
		const input = value as Record<string, unknown>;
		const keys = Object.keys(input);
		let output = startCopy(input, false);
		for (let index = 0; index < keys.length; index++) {
			const key = keys[index];
			if (isPrototypeKey(key)) {
				output ??= pick(input, keys, index);
				continue;
			}
			const child = input[key];
			const checked = item(child);
			if (checked === INVALID) return INVALID;
			if (output === null && checked !== child) output = pick(input, keys, index);
			if (output !== null) output[key] = checked;
		}
		return output ?? input;
	};
}

/**
 * The copy to fill from the start (an empty object), or null while the input may stand for it:
 * an array or an object whose keys may come from its prototype is never what valibot returns.
 */
function startCopy(input: object, mayBeInherited: boolean): Record<string, unknown> | null {
	return mayBeInherited || Array.isArray(input) ? {} : null;
}

/** A new object with those of `keys[0..end)` that `input` has, values as they are. */
function pick(input: Record<string, unknown>, keys: string[], end: number) {
	const output: Record<string, unknown> = {};
	for (let index = 0; index < end; index++) {
		const key = keys[index];
		if (key in input) output[key] = input[key];
	}
	return output;
}

/** Keys valibot never copies, since writing them could reach a prototype. */
function isPrototypeKey(key: string): boolean {
	return key === '__proto__' || key === 'prototype' || key === 'constructor';
}
