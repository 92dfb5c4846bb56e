import * as v from 'valibot';
import { invalid } from './errors';

/**
 * Parse input with a valibot schema, or throw a 400 DomainError with the first problem's message.
 * The schemas' messages name their field ("Title is required"), so they read well on a form.
 */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
	const result = v.safeParse(schema, input);
	if (result.success) return result.output;
	throw invalid(result.issues[0].message);
}

/** A trimmed, non-empty string of at most `max` characters. */
export function text(label: string, max: number) {
	return v.pipe(
		v.string(`${label} is required`),
		v.trim(),
		v.nonEmpty(`${label} is required`),
		v.maxLength(max, `${label} must be at most ${max} characters`)
	);
}
