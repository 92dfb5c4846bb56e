/** The demo data: seeded once, consistent with the scoring, and usable to sign in. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/lib/server/auth';
import { openDatabase } from '../../src/lib/server/db';
import { countNewRecommendations } from '../../src/lib/server/domain/jobs';
import { scoreMatch, RECOMMENDATION_THRESHOLD } from '../../src/lib/server/domain/scoring';
import { DEMO_PASSWORD, seedDemoData } from '../../src/lib/server/seed';

let dir: string;
let db: Database.Database;

beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'cc-seed-'));
	db = openDatabase(join(dir, 'app.db'));
});
afterEach(() => {
	db.close();
	rmSync(dir, { recursive: true, force: true });
});

const TABLES = ['users', 'jobs', 'recommendations', 'applications', 'notifications'] as const;

function counts(): Record<string, number> {
	return Object.fromEntries(
		TABLES.map((table) => [
			table,
			db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number
		])
	);
}

function userId(email: string): number {
	return db.prepare('SELECT id FROM users WHERE email = ?').pluck().get(email) as number;
}

describe('seedDemoData', () => {
	it('seeds an empty database once, and never a database with users', () => {
		expect(seedDemoData(db)).toBe(true);
		const first = counts();
		expect(first.users).toBe(2);
		expect(first.jobs).toBe(12);
		expect(seedDemoData(db)).toBe(false);
		expect(counts()).toEqual(first);
		expect(db.prepare('SELECT COUNT(*) FROM event_log').pluck().get()).toBe(0);
	});

	it('does not seed beside an existing user', () => {
		db.prepare(
			"INSERT INTO users (email, name, password_hash, created_at) VALUES ('x@example.com', 'X', 'h', '2026-01-01T00:00:00.000Z')"
		).run();
		expect(seedDemoData(db)).toBe(false);
		expect(counts()).toMatchObject({ users: 1, jobs: 0 });
	});

	it('creates the demo accounts with password123', async () => {
		seedDemoData(db);
		for (const email of ['alex@example.com', 'sam@example.com']) {
			expect(await authenticate(db, email, DEMO_PASSWORD)).toMatchObject({ email });
			expect(await authenticate(db, email, 'wrong-password')).toBeNull();
		}
		expect(DEMO_PASSWORD).toBe('password123');
	});

	it('gives the users different skills and recommendations that follow the scoring', () => {
		seedDemoData(db);
		const skillsOf = (email: string) =>
			JSON.parse(
				db.prepare('SELECT skills FROM users WHERE email = ?').pluck().get(email) as string
			) as string[];
		expect(skillsOf('alex@example.com')).toEqual(expect.arrayContaining(['typescript', 'svelte']));
		expect(skillsOf('sam@example.com')).toEqual(expect.arrayContaining(['python', 'ml']));

		const users = db.prepare('SELECT id, skills FROM users').all() as {
			id: number;
			skills: string;
		}[];
		const jobs = db.prepare('SELECT id, skills FROM jobs').all() as {
			id: number;
			skills: string;
		}[];
		for (const user of users) {
			const expected = jobs
				.map((job) => ({
					job_id: job.id,
					match_score: scoreMatch(JSON.parse(job.skills), JSON.parse(user.skills)).score
				}))
				.filter((rec) => rec.match_score >= RECOMMENDATION_THRESHOLD);
			const stored = db
				.prepare(
					'SELECT job_id, match_score FROM recommendations WHERE user_id = ? ORDER BY job_id'
				)
				.all(user.id);
			expect(stored).toEqual(expected);
			expect(stored.length).toBeGreaterThanOrEqual(3);
			expect(countNewRecommendations(db, user.id)).toBeGreaterThan(0);
		}
		expect(
			db
				.prepare(
					"SELECT COUNT(*) FROM jobs WHERE title = 'Senior Software Engineer' AND company = 'Tech Corp'"
				)
				.pluck()
				.get()
		).toBe(1);
	});

	it('gives each user applications in several statuses and notifications in several categories', () => {
		seedDemoData(db);
		for (const email of ['alex@example.com', 'sam@example.com']) {
			const id = userId(email);
			const statuses = db
				.prepare('SELECT DISTINCT status FROM applications WHERE user_id = ?')
				.pluck()
				.all(id);
			expect(statuses.length).toBeGreaterThanOrEqual(4);
			const categories = db
				.prepare('SELECT DISTINCT category FROM notifications WHERE user_id = ?')
				.pluck()
				.all(id);
			expect(categories.length).toBeGreaterThanOrEqual(4);
			const read = db
				.prepare('SELECT read, COUNT(*) AS n FROM notifications WHERE user_id = ? GROUP BY read')
				.all(id);
			expect(read).toEqual([
				{ read: 0, n: expect.any(Number) },
				{ read: 1, n: expect.any(Number) }
			]);
		}
	});
});
