/**
 * The store-backed sign-in throttle on both engines (a SQLite file, a PostgreSQL database), with
 * a clock the test holds: per-account and per-address limits, the reset on success, refused
 * attempts that change nothing, pruning, and parallel attempts from two "nodes" (two separate
 * connections to one store) that cannot all slip through while the count reads free.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type AppDatabase, type Db } from '../../src/lib/server/db';
import { DEFAULT_SCHEDULE } from '../../src/lib/server/signin/schedule';
import {
	addressKey,
	createSigninThrottle,
	signinKeys,
	type SigninThrottle
} from '../../src/lib/server/signin/throttle';
import { testDatabase } from '../support/postgres-vitest';

/**
 * One store, migrated as the app migrates it: `connect()` opens another handle on it as another
 * node would. better-sqlite3 is synchronous, so two handles in one thread would block each other
 * on the file lock; on SQLite the second "node" shares the handle (SQLite is the single-node
 * engine; two processes on one file are tested against the built server).
 */
interface Engine {
	name: string;
	open(): Promise<{ connect(): Promise<Db>; dispose(): Promise<void> }>;
}

const sqlite: Engine = {
	name: 'sqlite',
	async open() {
		const dir = mkdtempSync(join(tmpdir(), 'cc-signin-'));
		const database = await openDatabase({ engine: 'sqlite', path: join(dir, 'app.db') });
		return {
			connect: async () => database.db,
			async dispose() {
				await database.close();
				rmSync(dir, { recursive: true, force: true });
			}
		};
	}
};

const postgres: Engine = {
	name: 'postgres',
	async open() {
		const server = await testDatabase();
		const opened: AppDatabase[] = [];
		return {
			async connect() {
				const database = await openDatabase({ engine: 'postgres', url: server.url, poolSize: 4 });
				opened.push(database);
				return database.db;
			},
			async dispose() {
				for (const database of opened) await database.close();
				await server.drop();
			}
		};
	}
};

const ENGINES = [sqlite, postgres];

describe('addressKey', () => {
	it('keeps IPv4 whole, folds IPv4-mapped IPv6 into IPv4, and takes the /64 of IPv6', () => {
		expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
		expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
		expect(addressKey('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
		expect(addressKey('2001:DB8:0000:0001:ffff:ffff:ffff:ffff')).toBe('2001:db8:0:1::/64');
		expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
		expect(addressKey('::1')).toBe('0:0:0:0::/64');
		expect(addressKey(' unknown ')).toBe('unknown');
	});

	it('counts the account as typed, in any case', () => {
		expect(signinKeys(' Alex@Example.com ', '::ffff:127.0.0.1')).toEqual([
			'account:alex@example.com',
			'address:127.0.0.1'
		]);
	});
});

describe.each(ENGINES)('sign-in throttle on $name', (engine) => {
	let store: Awaited<ReturnType<Engine['open']>>;
	let db: Db;
	let clock: number;
	let throttle: SigninThrottle;
	const now = () => clock;

	beforeAll(async () => {
		store = await engine.open();
		db = await store.connect();
	});
	afterAll(async () => {
		await store?.dispose();
	});
	beforeEach(() => {
		clock = Date.parse('2026-03-01T12:00:00Z');
		throttle = createSigninThrottle({ db, now });
	});
	afterEach(async () => {
		await db.deleteFrom('signin_failures').execute();
	});

	/** `count` failed attempts, each as soon as the throttle allows it. */
	async function fail(keys: string[], count: number): Promise<void> {
		for (let i = 0; i < count; i++) {
			const gate = await throttle.begin(keys);
			if (!gate.allowed) {
				clock += gate.retryAfterMs;
				expect(await throttle.begin(keys), `attempt ${i + 1} after its wait`).toEqual({
					allowed: true
				});
			}
		}
	}

	it('per account: 5 failures from 5 addresses are free, the 6th waits 1 s from any address', async () => {
		for (let i = 1; i <= 5; i++) {
			expect(await throttle.begin(signinKeys('alex@example.com', `198.51.100.${i}`))).toEqual({
				allowed: true
			});
		}
		expect(await throttle.begin(signinKeys('ALEX@example.com', '198.51.100.99'))).toEqual({
			allowed: false,
			retryAfterMs: 1_000
		});
		// Another account from a fresh address is untouched.
		expect(await throttle.begin(signinKeys('sam@example.com', '198.51.100.98'))).toEqual({
			allowed: true
		});
	});

	it('per address: 5 failures on 5 accounts are free, the 6th account from that address waits', async () => {
		for (let i = 1; i <= 5; i++) {
			await fail(signinKeys(`user${i}@example.com`, '203.0.113.7'), 1);
		}
		expect(await throttle.begin(signinKeys('user6@example.com', '203.0.113.7'))).toEqual({
			allowed: false,
			retryAfterMs: 1_000
		});
		// The same account from another address is fine: only the address is throttled.
		expect(await throttle.begin(signinKeys('user6@example.com', '203.0.113.8'))).toEqual({
			allowed: true
		});
		// A host hopping through its IPv6 /64 is one address.
		for (let i = 1; i <= 5; i++) {
			await fail(signinKeys(`v6user${i}@example.com`, `2001:db8:1:2::${i}`), 1);
		}
		expect(await throttle.begin(signinKeys('v6user9@example.com', '2001:db8:1:2:ffff::9'))).toEqual(
			{ allowed: false, retryAfterMs: 1_000 }
		);
	});

	it('the wait doubles with each failure after it has passed, up to 15 minutes', async () => {
		const keys = signinKeys('alex@example.com', '203.0.113.7');
		await fail(keys, 5);
		const waits: number[] = [];
		for (let i = 0; i < 12; i++) {
			const gate = await throttle.begin(keys);
			expect(gate.allowed).toBe(false);
			if (gate.allowed) return;
			waits.push(gate.retryAfterMs);
			clock += gate.retryAfterMs;
			expect(await throttle.begin(keys)).toEqual({ allowed: true });
		}
		expect(waits).toEqual([
			1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000, 900_000,
			900_000
		]);
	});

	it('a refused attempt changes nothing: the real user waits no longer than the last failure set', async () => {
		const keys = signinKeys('alex@example.com', '203.0.113.7');
		await fail(keys, 7); // the next attempt waits 4 s
		const before = await db.selectFrom('signin_failures').selectAll().orderBy('key').execute();
		for (let i = 0; i < 50; i++) {
			clock += 50;
			await throttle.begin(keys);
		}
		expect(await db.selectFrom('signin_failures').selectAll().orderBy('key').execute()).toEqual(
			before
		);
		expect(await throttle.begin(keys)).toEqual({ allowed: false, retryAfterMs: 1_500 });
		clock += 1_500;
		expect(await throttle.begin(keys)).toEqual({ allowed: true });
	});

	it('success forgets the account and the address, so the next mistake is free again', async () => {
		const keys = signinKeys('alex@example.com', '203.0.113.7');
		await fail(keys, 5);
		clock += 1_000;
		expect(await throttle.begin(keys)).toEqual({ allowed: true }); // the right password, this time
		await throttle.succeeded(keys);
		await fail(keys, 5);
		expect((await throttle.begin(keys)).allowed).toBe(false);
	});

	it('success on one account does not forgive another account’s failures', async () => {
		const victim = signinKeys('alex@example.com', '203.0.113.7');
		await fail(victim, 5);
		const own = signinKeys('attacker@example.com', '198.51.100.1');
		await fail(own, 1);
		await throttle.succeeded(own);
		expect(await throttle.begin(signinKeys('alex@example.com', '198.51.100.1'))).toEqual({
			allowed: false,
			retryAfterMs: 1_000
		});
	});

	it('a run is forgotten a day after its last failure, and then pruned', async () => {
		const alex = signinKeys('alex@example.com', '203.0.113.7');
		await fail(alex, 6);
		await fail(signinKeys('sam@example.com', '203.0.113.8'), 1);
		clock += DEFAULT_SCHEDULE.forgetAfterMs - 1;
		expect(await throttle.prune()).toBe(0);
		clock += 1;
		expect(await throttle.prune()).toBe(4);
		expect(await throttle.begin(alex)).toEqual({ allowed: true });
		const rows = await db.selectFrom('signin_failures').select(['key', 'failures']).execute();
		expect(rows.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
			{ key: 'account:alex@example.com', failures: 1 },
			{ key: 'address:203.0.113.7', failures: 1 }
		]);
	});

	it('begin prunes old runs by itself, at most every 10 minutes', async () => {
		await fail(signinKeys('old@example.com', '203.0.113.1'), 1);
		clock += DEFAULT_SCHEDULE.forgetAfterMs;
		await fail(signinKeys('new@example.com', '203.0.113.2'), 1);
		const left = await db.selectFrom('signin_failures').select('key').execute();
		expect(left.map((row) => row.key).sort()).toEqual([
			'account:new@example.com',
			'address:203.0.113.2'
		]);
	});

	it('40 parallel guesses on two nodes: exactly the 5 free ones get to check a password', async () => {
		// Two throttles, as two nodes have; on PostgreSQL each with its own connection pool.
		const nodes = [
			createSigninThrottle({ db, now }),
			createSigninThrottle({ db: await store.connect(), now })
		];
		const gates = await Promise.all(
			Array.from({ length: 40 }, (_, i) =>
				nodes[i % 2].begin(signinKeys('alex@example.com', `198.51.100.${i}`))
			)
		);
		expect(gates.filter((gate) => gate.allowed)).toHaveLength(5);
		const row = await db
			.selectFrom('signin_failures')
			.select('failures')
			.where('key', '=', 'account:alex@example.com')
			.executeTakeFirstOrThrow();
		expect(row.failures).toBe(5);
	});

	it('refuses an attempt without keys with a TypeError', async () => {
		await expect(throttle.begin([])).rejects.toThrow(TypeError);
	});
});
