/**
 * Issue 13's server side on both engines (SQLite, and PostgreSQL from TEST_DATABASE_URL or the
 * run's private cluster), against the real migrated and seeded database and the real outbox:
 * re-scoring when skills change (exactly one `job:recommendation` per newly matching job, none on
 * removal), the job search (the SQL score is scoreMatch's, the filters, sorting and paging), Save
 * and Apply (one application per job, one event per move), and migration 0011's backfill.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type AppDatabase, type DatabaseConfig } from '../../src/lib/server/db';
import { migrationsFor } from '../../src/lib/server/db/migrations';
import { EventStore } from '../../src/lib/server/outbox/event-store';
import { seedDemoData } from '../../src/lib/server/seed';
import { actOnJob } from '../../src/lib/server/domain/job-applications';
import { getJobForUser, listJobSkills, searchJobs } from '../../src/lib/server/domain/job-search';
import { getProfile, updateProfile } from '../../src/lib/server/domain/profile';
import { matchJob, postJob } from '../../src/lib/server/domain/jobs';
import { scoreMatch } from '../../src/lib/server/domain/scoring';
import { DEFAULT_JOB_SEARCH, type JobSearch } from '../../src/lib/job-search';
import { testDatabase, type TestDatabase } from '../support/postgres-vitest';

interface EngineSetup {
	name: 'sqlite' | 'postgres';
	config(): Promise<{ config: DatabaseConfig; cleanup(): Promise<void> }>;
}

const ENGINES: EngineSetup[] = [
	{
		name: 'sqlite',
		config: async () => {
			const dir = mkdtempSync(join(tmpdir(), 'cc-jobs-'));
			return {
				config: { engine: 'sqlite', path: join(dir, 'app.db') },
				cleanup: async () => rmSync(dir, { recursive: true, force: true })
			};
		}
	},
	{
		name: 'postgres',
		config: async () => {
			const database: TestDatabase = await testDatabase();
			return { config: { engine: 'postgres', url: database.url }, cleanup: () => database.drop() };
		}
	}
];

describe.each(ENGINES)('$name', (setup) => {
	let app: AppDatabase;
	let store: EventStore;
	let cleanup: () => Promise<void>;
	let alex: number;
	let sam: number;

	beforeAll(async () => {
		const prepared = await setup.config();
		cleanup = prepared.cleanup;
		app = await openDatabase(prepared.config);
		await seedDemoData(app.db, app.engine);
		store = new EventStore({ db: app.db, engine: app.engine });
		const users = await app.db.selectFrom('users').select(['id', 'email']).execute();
		alex = Number(users.find((u) => u.email === 'alex@example.com')!.id);
		sam = Number(users.find((u) => u.email === 'sam@example.com')!.id);
	});
	afterAll(async () => {
		await app?.close();
		await cleanup?.();
	});

	/** The events logged for a user after `seq`, oldest first. */
	async function eventsAfter(userId: number, seq: number) {
		const rows = await app.db
			.selectFrom('event_log')
			.select(['seq', 'type', 'data'])
			.where('user_id', '=', userId)
			.where('seq', '>', seq)
			.orderBy('seq')
			.execute();
		return rows.map((row) => ({ type: row.type, data: JSON.parse(row.data) }));
	}

	async function latestSeq(userId: number): Promise<number> {
		return store.latestSeq(app.db, userId);
	}

	async function allJobs() {
		const rows = await app.db.selectFrom('jobs').select(['id', 'skills']).orderBy('id').execute();
		return rows.map((row) => ({ id: Number(row.id), skills: JSON.parse(row.skills) as string[] }));
	}

	describe('re-scoring when skills change', () => {
		it('a skill added makes jobs match: exactly one job:recommendation (and its notification) per newly matching job', async () => {
			const before = await getProfile(app.db, alex);
			const added = [...before.skills, 'kotlin', 'android'];
			const jobs = await allJobs();
			const expected = jobs
				.filter((job) => matchJob(job, added) && !matchJob(job, before.skills))
				.map((job) => job.id);
			expect(expected.length).toBeGreaterThan(0);
			const seq = await latestSeq(alex);
			const samSeq = await latestSeq(sam);

			const update = await updateProfile(store, alex, { ...before, skills: added });

			expect(update.newMatches.map((match) => match.jobId).sort((a, b) => a - b)).toEqual(expected);
			const events = await eventsAfter(alex, seq);
			const recommendations = events.filter((event) => event.type === 'job:recommendation');
			expect(recommendations.map((event) => event.data.job.id).sort((a, b) => a - b)).toEqual(
				expected
			);
			for (const event of recommendations) {
				expect(event.data.match_score).toBeGreaterThanOrEqual(60);
				expect(event.data.reason).toMatch(/kotlin|android/);
			}
			const alerts = events.filter(
				(event) => event.type === 'notification:new' && event.data.category === 'job_alert'
			);
			expect(alerts.map((event) => event.data.metadata.job_id).sort((a, b) => a - b)).toEqual(
				expected
			);
			expect(events).toHaveLength(2 * expected.length);
			// Stored as new recommendations (the Jobs badge counts them), for Alex only.
			const stored = await app.db
				.selectFrom('recommendations')
				.select(['job_id', 'seen'])
				.where('user_id', '=', alex)
				.where('job_id', 'in', expected)
				.execute();
			expect(stored).toHaveLength(expected.length);
			expect(stored.every((row) => Number(row.seen) === 0)).toBe(true);
			expect(await eventsAfter(sam, samSeq)).toEqual([]);

			// Saving the same skills again announces nothing.
			const again = await latestSeq(alex);
			expect((await updateProfile(store, alex, { ...before, skills: added })).newMatches).toEqual(
				[]
			);
			expect(await eventsAfter(alex, again)).toEqual([]);
		});

		it('removing the skills emits nothing and drops the recommendations that no longer match', async () => {
			const before = await getProfile(app.db, alex);
			expect(before.skills).toContain('kotlin');
			const removed = before.skills.filter((skill) => skill !== 'kotlin' && skill !== 'android');
			const seq = await latestSeq(alex);

			const update = await updateProfile(store, alex, { ...before, skills: removed });

			expect(update.newMatches).toEqual([]);
			expect(await eventsAfter(alex, seq)).toEqual([]);
			const recommended = await app.db
				.selectFrom('recommendations')
				.select(['job_id', 'match_score'])
				.where('user_id', '=', alex)
				.execute();
			const byId = new Map((await allJobs()).map((job) => [job.id, job]));
			for (const row of recommended) {
				const job = byId.get(Number(row.job_id))!;
				expect(matchJob(job, removed)?.match_score).toBe(row.match_score);
			}
			expect(await getProfile(app.db, alex)).toMatchObject({ skills: removed });
		});

		it('the profile fields are stored with the skills, in one transaction that rolls back whole', async () => {
			const before = await getProfile(app.db, sam);
			await updateProfile(store, sam, {
				...before,
				headline: 'Data person',
				location: 'Lisbon',
				remote_preference: 'hybrid',
				portfolio_url: 'https://sam.example.com/'
			});
			expect(await getProfile(app.db, sam)).toMatchObject({
				headline: 'Data person',
				location: 'Lisbon',
				remote_preference: 'hybrid',
				portfolio_url: 'https://sam.example.com/'
			});
			// A value the database refuses (a CHECK) rolls back the skills and the re-scoring too.
			const seq = await latestSeq(sam);
			await expect(
				updateProfile(store, sam, {
					...before,
					skills: [...before.skills, 'kotlin', 'android'],
					remote_preference: 'moon' as never
				})
			).rejects.toThrow();
			expect((await getProfile(app.db, sam)).skills).toEqual(before.skills);
			expect(await eventsAfter(sam, seq)).toEqual([]);
		});
	});

	describe('job search', () => {
		const search = (patch: Partial<JobSearch>, pageSize = 1000) =>
			searchJobs(app.db, alex, { ...DEFAULT_JOB_SEARCH, ...patch }, pageSize);

		it('computes the same score as scoreMatch for every job and user', async () => {
			const jobs = await allJobs();
			for (const userId of [alex, sam]) {
				const { skills } = await getProfile(app.db, userId);
				const { jobs: results, total } = await searchJobs(app.db, userId, DEFAULT_JOB_SEARCH, 1000);
				expect(total).toBe(jobs.length);
				expect(jobs.length).toBeGreaterThanOrEqual(60);
				for (const result of results) {
					expect(result.match_score, `job ${result.id}`).toBe(
						scoreMatch(result.skills, skills).score
					);
				}
			}
		});

		it('finds text in the title, company or skills; every word must match; LIKE wildcards are literal', async () => {
			const all = (await search({})).jobs;
			const has = (job: (typeof all)[number], word: string) =>
				[job.title, job.company, ...job.skills].some((text) => text.toLowerCase().includes(word));
			for (const q of ['svelte', 'Meridian', 'data engineer', 'KOTLIN graphql']) {
				const words = q.toLowerCase().split(' ');
				const expected = all.filter((job) => words.every((word) => has(job, word)));
				expect(expected.length, q).toBeGreaterThan(0);
				expect(
					(await search({ q })).jobs.map((job) => job.id),
					q
				).toEqual(expected.map((job) => job.id));
			}
			expect((await search({ q: '%' })).total).toBe(0);
			expect((await search({ q: '_' })).total).toBe(0);
		});

		it('filters by skill, location, work mode and minimum match, together', async () => {
			const all = (await search({})).jobs;
			const filtered = await search({ skill: 'kubernetes', remote: 'remote', minMatch: 0 });
			expect(filtered.jobs.map((job) => job.id)).toEqual(
				all
					.filter((job) => job.skills.includes('kubernetes') && job.work_mode === 'remote')
					.map((job) => job.id)
			);
			expect(filtered.total).toBeGreaterThan(0);
			const london = await search({ location: 'london' });
			expect(london.total).toBeGreaterThan(0);
			expect(london.jobs.every((job) => job.location.toLowerCase().includes('london'))).toBe(true);
			const good = await search({ minMatch: 75 });
			expect(good.jobs.map((job) => job.id)).toEqual(
				all.filter((job) => job.match_score >= 75).map((job) => job.id)
			);
			expect((await listJobSkills(app.db)).length).toBeGreaterThan(40);
		});

		it('sorts by match then date, and pages through the same order', async () => {
			const all = (await search({ sort: 'match' })).jobs;
			for (let i = 1; i < all.length; i++) {
				const [a, b] = [all[i - 1], all[i]];
				expect(a.match_score >= b.match_score).toBe(true);
				if (a.match_score === b.match_score) expect(a.created_at >= b.created_at).toBe(true);
			}
			const byDate = (await search({})).jobs;
			for (let i = 1; i < byDate.length; i++) {
				expect(byDate[i - 1].created_at >= byDate[i].created_at).toBe(true);
			}
			const pages = [];
			const first = await search({ sort: 'match', page: 1 }, 12);
			expect(first.pageCount).toBe(Math.ceil(all.length / 12));
			for (let page = 1; page <= first.pageCount; page++) {
				pages.push(...(await search({ sort: 'match', page }, 12)).jobs);
			}
			expect(pages.map((job) => job.id)).toEqual(all.map((job) => job.id));
			expect((await search({ page: first.pageCount + 1 }, 12)).jobs).toEqual([]);
		});

		it('a posted job gets its skills and work mode, so search finds it', async () => {
			const { job } = await postJob(store, {
				title: 'Zig Compiler Engineer',
				company: 'Quokka Systems',
				location: 'Remote (EU)',
				skills: ['Zig', 'LLVM']
			});
			const found = await search({ skill: 'zig' });
			expect(found.jobs.map((result) => result.id)).toEqual([job.id]);
			expect(found.jobs[0].work_mode).toBe('remote');
		});

		it('matches letters beyond ASCII in any case, as the user types them', async () => {
			const { job } = await postJob(store, {
				title: 'ÄRZTLICHE Softwareentwicklerin',
				company: 'Études Øresund',
				location: 'ZÜRICH, Schweiz',
				skills: ['Élixir']
			});
			for (const patch of [
				{ q: 'ärztliche' },
				{ q: 'ÉTUDES øresund' },
				{ q: 'élixir' },
				{ location: 'zürich' },
				{ q: 'Ärztliche', location: 'Zürich' }
			]) {
				expect(
					(await search(patch)).jobs.map((result) => result.id),
					JSON.stringify(patch)
				).toEqual([job.id]);
			}
		});

		it('a job page has its match detail; an unknown job is undefined', async () => {
			const [frontend] = (await search({ q: 'Brightline' })).jobs;
			const detail = await getJobForUser(app.db, alex, frontend.id);
			expect(detail?.match).toMatchObject({
				score: frontend.match_score,
				recommended: frontend.match_score >= 60
			});
			expect(detail!.match.matched.length + detail!.match.missing.length).toBe(
				frontend.skills.length
			);
			expect(await getJobForUser(app.db, alex, 987_654)).toBeUndefined();
		});
	});

	describe('Save and Apply', () => {
		async function freshJob(title: string): Promise<number> {
			const { job } = await postJob(store, {
				title,
				company: 'Save Apply Co',
				location: 'Remote',
				skills: ['cobol']
			});
			return job.id;
		}

		it('Save creates a saved application, Apply moves it, each once, with old_status null on creation', async () => {
			const jobId = await freshJob('Save then apply');
			const seq = await latestSeq(alex);
			const saved = await actOnJob(store, alex, jobId, 'save');
			expect(saved).toMatchObject({ changed: true, old_status: null });
			expect(saved.application).toMatchObject({ job_id: jobId, status: 'saved' });
			expect((await actOnJob(store, alex, jobId, 'save')).changed).toBe(false);
			const applied = await actOnJob(store, alex, jobId, 'apply');
			expect(applied).toMatchObject({ changed: true, old_status: 'saved' });
			expect(applied.application.id).toBe(saved.application.id);
			expect((await actOnJob(store, alex, jobId, 'apply')).changed).toBe(false);
			expect((await actOnJob(store, alex, jobId, 'save')).changed).toBe(false);

			const events = await eventsAfter(alex, seq);
			expect(
				events.map((event) => [event.type, event.data.old_status, event.data.new_status])
			).toEqual([
				['application:status_change', null, 'saved'],
				['application:status_change', 'saved', 'applied']
			]);
			expect(events[0].data).toMatchObject({
				application_id: saved.application.id,
				job_title: 'Save then apply',
				company: 'Save Apply Co'
			});
		});

		it('Apply creates an applied application; a withdrawn one can apply again', async () => {
			const jobId = await freshJob('Apply directly');
			const applied = await actOnJob(store, alex, jobId, 'apply');
			expect(applied).toMatchObject({ changed: true, old_status: null });
			expect(applied.application.status).toBe('applied');
			await app.db
				.updateTable('applications')
				.set({ status: 'withdrawn' })
				.where('id', '=', applied.application.id)
				.execute();
			expect(await actOnJob(store, alex, jobId, 'apply')).toMatchObject({
				changed: true,
				old_status: 'withdrawn'
			});
		});

		it('many Saves at once make one application and one event', async () => {
			const jobId = await freshJob('Double submit');
			const seq = await latestSeq(alex);
			const results = await Promise.all(
				Array.from({ length: 6 }, () => actOnJob(store, alex, jobId, 'save'))
			);
			expect(results.filter((result) => result.changed)).toHaveLength(1);
			const rows = await app.db
				.selectFrom('applications')
				.select('id')
				.where('user_id', '=', alex)
				.where('job_id', '=', jobId)
				.execute();
			expect(rows).toHaveLength(1);
			expect(await eventsAfter(alex, seq)).toHaveLength(1);
		});

		it('an unknown job is a 404 and changes nothing', async () => {
			const seq = await latestSeq(alex);
			await expect(actOnJob(store, alex, 987_654, 'save')).rejects.toMatchObject({ status: 404 });
			expect(await eventsAfter(alex, seq)).toEqual([]);
		});
	});

	/**
	 * A database of its own with every migration before `number` applied, that migration's `up`,
	 * and a bare Kysely on it (no app code: rows are written as an older version wrote them).
	 */
	async function beforeMigration(number: string) {
		const prepared = await setup.config();
		const { Kysely, SqliteDialect, PostgresDialect } = await import('kysely');
		const db =
			prepared.config.engine === 'sqlite'
				? new Kysely<never>({
						dialect: new SqliteDialect({
							database: new (await import('better-sqlite3')).default(prepared.config.path)
						})
					})
				: new Kysely<never>({
						dialect: new PostgresDialect({
							pool: new (await import('pg')).default.Pool({ connectionString: prepared.config.url })
						})
					});
		const migrations = migrationsFor(setup.name);
		const names = Object.keys(migrations).sort();
		const ours = names.find((name) => name.startsWith(number))!;
		for (const name of names.filter((name) => name < ours)) await migrations[name].up(db);
		return {
			db,
			up: () => migrations[ours].up(db),
			async close() {
				await db.destroy();
				await prepared.cleanup();
			}
		};
	}

	it('migration 0011 gives existing jobs their skills and work mode, and keeps one application per job', async () => {
		const { db, up, close } = await beforeMigration('0011');
		try {
			const { sql } = await import('kysely');
			await sql`insert into users (email, name, password_hash, created_at)
				values ('m@example.com', 'M', 'x', '2026-01-01T00:00:00Z')`.execute(db);
			await sql`insert into jobs (title, company, location, description, skills, created_at) values
				('A', 'C', 'Remote (EU)', '', '["Go", " go ", "SQL"]', '2026-01-01T00:00:00Z'),
				('B', 'C', 'Berlin (hybrid)', '', 'not json', '2026-01-01T00:00:00Z'),
				('D', 'C', 'Austin, TX', '', '[]', '2026-01-01T00:00:00Z')`.execute(db);
			await sql`insert into applications (user_id, job_id, status, created_at, updated_at)
				select u.id, j.id, 'saved', '2026-01-01', '2026-01-01' from users u, jobs j where j.title = 'A'`.execute(
				db
			);
			await sql`insert into applications (user_id, job_id, status, created_at, updated_at)
				select u.id, j.id, 'applied', '2026-01-01', '2026-01-02' from users u, jobs j where j.title = 'A'`.execute(
				db
			);
			await up();

			const skills = await sql<{ title: string; skill: string }>`select j.title, s.skill
				from job_skills s join jobs j on j.id = s.job_id order by j.title, s.skill`.execute(db);
			expect(skills.rows).toEqual([
				{ title: 'A', skill: 'go' },
				{ title: 'A', skill: 'sql' }
			]);
			const modes = await sql<{ title: string; work_mode: string }>`select title, work_mode
				from jobs order by title`.execute(db);
			expect(modes.rows).toEqual([
				{ title: 'A', work_mode: 'remote' },
				{ title: 'B', work_mode: 'hybrid' },
				{ title: 'D', work_mode: 'onsite' }
			]);
			const applications = await sql<{ status: string }>`select status from applications`.execute(
				db
			);
			expect(applications.rows).toEqual([{ status: 'applied' }]);
			await expect(
				sql`insert into applications (user_id, job_id, status, created_at, updated_at)
					select u.id, j.id, 'saved', '2026-01-03', '2026-01-03' from users u, jobs j where j.title = 'A'`.execute(
					db
				)
			).rejects.toThrow();
		} finally {
			await close();
		}
	});

	it('migration 0012 folds the title, company and location of existing jobs for search', async () => {
		const { db, up, close } = await beforeMigration('0012');
		try {
			const { sql } = await import('kysely');
			await sql`insert into jobs (title, company, location, description, skills, created_at) values
				('ÄRZTIN', 'Øresund AB', 'ZÜRICH', '', '[]', '2026-01-01T00:00:00Z'),
				('Go Developer', 'ACME', 'Remote (EU)', '', '[]', '2026-01-01T00:00:00Z')`.execute(db);
			await up();
			const folded = await sql<Record<string, string>>`select title_folded, company_folded,
				location_folded from jobs order by id`.execute(db);
			expect(folded.rows).toEqual([
				{ title_folded: 'ärztin', company_folded: 'øresund ab', location_folded: 'zürich' },
				{ title_folded: 'go developer', company_folded: 'acme', location_folded: 'remote (eu)' }
			]);
		} finally {
			await close();
		}
	});
});
