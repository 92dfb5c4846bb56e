import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
	authenticate,
	createSession,
	hashPassword,
	sessionFromToken,
	userFromToken,
	verifyPassword
} from '../../src/lib/server/auth';
import { openDatabase, type AppDatabase, type Db } from '../../src/lib/server/db';
import { ENGINES, createTestStorage, type TestStorage } from '../support/server-harness';

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

describe.each(ENGINES)('sessions (%s)', (engine) => {
	let storage: TestStorage;
	let database: AppDatabase;
	let db: Db;
	let userId: number;

	async function reopen(): Promise<void> {
		await database.close();
		database = await openDatabase(storage.config);
		db = database.db;
	}

	beforeEach(async () => {
		vi.stubEnv('SESSION_SECRET', ''); // the stored secret, whatever the runner's environment
		storage = await createTestStorage(engine);
		database = await openDatabase(storage.config);
		db = database.db;
		({ id: userId } = await db
			.insertInto('users')
			.values({
				email: 'alex@example.com',
				name: 'Alex',
				password_hash: hashPassword('password123'),
				created_at: '2026-01-01T00:00:00.000Z'
			})
			.returning('id')
			.executeTakeFirstOrThrow());
	});
	afterEach(async () => {
		vi.unstubAllEnvs();
		await database.close();
		await storage.remove();
	});

	it('authenticates by email (any case) and password', async () => {
		const alex = { id: userId, email: 'alex@example.com', name: 'Alex' };
		expect(await authenticate(db, ' Alex@Example.com ', 'password123')).toEqual(alex);
		expect(await authenticate(db, 'alex@example.com', 'wrong')).toBeNull();
		expect(await authenticate(db, 'nobody@example.com', 'password123')).toBeNull();
	});

	it('reads a user back from a token until it expires', async () => {
		vi.useFakeTimers({ now: Date.parse('2026-03-01T00:00:00Z'), toFake: ['Date'] });
		try {
			const { token, expiresAt } = await createSession(db, userId, 60_000);
			expect(expiresAt).toBe(Date.now() + 60_000);
			expect((await sessionFromToken(db, token))?.user).toEqual({
				id: userId,
				email: 'alex@example.com',
				name: 'Alex'
			});
			vi.advanceTimersByTime(60_000);
			expect(await userFromToken(db, token)).toBeNull();
		} finally {
			vi.useRealTimers();
		}
	});

	it('refuses tampered, truncated and foreign tokens', async () => {
		const { token } = await createSession(db, userId);
		const [id, signature] = token.split('.');
		const other = (await createSession(db, userId)).token.split('.')[1];
		for (const bad of [
			'',
			id,
			`${id}.`,
			`${id}.${other}`,
			`${id}x.${signature}`,
			`.${signature}`,
			'a.b.c'
		]) {
			expect(await userFromToken(db, bad)).toBeNull();
		}
	});

	it('keeps sessions valid across reopening the database (the secret is persisted)', async () => {
		const { token } = await createSession(db, userId);
		await reopen();
		expect((await userFromToken(db, token))?.id).toBe(userId);
	});

	it('signs with SESSION_SECRET when set, and refuses a short one', async () => {
		const { token } = await createSession(db, userId); // signed with the stored secret
		vi.stubEnv('SESSION_SECRET', 'x'.repeat(40));
		await reopen();
		expect(await userFromToken(db, token)).toBeNull();
		expect((await userFromToken(db, (await createSession(db, userId)).token))?.id).toBe(userId);
		vi.stubEnv('SESSION_SECRET', 'short');
		await reopen();
		await expect(createSession(db, userId)).rejects.toThrow(/SESSION_SECRET/);
	});

	it('purges expired sessions when a new one starts', async () => {
		await createSession(db, userId, -1);
		await createSession(db, userId);
		const { count } = await db
			.selectFrom('sessions')
			.select((eb) => eb.fn.countAll<number>().as('count'))
			.executeTakeFirstOrThrow();
		expect(Number(count)).toBe(1);
	});
});
