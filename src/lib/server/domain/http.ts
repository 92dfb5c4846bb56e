/**
 * The thin glue between routes and the domain: read form fields and JSON bodies with a schema,
 * and turn the domain's DomainErrors into 400/404 answers, so each route stays a few lines.
 */
import { error, fail, json, type ActionFailure } from '@sveltejs/kit';
import * as v from 'valibot';
import { DomainError, invalid } from './errors';
import { parseInput } from './validate';

/** A positive whole-number id from a form field or route parameter. */
export const idField = v.pipe(
	v.string('id is required'),
	v.trim(),
	v.regex(/^[1-9]\d{0,14}$/, 'id must be a positive whole number'),
	v.transform(Number)
);

/** The signed-in user; 401 when there is none (the hooks normally redirect before this). */
export function requireUser(locals: App.Locals): NonNullable<App.Locals['user']> {
	if (!locals.user) error(401, 'Sign in first');
	return locals.user;
}

/**
 * The request's form fields, parsed by `schema`. Blank fields count as absent, so optional
 * fields can be left empty and required ones say "is required". Throws a 400 DomainError when
 * the body is not a form or a field is invalid; file fields are ignored.
 */
export async function parseForm<S extends v.GenericSchema>(
	request: Request,
	schema: S
): Promise<v.InferOutput<S>> {
	let form: FormData;
	try {
		form = await request.formData();
	} catch {
		throw invalid('Expected form data');
	}
	const fields: Record<string, string> = {};
	for (const [name, value] of form) {
		if (typeof value === 'string' && value.trim() !== '') fields[name] = value;
	}
	return parseInput(schema, fields);
}

/** The request's JSON body, parsed by `schema`; a 400 DomainError when it is not valid. */
export async function parseJson<S extends v.GenericSchema>(
	request: Request,
	schema: S
): Promise<v.InferOutput<S>> {
	let body: unknown;
	try {
		body = await request.json();
	} catch {
		throw invalid('Expected a JSON body');
	}
	return parseInput(schema, body);
}

/**
 * Run an action body; a DomainError becomes `fail(status, { message })` for the page to show,
 * anything else is rethrown (a bug, answered with 500).
 */
export async function runAction<T>(
	body: () => T | Promise<T>
): Promise<T | ActionFailure<{ message: string }>> {
	try {
		return await body();
	} catch (caught) {
		if (caught instanceof DomainError) return fail(caught.status, { message: caught.message });
		throw caught;
	}
}

/**
 * Run an endpoint body and answer with its result as JSON; a DomainError becomes
 * `{ message }` with its status, anything else is rethrown.
 */
export async function runJson(body: () => unknown): Promise<Response> {
	try {
		return json(await body());
	} catch (caught) {
		if (caught instanceof DomainError) {
			return json({ message: caught.message }, { status: caught.status });
		}
		throw caught;
	}
}
