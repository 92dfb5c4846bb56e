/** The demo data: seeded once, consistent with the scoring, and usable to sign in. */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/lib/server/auth';
import { openDatabase, type AppDatabase, type Db } from '../../src/lib/server/db';
import { countNewRecommendations } from '../../src/lib/server/domain/jobs';
import { scoreMatch, RECOMMENDATION_THRESHOLD } from '../../src/lib/server/domain/scoring';
import { demoJobs } from '../../src/lib/server/demo-jobs';
import { DEMO_PASSWORD, seedDemoData } from '../../src/lib/server/seed';
import { ENGINES, createTestStorage, type TestStorage } from '../support/server-harness';

const TABLES = ['users', 'jobs', 'recommendations', 'applications', 'notifications'] as const;

describe.each(ENGINES)('seedDemoData (%s)', (engine) => {
	let storage: TestStorage;
	let database: AppDatabase;
	let db: Db;

	beforeEach(async () => {
		storage = await createTestStorage(engine);
		database = await openDatabase(storage.config);
		db = database.db;
	});
	afterEach(async () => {
		await database.close();
		await storage.remove();
	});

	const seed = () => seedDemoData(db, engine);

	async function rows<T>(query: ReturnType<typeof sql<T>>): Promise<T[]> {
		return (await query.execute(db)).rows;
	}

	async function counts(): Promise<Record<string, number>> {
		const entries = [];
		for (const table of TABLES) {
			const [row] = await rows<{ n: number }>(sql`SELECT COUNT(*) AS n FROM ${sql.table(table)}`);
			entries.push([table, Number(row.n)]);
		}
		return Object.fromEntries(entries);
	}

	async function userId(email: string): Promise<number> {
		const [row] = await rows<{ id: number }>(sql`SELECT id FROM users WHERE email = ${email}`);
		return row.id;
	}

	it('seeds an empty database once, and never a database with users', async () => {
		expect(await seed()).toBe(true);
		const first = await counts();
		expect(first.users).toBe(2);
		expect(first.jobs).toBe(demoJobs().length);
		expect(first.jobs).toBeGreaterThanOrEqual(60);
		expect(await seed()).toBe(false);
		expect(await counts()).toEqual(first);
		const [log] = await rows<{ n: number }>(sql`SELECT COUNT(*) AS n FROM event_log`);
		expect(Number(log.n)).toBe(0);
	});

	it('does not seed beside an existing user', async () => {
		await sql`INSERT INTO users (email, name, password_hash, created_at) VALUES ('x@example.com', 'X', 'h', '2026-01-01T00:00:00.000Z')`.execute(
			db
		);
		expect(await seed()).toBe(false);
		expect(await counts()).toMatchObject({ users: 1, jobs: 0 });
	});

	// Nodes start together only on PostgreSQL; a SQLite file has one server process.
	it.runIf(engine === 'postgres')('seeds once when two nodes start together', async () => {
		const second = await openDatabase(storage.config);
		try {
			const results = await Promise.all([seed(), seedDemoData(second.db, engine)]);
			expect(results.sort()).toEqual([false, true]);
			expect((await counts()).users).toBe(2);
		} finally {
			await second.close();
		}
	});

	it('creates the demo accounts with password123', async () => {
		await seed();
		for (const email of ['alex@example.com', 'sam@example.com']) {
			expect(await authenticate(db, email, DEMO_PASSWORD)).toMatchObject({ email });
			expect(await authenticate(db, email, 'wrong-password')).toBeNull();
		}
		expect(DEMO_PASSWORD).toBe('password123');
	});

	it('gives the users different skills and recommendations that follow the scoring', async () => {
		await seed();
		const skillsOf = async (email: string) => {
			const [row] = await rows<{ skills: string }>(
				sql`SELECT skills FROM users WHERE email = ${email}`
			);
			return JSON.parse(row.skills) as string[];
		};
		expect(await skillsOf('alex@example.com')).toEqual(
			expect.arrayContaining(['typescript', 'svelte'])
		);
		expect(await skillsOf('sam@example.com')).toEqual(expect.arrayContaining(['python', 'ml']));

		const users = await rows<{ id: number; skills: string }>(sql`SELECT id, skills FROM users`);
		const jobs = await rows<{ id: number; skills: string }>(sql`SELECT id, skills FROM jobs`);
		for (const user of users) {
			const expected = jobs
				.map((job) => ({
					job_id: job.id,
					match_score: scoreMatch(JSON.parse(job.skills), JSON.parse(user.skills)).score
				}))
				.filter((rec) => rec.match_score >= RECOMMENDATION_THRESHOLD)
				.sort((a, b) => a.job_id - b.job_id);
			const stored = await rows(
				sql`SELECT job_id, match_score FROM recommendations WHERE user_id = ${user.id} ORDER BY job_id`
			);
			expect(stored).toEqual(expected);
			expect(stored.length).toBeGreaterThanOrEqual(3);
			expect(await countNewRecommendations(db, user.id)).toBeGreaterThan(0);
		}
		const [tech] = await rows<{ n: number }>(
			sql`SELECT COUNT(*) AS n FROM jobs WHERE title = 'Senior Software Engineer' AND company = 'Tech Corp'`
		);
		expect(Number(tech.n)).toBe(1);
	});

	it('gives each user applications in several statuses and notifications in several categories', async () => {
		await seed();
		for (const email of ['alex@example.com', 'sam@example.com']) {
			const id = await userId(email);
			const statuses = await rows(
				sql`SELECT DISTINCT status FROM applications WHERE user_id = ${id}`
			);
			expect(statuses.length).toBeGreaterThanOrEqual(4);
			const categories = await rows(
				sql`SELECT DISTINCT category FROM notifications WHERE user_id = ${id}`
			);
			expect(categories.length).toBeGreaterThanOrEqual(4);
			const read = await rows<{ read: number; n: number }>(
				sql`SELECT read, COUNT(*) AS n FROM notifications WHERE user_id = ${id} GROUP BY read ORDER BY read`
			);
			expect(read).toEqual([
				{ read: 0, n: expect.any(Number) },
				{ read: 1, n: expect.any(Number) }
			]);
		}
	});
});
