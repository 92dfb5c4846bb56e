/**
 * Accounts and sessions. Passwords are hashed with scrypt. A session is a row in `sessions`
 * (so it can expire and be revoked) named by a random id; the token handed to the browser (the
 * `session` cookie) or to a non-browser client (`Authorization: Bearer`) is that id plus an
 * HMAC-SHA256 signature, so a forged token is refused before the database is asked.
 */
import { createHmac, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Cookies } from '@sveltejs/kit';
import type Database from 'better-sqlite3';
import { getDb } from './db';

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
 * Hash a password for storage: `scrypt$N$r$p$salt$hash` (base64url parts). Synchronous because
 * the seed runs inside a transaction; request handlers verify with the async verifyPassword.
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
	db: Database.Database,
	email: string,
	password: string
): Promise<SessionUser | null> {
	const row = db
		.prepare<[string], SessionUser & { password_hash: string }>(
			'SELECT id, email, name, password_hash FROM users WHERE email = ?'
		)
		.get(email.trim().toLowerCase());
	decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
	const valid = await verifyPassword(password, row?.password_hash ?? decoyHash);
	return row && valid ? { id: row.id, email: row.email, name: row.name } : null;
}

const secrets = new WeakMap<Database.Database, Buffer>();

/**
 * The signing key: SESSION_SECRET, or a random key created once and kept in the database's
 * settings table, so sessions survive restarts and every process on the same file agrees.
 */
function sessionSecret(db: Database.Database): Buffer {
	const cached = secrets.get(db);
	if (cached) return cached;
	const configured = process.env.SESSION_SECRET || undefined;
	if (configured !== undefined && configured.length < MIN_SECRET_LENGTH) {
		throw new TypeError(`SESSION_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
	}
	let secret = configured;
	if (!secret) {
		db.prepare("INSERT OR IGNORE INTO settings (key, value) VALUES ('session_secret', ?)").run(
			randomBytes(32).toString('base64url')
		);
		secret = db
			.prepare<[], string>("SELECT value FROM settings WHERE key = 'session_secret'")
			.pluck()
			.get() as string;
	}
	const key = Buffer.from(secret);
	secrets.set(db, key);
	return key;
}

function sign(db: Database.Database, sessionId: string): string {
	return createHmac('sha256', sessionSecret(db)).update(sessionId).digest('base64url');
}

/**
 * Create a session for a user and return its token. Expired sessions are purged on the way.
 * @param ttlMs lifetime from now; a negative value makes an already expired session (tests)
 */
export function createSession(
	db: Database.Database,
	userId: number,
	ttlMs: number = SESSION_TTL_MS
): { token: string; expiresAt: number } {
	if (!Number.isSafeInteger(userId))
		throw new TypeError('createSession: userId must be an integer');
	if (!Number.isFinite(ttlMs)) throw new TypeError('createSession: ttlMs must be a finite number');
	const now = Date.now();
	const id = randomBytes(SESSION_ID_BYTES).toString('base64url');
	const expiresAt = now + ttlMs;
	db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
	db.prepare('INSERT INTO sessions (id, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)').run(
		id,
		userId,
		expiresAt,
		new Date(now).toISOString()
	);
	return { token: `${id}.${sign(db, id)}`, expiresAt };
}

/** The session id a token names, if its signature is valid. */
function verifiedSessionId(db: Database.Database, token: string): string | null {
	const dot = token.indexOf('.');
	const id = token.slice(0, dot);
	if (dot < 0 || !SESSION_ID_PATTERN.test(id)) return null;
	const given = Buffer.from(token.slice(dot + 1));
	const expected = Buffer.from(sign(db, id));
	return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
}

type SessionRow = SessionUser & { expires_at: number };
const lookups = new WeakMap<Database.Database, Database.Statement<[string, number], SessionRow>>();

/** The prepared session query, once per database: it runs on every request and every upgrade. */
function sessionLookup(db: Database.Database): Database.Statement<[string, number], SessionRow> {
	let statement = lookups.get(db);
	if (!statement) {
		statement = db.prepare<[string, number], SessionRow>(
			`SELECT users.id, users.email, users.name, sessions.expires_at
			 FROM sessions JOIN users ON users.id = sessions.user_id
			 WHERE sessions.id = ? AND sessions.expires_at > ?`
		);
		lookups.set(db, statement);
	}
	return statement;
}

/** The live session a token names, or null when it is malformed, forged, expired or ended. */
export function sessionFromToken(db: Database.Database, token: string | undefined): Session | null {
	if (!token) return null;
	const id = verifiedSessionId(db, token);
	if (!id) return null;
	const row = sessionLookup(db).get(id, Date.now());
	return row
		? { id, user: { id: row.id, email: row.email, name: row.name }, expiresAt: row.expires_at }
		: null;
}

/** The user a token belongs to, or null. */
export function userFromToken(
	db: Database.Database,
	token: string | undefined
): SessionUser | null {
	return sessionFromToken(db, token)?.user ?? null;
}

/**
 * Log a user in: create a session and set the `session` cookie (HttpOnly, SameSite=Lax, Path=/,
 * Secure when the request came over https).
 */
export function startSession(
	cookies: Cookies,
	userId: number,
	url: URL,
	db: Database.Database = getDb()
): void {
	const { token } = createSession(db, userId);
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
export function endSession(cookies: Cookies, db: Database.Database = getDb()): string | null {
	const token = cookies.get(SESSION_COOKIE);
	const id = token ? verifiedSessionId(db, token) : null;
	if (id) db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
	cookies.delete(SESSION_COOKIE, { path: '/' });
	return id;
}
