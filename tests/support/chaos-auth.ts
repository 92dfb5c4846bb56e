/**
 * Accounts, logins and form actions against a running server, the way a browser does them: a
 * POST /login form with the site's own Origin, the `session` cookie it sets, and SvelteKit form
 * actions called with that cookie. Extra users are written straight into the server's database
 * (the server has no sign-up page), with a password hash made by the app's own auth module.
 */
import { createSession, hashPassword } from '../../src/lib/server/auth';
import { openDatabase, type DatabaseConfig } from '../../src/lib/server/db';

/** The password of the seeded demo accounts, and of every account made here. */
export const PASSWORD = 'password123';
export const DEMO_USERS = ['alex@example.com', 'sam@example.com'] as const;

export interface Login {
	status: number;
	location: string | null;
	/** Every Set-Cookie header line. */
	setCookie: string[];
	/** `session=<token>` for a Cookie header, or null when login failed. */
	cookie: string | null;
	token: string | null;
}

/** POST the /login form. `origin` is the server; `originHeader` what the browser would send. */
export async function login(
	origin: string,
	email: string,
	password = PASSWORD,
	options: { originHeader?: string; redirectTo?: string; headers?: Record<string, string> } = {}
): Promise<Login> {
	const body = new URLSearchParams({ email, password });
	if (options.redirectTo !== undefined) body.set('redirectTo', options.redirectTo);
	const response = await fetch(`${origin}/login`, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			// A browser's plain form submit, answered with a redirect (not the JSON `use:enhance` gets).
			accept: 'text/html,application/xhtml+xml',
			origin: options.originHeader ?? origin,
			...options.headers
		},
		body
	});
	await response.arrayBuffer();
	const setCookie = response.headers.getSetCookie();
	const token =
		setCookie
			.map((line) => /^session=([^;]+)/.exec(line)?.[1])
			.find((value) => value !== undefined && value !== '') ?? null;
	return {
		status: response.status,
		location: response.headers.get('location'),
		setCookie,
		cookie: token ? `session=${token}` : null,
		token
	};
}

/** Log in and return the Cookie header value; throws when the login is refused. */
export async function sessionCookie(origin: string, email: string): Promise<string> {
	const result = await login(origin, email);
	if (!result.cookie) throw new Error(`login of ${email} failed with ${result.status}`);
	return result.cookie;
}

/**
 * Add `count` users (`<prefix>-<n>@example.com`, password {@link PASSWORD}) to the database of a
 * running server (a SQLite file's path, or any database config) and return their ids and emails.
 * Skills make them match the jobs the simulate page posts.
 */
export async function addUsers(
	database: string | DatabaseConfig,
	count: number,
	prefix = 'chaos'
): Promise<{ id: number; email: string }[]> {
	const config: DatabaseConfig =
		typeof database === 'string' ? { engine: 'sqlite', path: database } : database;
	const { db, close } = await openDatabase(config);
	try {
		const password_hash = hashPassword(PASSWORD);
		const skills = JSON.stringify(['typescript', 'svelte', 'node', 'websockets', 'sql']);
		const created_at = new Date().toISOString();
		const rows = await db
			.insertInto('users')
			.values(
				Array.from({ length: count }, (_, n) => ({
					email: `${prefix}-${n}@example.com`,
					name: `${prefix} ${n}`,
					password_hash,
					skills,
					created_at
				}))
			)
			.returning(['id', 'email'])
			.execute();
		return rows;
	} finally {
		await close();
	}
}

/**
 * A user written straight into a database that no server has open yet, with a session token for
 * it (signed with the stored secret, or SESSION_SECRET when the environment sets it).
 */
export async function userWithSession(
	config: DatabaseConfig,
	email: string
): Promise<{ id: number; token: string }> {
	const { db, close } = await openDatabase(config);
	try {
		const { id } = await db
			.insertInto('users')
			.values({ email, name: email, password_hash: 'unused', created_at: new Date().toISOString() })
			.returning('id')
			.executeTakeFirstOrThrow();
		return { id, token: (await createSession(db, id)).token };
	} finally {
		await close();
	}
}

/** What a SvelteKit form action answered (the JSON the enhanced form fetch gets). */
export interface ActionResponse {
	status: number;
	/** Parsed ActionResult when the server answered JSON. */
	result: { type: string; status?: number; data?: string; location?: string } | null;
	text: string;
}

/**
 * Call a form action like `use:enhance` does (`x-sveltejs-action: true`), with a cookie and an
 * Origin header (the server's own unless told otherwise).
 */
export async function postAction(
	origin: string,
	pathAndAction: string,
	fields: Record<string, string>,
	options: { cookie?: string | null; originHeader?: string; contentType?: string } = {}
): Promise<ActionResponse> {
	const contentType = options.contentType ?? 'application/x-www-form-urlencoded';
	const response = await fetch(`${origin}${pathAndAction}`, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			'content-type': contentType,
			accept: 'application/json',
			'x-sveltejs-action': 'true',
			origin: options.originHeader ?? origin,
			...(options.cookie && { cookie: options.cookie })
		},
		body:
			contentType === 'application/x-www-form-urlencoded'
				? new URLSearchParams(fields)
				: JSON.stringify(fields)
	});
	const text = await response.text();
	let result: ActionResponse['result'] = null;
	try {
		result = JSON.parse(text);
	} catch {
		result = null;
	}
	return { status: response.status, result, text };
}
