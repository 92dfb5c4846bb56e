import * as v from 'valibot';
import { invalid } from './errors';

/**
 * Parse input with a valibot schema, or throw a 400 DomainError whose message names the field
 * and says what is wrong with it ("title: Title is required").
 */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
	const result = v.safeParse(schema, input);
	if (result.success) return result.output;
	throw invalid(describeIssue(result.issues[0]));
}

/** A readable message for one valibot issue, prefixed with its field path when there is one. */
export function describeIssue(issue: v.BaseIssue<unknown>): string {
	const path = v.getDotPath(issue);
	return path ? `${path}: ${issue.message}` : issue.message;
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
