import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
	authenticate,
	createSession,
	hashPassword,
	sessionFromToken,
	userFromToken,
	verifyPassword
} from '../../src/lib/server/auth';
import { openDatabase } from '../../src/lib/server/db';

describe('passwords', () => {
	it('verifies the password a hash was made from and nothing else', async () => {
		const hash = hashPassword('password123');
		expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
		expect(hashPassword('password123')).not.toBe(hash); // salted
		expect(await verifyPassword('password123', hash)).toBe(true);
		expect(await verifyPassword('password124', hash)).toBe(false);
		expect(await verifyPassword('password123', 'plain-text')).toBe(false);
	});

	it('refuses an empty password with a TypeError', () => {
		expect(() => hashPassword('')).toThrow(TypeError);
	});
});

describe('sessions', () => {
	let dir: string;
	let db: Database.Database;
	let userId: number;

	beforeEach(() => {
		vi.stubEnv('SESSION_SECRET', ''); // the stored secret, whatever the runner's environment
		dir = mkdtempSync(join(tmpdir(), 'cc-auth-'));
		db = openDatabase(join(dir, 'app.db'));
		userId = Number(
			db
				.prepare(
					"INSERT INTO users (email, name, password_hash, created_at) VALUES ('alex@example.com', 'Alex', ?, '2026-01-01T00:00:00.000Z')"
				)
				.run(hashPassword('password123')).lastInsertRowid
		);
	});
	afterEach(() => {
		vi.unstubAllEnvs();
		db.close();
		rmSync(dir, { recursive: true, force: true });
	});

	it('authenticates by email (any case) and password', async () => {
		const alex = { id: userId, email: 'alex@example.com', name: 'Alex' };
		expect(await authenticate(db, ' Alex@Example.com ', 'password123')).toEqual(alex);
		expect(await authenticate(db, 'alex@example.com', 'wrong')).toBeNull();
		expect(await authenticate(db, 'nobody@example.com', 'password123')).toBeNull();
	});

	it('reads a user back from a token until it expires', () => {
		vi.useFakeTimers({ now: Date.parse('2026-03-01T00:00:00Z'), toFake: ['Date'] });
		try {
			const { token, expiresAt } = createSession(db, userId, 60_000);
			expect(expiresAt).toBe(Date.now() + 60_000);
			expect(sessionFromToken(db, token)?.user).toEqual({
				id: userId,
				email: 'alex@example.com',
				name: 'Alex'
			});
			vi.advanceTimersByTime(60_000);
			expect(userFromToken(db, token)).toBeNull();
		} finally {
			vi.useRealTimers();
		}
	});

	it('refuses tampered, truncated and foreign tokens', () => {
		const { token } = createSession(db, userId);
		const [id, signature] = token.split('.');
		const other = createSession(db, userId).token.split('.')[1];
		for (const bad of [
			'',
			id,
			`${id}.`,
			`${id}.${other}`,
			`${id}x.${signature}`,
			`.${signature}`,
			'a.b.c'
		]) {
			expect(userFromToken(db, bad)).toBeNull();
		}
	});

	it('keeps sessions valid across reopening the file (the secret is persisted)', () => {
		const { token } = createSession(db, userId);
		db.close();
		db = openDatabase(join(dir, 'app.db'));
		expect(userFromToken(db, token)?.id).toBe(userId);
	});

	it('signs with SESSION_SECRET when set, and refuses a short one', () => {
		const { token } = createSession(db, userId); // signed with the stored secret
		db.close();
		vi.stubEnv('SESSION_SECRET', 'x'.repeat(40));
		db = openDatabase(join(dir, 'app.db'));
		expect(userFromToken(db, token)).toBeNull();
		expect(userFromToken(db, createSession(db, userId).token)?.id).toBe(userId);
		db.close();
		vi.stubEnv('SESSION_SECRET', 'short');
		db = openDatabase(join(dir, 'app.db'));
		expect(() => createSession(db, userId)).toThrow(/SESSION_SECRET/);
	});

	it('purges expired sessions when a new one starts', () => {
		createSession(db, userId, -1);
		createSession(db, userId);
		expect(db.prepare('SELECT COUNT(*) FROM sessions').pluck().get()).toBe(1);
	});
});
