/**
 * Accounts and sessions. Passwords are hashed with scrypt. A session is a row in `sessions`
 * (so it can expire and be revoked) named by a random id; the token handed to the browser (the
 * `session` cookie) or to a non-browser client (`Authorization: Bearer`) is that id plus an
 * HMAC-SHA256 signature, so a forged token is refused before the database is asked.
 */
import { createHmac, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Cookies } from '@sveltejs/kit';
import type { Queryable } from './db';
import type { HubSession } from './realtime/store';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'session';
/** How long a session lasts from login. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** The signed-in user as the app sees it (`event.locals.user`). */
export interface SessionUser {
	id: number;
	email: string;
	name: string;
}

/** A valid session, as read from a token. */
export interface Session {
	id: string;
	user: SessionUser;
	/** Epoch ms after which the token is refused. */
	expiresAt: number;
}

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 64, saltLength: 16 } as const;
const SESSION_ID_BYTES = 24;
const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;
const MIN_SECRET_LENGTH = 32;

/**
 * Hash a password for storage: `scrypt$N$r$p$salt$hash` (base64url parts). Synchronous (the seed
 * and tests make a handful); request handlers verify with the async verifyPassword.
 */
export function hashPassword(password: string): string {
	if (typeof password !== 'string' || password === '') {
		throw new TypeError('hashPassword: password must be a non-empty string');
	}
	const salt = randomBytes(SCRYPT.saltLength);
	const hash = scryptSync(password, salt, SCRYPT.keyLength, SCRYPT);
	return [
		'scrypt',
		SCRYPT.N,
		SCRYPT.r,
		SCRYPT.p,
		salt.toString('base64url'),
		hash.toString('base64url')
	].join('$');
}

/** Whether `password` matches a hash made by hashPassword. False for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const [scheme, n, r, p, salt, hash] = stored.split('$');
	if (scheme !== 'scrypt' || !salt || !hash) return false;
	const expected = Buffer.from(hash, 'base64url');
	const params = { N: Number(n), r: Number(r), p: Number(p) };
	if (![params.N, params.r, params.p].every(Number.isSafeInteger) || expected.length === 0) {
		return false;
	}
	const actual = await new Promise<Buffer>((resolve, reject) =>
		scrypt(password, Buffer.from(salt, 'base64url'), expected.length, params, (error, key) =>
			error ? reject(error) : resolve(key)
		)
	);
	return timingSafeEqual(actual, expected);
}

/** A hash of nothing anyone knows, checked for unknown emails so timing does not reveal them. */
let decoyHash: string | undefined;

/**
 * The user with this email and password, or null. Takes the same time whether or not the email
 * exists.
 */
export async function authenticate(
	db: Queryable,
	email: string,
	password: string
): Promise<SessionUser | null> {
	const row = await db
		.selectFrom('users')
		.select(['id', 'email', 'name', 'password_hash'])
		.where('email', '=', email.trim().toLowerCase())
		.executeTakeFirst();
	decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
	const valid = await verifyPassword(password, row?.password_hash ?? decoyHash);
	return row && valid ? { id: row.id, email: row.email, name: row.name } : null;
}

const secrets = new WeakMap<object, Promise<Buffer>>();

/**
 * The signing key: SESSION_SECRET, or a random key created once and kept in the database's
 * settings table, so sessions survive restarts and every node on the same database agrees.
 */
function sessionSecret(db: Queryable): Promise<Buffer> {
	let secret = secrets.get(db);
	if (!secret) {
		secret = loadSessionSecret(db);
		secrets.set(db, secret);
		secret.catch(() => secrets.delete(db));
	}
	return secret;
}

async function loadSessionSecret(db: Queryable): Promise<Buffer> {
	const configured = process.env.SESSION_SECRET || undefined;
	if (configured !== undefined && configured.length < MIN_SECRET_LENGTH) {
		throw new TypeError(`SESSION_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
	}
	if (configured) return Buffer.from(configured);
	await db
		.insertInto('settings')
		.values({ key: 'session_secret', value: randomBytes(32).toString('base64url') })
		.onConflict((conflict) => conflict.column('key').doNothing())
		.execute();
	const row = await db
		.selectFrom('settings')
		.select('value')
		.where('key', '=', 'session_secret')
		.executeTakeFirstOrThrow();
	return Buffer.from(row.value);
}

async function sign(db: Queryable, sessionId: string): Promise<string> {
	return createHmac('sha256', await sessionSecret(db))
		.update(sessionId)
		.digest('base64url');
}

/**
 * Create a session for a user and return its token. Expired sessions are purged on the way.
 * @param ttlMs lifetime from now; a negative value makes an already expired session (tests)
 */
export async function createSession(
	db: Queryable,
	userId: number,
	ttlMs: number = SESSION_TTL_MS
): Promise<{ token: string; expiresAt: number }> {
	if (!Number.isSafeInteger(userId))
		throw new TypeError('createSession: userId must be an integer');
	if (!Number.isFinite(ttlMs)) throw new TypeError('createSession: ttlMs must be a finite number');
	const now = Date.now();
	const id = randomBytes(SESSION_ID_BYTES).toString('base64url');
	const expiresAt = now + ttlMs;
	await db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
	await db
		.insertInto('sessions')
		.values({ id, user_id: userId, expires_at: expiresAt, created_at: new Date(now).toISOString() })
		.execute();
	return { token: `${id}.${await sign(db, id)}`, expiresAt };
}

/** The session id a token names, if its signature is valid. */
async function verifiedSessionId(db: Queryable, token: string): Promise<string | null> {
	const dot = token.indexOf('.');
	const id = token.slice(0, dot);
	if (dot < 0 || !SESSION_ID_PATTERN.test(id)) return null;
	const given = Buffer.from(token.slice(dot + 1));
	const expected = Buffer.from(await sign(db, id));
	return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
}

/** The live session a token names, or null when it is malformed, forged, expired or ended. */
export async function sessionFromToken(
	db: Queryable,
	token: string | undefined
): Promise<Session | null> {
	if (!token) return null;
	const id = await verifiedSessionId(db, token);
	if (!id) return null;
	const row = await db
		.selectFrom('sessions')
		.innerJoin('users', 'users.id', 'sessions.user_id')
		.select(['users.id', 'users.email', 'users.name', 'sessions.expires_at'])
		.where('sessions.id', '=', id)
		.where('sessions.expires_at', '>', Date.now())
		.executeTakeFirst();
	return row
		? {
				id,
				user: { id: row.id, email: row.email, name: row.name },
				expiresAt: Number(row.expires_at)
			}
		: null;
}

/** The user a token belongs to, or null. */
export async function userFromToken(
	db: Queryable,
	token: string | undefined
): Promise<SessionUser | null> {
	return (await sessionFromToken(db, token))?.user ?? null;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The session token of an upgrade: `Authorization: Bearer <token>` first, else the cookie. */
export function readToken(req: IncomingMessage): string | undefined {
	const bearer = BEARER.exec(req.headers.authorization ?? '');
	if (bearer) return bearer[1];
	for (const pair of (req.headers.cookie ?? '').split(';')) {
		const eq = pair.indexOf('=');
		if (eq > 0 && pair.slice(0, eq).trim() === SESSION_COOKIE) {
			const value = pair.slice(eq + 1).trim();
			try {
				return decodeURIComponent(value);
			} catch {
				return value;
			}
		}
	}
	return undefined;
}

/** The hub's `authenticate`: the session an upgrade request's token names, on any node. */
export function socketAuthenticator(
	db: Queryable
): (req: IncomingMessage) => Promise<HubSession | null> {
	return async (req) => {
		const session = await sessionFromToken(db, readToken(req));
		return session
			? { id: session.id, userId: session.user.id, expiresAt: session.expiresAt }
			: null;
	};
}

/**
 * Log a user in: create a session and set the `session` cookie (HttpOnly, SameSite=Lax, Path=/,
 * Secure when the request came over https).
 */
export async function startSession(
	db: Queryable,
	cookies: Cookies,
	userId: number,
	url: URL
): Promise<void> {
	const { token } = await createSession(db, userId);
	cookies.set(SESSION_COOKIE, token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure: url.protocol === 'https:',
		maxAge: Math.floor(SESSION_TTL_MS / 1000)
	});
}

/**
 * Log out: end the session the cookie names (its token stops working at once) and clear it.
 * Returns the ended session's id, so the caller can close the sockets it admitted.
 */
export async function endSession(db: Queryable, cookies: Cookies): Promise<string | null> {
	const token = cookies.get(SESSION_COOKIE);
	const id = token ? await verifiedSessionId(db, token) : null;
	if (id) await db.deleteFrom('sessions').where('id', '=', id).execute();
	cookies.delete(SESSION_COOKIE, { path: '/' });
	return id;
}
