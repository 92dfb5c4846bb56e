/**
 * Domain events end to end, on both engines: the domain functions write to a real database
 * through the outbox and the real hub sends from the log, and real `ws` clients of each user
 * receive (or do not receive) the frames.
 */
import { DEFAULT_JOB_SEARCH } from '../../src/lib/job-search';
import { searchJobs } from '../../src/lib/server/domain/job-search';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/lib/server/db';
import type { EventStore } from '../../src/lib/server/outbox/event-store';
import { parseServerFrame, type EventFrame } from '../../machines/protocol';
import { coreEventSchemas, type Notification } from '../../src/lib/protocol';
import {
	countByStatus,
	listApplications,
	setApplicationStatus
} from '../../src/lib/server/domain/applications';
import { DomainError } from '../../src/lib/server/domain/errors';
import {
	countNewRecommendations,
	markRecommendationsSeen,
	postJob,
	recentRecommendations
} from '../../src/lib/server/domain/jobs';
import {
	createNotification,
	listNotifications,
	markAllRead,
	markRead,
	unreadCount
} from '../../src/lib/server/domain/notifications';
import {
	simulateApplicationMove,
	simulateJob,
	simulateNotification
} from '../../src/lib/server/domain/simulate';
import {
	ENGINES,
	startRealtimeTestServer,
	type RealtimeTestServer
} from '../support/server-harness';
import { connectReady, type Frame, type TestClient } from '../support/server-client';

describe.each(ENGINES)('domain events (%s)', (engine) => {
	let server: RealtimeTestServer;
	let db: Db;
	let store: EventStore;

	beforeAll(async () => {
		server = await startRealtimeTestServer({ engine });
		db = server.db;
		store = server.store;
	});
	afterAll(() => server.close());

	interface Person {
		id: number;
		client: TestClient;
	}

	async function userWithSkills(name: string, skills: string[]): Promise<number> {
		const id = await server.createUser(name);
		await db
			.updateTable('users')
			.set({ skills: JSON.stringify(skills) })
			.where('id', '=', id)
			.execute();
		return id;
	}

	async function connect(id: number): Promise<Person> {
		const { client } = await connectReady(server.url, {
			token: await server.makeToken(id),
			origin: server.origin
		});
		return { id, client };
	}

	/** The frame validated the way the real client validates it; fails the test otherwise. */
	function asCoreEvent(frame: Frame): EventFrame {
		if (!Object.hasOwn(coreEventSchemas, frame.type))
			throw new Error(`not an event: ${frame.type}`);
		const parsed = parseServerFrame(JSON.stringify(frame), coreEventSchemas);
		if (!parsed.ok) throw new Error(`${frame.type} frame rejected: ${parsed.detail}`);
		return parsed.frame as EventFrame;
	}

	/**
	 * Every event the person receives up to a marker notification sent now. Frames on one socket
	 * arrive in order, so this proves what did and did not arrive without waiting for a timeout.
	 */
	async function eventsUntilMarker(person: Person): Promise<EventFrame[]> {
		const marker = await createNotification(store, person.id, {
			category: 'system',
			title: 'marker',
			description: ''
		});
		const events: EventFrame[] = [];
		for (;;) {
			const frame = asCoreEvent(await person.client.next());
			if ((frame.data as Notification).id === marker.id) return events;
			events.push(frame);
		}
	}

	/**
	 * Run `work` and return the event signals it caused, each with whether its log row could be read
	 * (through another query, on PostgreSQL another connection) when the signal came: delivery after
	 * the commit means it always could.
	 */
	async function signalsOf(
		work: () => Promise<unknown>
	): Promise<{ userId: number; seq: number; committed: boolean }[]> {
		const reads: Promise<{ userId: number; seq: number; committed: boolean }>[] = [];
		// On PostgreSQL a commit is announced twice, in-process and by NOTIFY; count each seq once.
		const seen = new Set<string>();
		const off = store.subscribe((signal) => {
			if (signal.kind !== 'events' || seen.has(`${signal.userId}:${signal.seq}`)) return;
			const { userId, seq } = signal;
			seen.add(`${userId}:${seq}`);
			reads.push(
				db
					.selectFrom('event_log')
					.select('seq')
					.where('user_id', '=', userId)
					.where('seq', '=', seq)
					.executeTakeFirst()
					.then((row) => ({ userId, seq, committed: row !== undefined }))
			);
		});
		try {
			await work();
		} finally {
			off();
		}
		return Promise.all(reads);
	}

	async function addApplication(userId: number, jobId: number, status: string): Promise<number> {
		const now = new Date().toISOString();
		const row = await db
			.insertInto('applications')
			.values({ user_id: userId, job_id: jobId, status, created_at: now, updated_at: now })
			.returning('id')
			.executeTakeFirstOrThrow();
		return row.id;
	}

	async function expectDomainError(
		run: () => Promise<unknown>,
		status: 400 | 404,
		message: RegExp
	): Promise<void> {
		try {
			await run();
		} catch (error) {
			expect(error).toBeInstanceOf(DomainError);
			expect((error as DomainError).status).toBe(status);
			expect((error as DomainError).message).toMatch(message);
			return;
		}
		throw new Error('expected a DomainError');
	}

	describe('domain functions', () => {
		let alex: Person;
		let sam: Person;
		let casey: Person;

		beforeEach(async () => {
			alex = await connect(await userWithSkills('alex', ['typescript', 'svelte', 'node', 'sql']));
			sam = await connect(await userWithSkills('sam', ['python', 'ml', 'sql']));
			casey = await connect(await userWithSkills('casey', ['typescript', 'svelte', 'go']));
		});
		afterEach(() => {
			for (const person of [alex, sam, casey]) person.client.close();
		});

		describe('postJob', () => {
			it('recommends to users at or above 60 only, with a job alert each, after the commit', async () => {
				// alex has 4 of 5 (80), casey 2 of 5 (40), sam 1 of 5 (20).
				let posted: Awaited<ReturnType<typeof postJob>> | undefined;
				const signals = await signalsOf(async () => {
					posted = await postJob(store, {
						title: 'Senior Software Engineer',
						company: 'Tech Corp',
						skills: ['TypeScript', 'svelte', 'node', 'sql', 'websockets'],
						url: 'https://jobs.example.com/1'
					});
				});
				const { job, matches } = posted!;
				expect(matches.map((m) => [m.userId, m.match_score])).toEqual([[alex.id, 80]]);
				expect(signals.map(({ userId, committed }) => ({ userId, committed }))).toEqual([
					{ userId: alex.id, committed: true },
					{ userId: alex.id, committed: true }
				]);

				const [recommendation, alert] = await eventsUntilMarker(alex);
				expect(recommendation.type).toBe('job:recommendation');
				expect(recommendation.data).toMatchObject({
					job: { id: job.id, title: 'Senior Software Engineer', company: 'Tech Corp' },
					match_score: 80,
					reason: 'Matches 4 of 5 skills: typescript, svelte, node, sql; missing websockets.'
				});
				expect(alert.type).toBe('notification:new');
				expect(alert.data).toMatchObject({
					category: 'job_alert',
					title: 'New match: Senior Software Engineer at Tech Corp',
					actionUrl: '/jobs',
					metadata: { job_id: job.id, match_score: 80 }
				});
				expect(await eventsUntilMarker(casey)).toEqual([]);
				expect(await eventsUntilMarker(sam)).toEqual([]);

				const stored = await db
					.selectFrom('recommendations')
					.select(['user_id', 'match_score', 'seen'])
					.where('job_id', '=', job.id)
					.execute();
				expect(stored).toEqual([{ user_id: alex.id, match_score: 80, seen: 0 }]);
			});

			it('puts the threshold between 2 and 3 of 5 skills', async () => {
				const { matches } = await postJob(store, {
					title: 'Frontend Engineer',
					company: 'Brightline',
					skills: ['typescript', 'svelte', 'go', 'x', 'y']
				});
				const scores = new Map(matches.map((m) => [m.userId, m.match_score]));
				expect(scores.get(casey.id)).toBe(60);
				expect(scores.get(alex.id)).toBeUndefined();
			});

			it('refuses invalid input without writing anything', async () => {
				const jobs = async () =>
					Number(
						(
							await db
								.selectFrom('jobs')
								.select((eb) => eb.fn.countAll<number>().as('n'))
								.executeTakeFirstOrThrow()
						).n
					);
				const before = await jobs();
				await expectDomainError(
					() => postJob(store, { title: ' ', company: 'X', skills: ['a'] }),
					400,
					/^Title is required$/
				);
				await expectDomainError(
					() => postJob(store, { title: 'T', company: 'X', skills: [' '] }),
					400,
					/^List at least one skill$/
				);
				await expectDomainError(
					() =>
						postJob(store, { title: 'T', company: 'X', skills: ['a'], url: 'javascript:alert(1)' }),
					400,
					/^URL must/
				);
				expect(await jobs()).toBe(before);
			});

			it('lists jobs with the match, new until the Jobs page marks them seen', async () => {
				const jobsFor = async (userId: number) =>
					(await searchJobs(db, userId, DEFAULT_JOB_SEARCH, 1000)).jobs;
				const { job } = await postJob(store, {
					title: 'Svelte Developer',
					company: 'Pinecone',
					skills: ['svelte', 'typescript']
				});
				expect(await countNewRecommendations(db, casey.id)).toBe(1);
				const listed = (await jobsFor(casey.id)).find((item) => item.id === job.id);
				expect(listed).toMatchObject({
					match_score: 100,
					is_new: true,
					skills: ['svelte', 'typescript']
				});
				expect((await jobsFor(sam.id)).find((item) => item.id === job.id)).toMatchObject({
					match_score: 0,
					is_new: false
				});
				expect((await recentRecommendations(db, casey.id, 5))[0]).toMatchObject({
					id: job.id,
					seen: false
				});

				expect(await markRecommendationsSeen(db, casey.id)).toBe(1);
				expect(await countNewRecommendations(db, casey.id)).toBe(0);
				expect((await jobsFor(casey.id)).find((item) => item.id === job.id)?.is_new).toBe(false);
				expect((await recentRecommendations(db, casey.id, 5))[0].seen).toBe(true);
			});
		});

		describe('setApplicationStatus', () => {
			let jobId: number;
			beforeEach(async () => {
				const posted = await postJob(store, {
					title: 'Software Engineer',
					company: 'Tech Corp',
					skills: ['cobol']
				});
				jobId = posted.job.id;
			});

			it('sends the change and an application notification to the owner, after the commit', async () => {
				const id = await addApplication(alex.id, jobId, 'applied');
				const second = await connect(alex.id);

				let change: Awaited<ReturnType<typeof setApplicationStatus>> | undefined;
				const signals = await signalsOf(async () => {
					change = await setApplicationStatus(store, alex.id, id, 'interview');
				});
				expect(change).toMatchObject({ changed: true, old_status: 'applied' });
				expect(signals.map((signal) => signal.committed)).toEqual([true, true]);

				for (const socket of [alex, { ...alex, client: second.client }]) {
					const [statusChange, notification] = await eventsUntilMarker(socket);
					expect(statusChange.type).toBe('application:status_change');
					expect(statusChange.data).toMatchObject({
						application_id: id,
						old_status: 'applied',
						new_status: 'interview',
						job_title: 'Software Engineer',
						company: 'Tech Corp',
						application: { id, status: 'interview' }
					});
					expect(notification.data).toMatchObject({
						category: 'application',
						title: 'Software Engineer at Tech Corp → Interview',
						description: 'Your application moved from Applied to Interview.',
						actionUrl: '/applications'
					});
				}
				second.client.close();
				expect(await eventsUntilMarker(sam)).toEqual([]);
				expect((await listApplications(db, alex.id)).find((a) => a.id === id)?.status).toBe(
					'interview'
				);
				expect((await listNotifications(db, alex.id, { category: 'application' }))[0].title).toBe(
					'Software Engineer at Tech Corp → Interview'
				);
			});

			it('refuses an unknown status, a foreign or missing application, and sends nothing', async () => {
				const own = await addApplication(alex.id, jobId, 'applied');
				const foreign = await addApplication(sam.id, jobId, 'screening');

				await expectDomainError(
					() => setApplicationStatus(store, alex.id, own, 'hired'),
					400,
					/Unknown status "hired"/
				);
				await expectDomainError(
					() => setApplicationStatus(store, alex.id, foreign, 'offer'),
					404,
					/not found/
				);
				await expectDomainError(
					() => setApplicationStatus(store, alex.id, 999_999, 'offer'),
					404,
					/not found/
				);

				expect(await eventsUntilMarker(alex)).toEqual([]);
				expect(await eventsUntilMarker(sam)).toEqual([]);
				const statuses = await db
					.selectFrom('applications')
					.select('status')
					.where('id', 'in', [own, foreign])
					.orderBy('id')
					.execute();
				expect(statuses.map((row) => row.status)).toEqual(['applied', 'screening']);
			});

			it('changes and sends nothing when the status is already set', async () => {
				const id = await addApplication(alex.id, jobId, 'offer');
				expect((await setApplicationStatus(store, alex.id, id, 'offer')).changed).toBe(false);
				expect(await eventsUntilMarker(alex)).toEqual([]);
			});

			it('counts applications by status, every status present', async () => {
				// One application per user and job (migration 0011): three jobs for three.
				const otherJob = async (title: string) =>
					(await postJob(store, { title, company: 'Tech Corp', skills: ['cobol'] })).job.id;
				await addApplication(sam.id, jobId, 'interview');
				await addApplication(sam.id, await otherJob('Second job'), 'interview');
				await addApplication(sam.id, await otherJob('Third job'), 'rejected');
				const counts = await countByStatus(db, sam.id);
				expect(counts).toMatchObject({ interview: 2, rejected: 1, offer: 0, saved: 0 });
				expect(Object.keys(counts)).toHaveLength(9);
			});
		});

		describe('notifications', () => {
			it('stores and sends a notification, keeping only safe action URLs', async () => {
				const cases: [string, string | undefined][] = [
					['/jobs?id=3', '/jobs?id=3'],
					['https://example.com/offer', 'https://example.com/offer'],
					['javascript:alert(1)', undefined],
					['//evil.example/x', undefined],
					['/\\evil.example', undefined],
					['data:text/html,hi', undefined]
				];
				for (const [actionUrl, expected] of cases) {
					const row = await createNotification(store, alex.id, {
						category: 'social',
						title: 'Link',
						description: actionUrl,
						actionUrl,
						actionLabel: 'Open'
					});
					const [event] = await eventsUntilMarker(alex);
					const stored = await db
						.selectFrom('notifications')
						.select(['action_url', 'action_label'])
						.where('id', '=', row.id)
						.executeTakeFirst();
					expect(stored, actionUrl).toEqual({
						action_url: expected ?? null,
						action_label: expected ? 'Open' : null
					});
					expect((event.data as Notification).actionUrl, actionUrl).toBe(expected);
					expect((event.data as Notification).actionLabel, actionUrl).toBe(expected && 'Open');
				}
			});

			it('refuses an unknown category or an empty title', async () => {
				await expectDomainError(
					() =>
						createNotification(store, alex.id, {
							category: 'spam' as 'system',
							title: 'x',
							description: ''
						}),
					400,
					/^Unknown notification category$/
				);
				await expectDomainError(
					() =>
						createNotification(store, alex.id, {
							category: 'system',
							title: '  ',
							description: ''
						}),
					400,
					/^Title is required$/
				);
			});

			it('lists by category, marks read for the owner only, and counts unread', async () => {
				const social = await createNotification(store, sam.id, {
					category: 'social',
					title: 'a',
					description: ''
				});
				await createNotification(store, sam.id, {
					category: 'system',
					title: 'b',
					description: ''
				});
				expect(
					(await listNotifications(db, sam.id, { category: 'social' })).map((n) => n.id)
				).toEqual([social.id]);
				expect(await unreadCount(db, sam.id)).toBe(2);

				await eventsUntilMarker(sam);
				expect(await markRead(store, alex.id, social.id)).toBe(false);
				expect(await unreadCount(db, sam.id)).toBe(3); // b, the marker, and a
				expect(await markRead(store, sam.id, social.id)).toBe(true);
				expect(await markRead(store, sam.id, social.id)).toBe(true);
				expect(await unreadCount(db, sam.id)).toBe(2);
				// Sorted: 'b' and the marker may share a created_at millisecond (then the order is by id).
				expect(
					(await listNotifications(db, sam.id, { unreadOnly: true })).map((n) => n.title).sort()
				).toEqual(['b', 'marker']);

				expect(await markAllRead(store, sam.id)).toBe(2);
				expect(await markAllRead(store, sam.id)).toBe(0);
				expect(await unreadCount(db, sam.id)).toBe(0);
				expect((await listNotifications(db, sam.id)).every((n) => n.read)).toBe(true);
				// Each read is an event in Sam's log (once: a repeat announces nothing), none in Alex's.
				expect((await eventsUntilMarker(sam)).map((e) => [e.type, e.data])).toEqual([
					['notification:read', { ids: [social.id], all: false, unread: 2 }],
					['notification:read', { ids: [], all: true, unread: 0 }]
				]);
				expect(await eventsUntilMarker(alex)).toEqual([]);
			});

			it('applies notification:read from the socket once, for the sender only', async () => {
				const mine = await createNotification(store, alex.id, {
					category: 'system',
					title: 'x',
					description: ''
				});
				const theirs = await createNotification(store, sam.id, {
					category: 'system',
					title: 'y',
					description: ''
				});
				await eventsUntilMarker(alex);
				await eventsUntilMarker(sam);
				const isRead = async (id: string) =>
					(
						await db
							.selectFrom('notifications')
							.select('read')
							.where('id', '=', id)
							.executeTakeFirstOrThrow()
					).read;

				alex.client.send({ type: 'notification:read', id: 'm-1', data: { id: mine.id } });
				expect((await alex.client.next('ack')).data).toEqual({ id: 'm-1' });
				expect(await isRead(mine.id)).toBe(1);

				alex.client.send({ type: 'notification:read', id: 'm-2', data: { id: theirs.id } });
				expect((await alex.client.next('ack')).data).toEqual({ id: 'm-2' });
				expect(await isRead(theirs.id)).toBe(0);

				alex.client.send({ type: 'notification:read', id: 'm-3', data: { nope: true } });
				expect((await alex.client.next('error')).data).toMatchObject({
					code: 'bad_payload',
					id: 'm-3'
				});
			});
		});

		describe('simulate', () => {
			it('posts a job matching the user at 100%', async () => {
				const { job, matches } = await simulateJob(store, alex.id);
				expect(job).toMatchObject({ title: 'Senior Software Engineer', company: 'Tech Corp' });
				expect(matches.find((m) => m.userId === alex.id)?.match_score).toBe(100);
				const [recommendation] = await eventsUntilMarker(alex);
				expect(recommendation.data).toMatchObject({ job: { id: job.id }, match_score: 100 });
			});

			it('moves an application along the usual path, or to a chosen status', async () => {
				const jobId = (await postJob(store, { title: 'QA', company: 'Acme', skills: ['cobol'] }))
					.job.id;
				const id = await addApplication(casey.id, jobId, 'screening');
				expect((await simulateApplicationMove(store, casey.id, {})).application.status).toBe(
					'interview'
				);
				expect(
					(await simulateApplicationMove(store, casey.id, { id, status: 'rejected' })).application
						.status
				).toBe('rejected');
				await expectDomainError(
					() => simulateApplicationMove(store, casey.id, { id }),
					400,
					/choose a status/
				);
				await expectDomainError(
					() => simulateApplicationMove(store, casey.id, {}),
					400,
					/No application can move/
				);
				await expectDomainError(
					() => simulateApplicationMove(store, sam.id, { id }),
					404,
					/not found/
				);
				const events = await eventsUntilMarker(casey);
				expect(events.map((e) => e.type)).toEqual([
					'application:status_change',
					'notification:new',
					'application:status_change',
					'notification:new'
				]);
			});

			it('sends a valid notification of every category', async () => {
				const categories = [
					'system',
					'job_alert',
					'application',
					'recommendation',
					'social'
				] as const;
				for (const category of categories) await simulateNotification(store, sam.id, category);
				const events = await eventsUntilMarker(sam);
				expect(events.map((e) => (e.data as Notification).category)).toEqual([...categories]);
			});
		});
	});
});
