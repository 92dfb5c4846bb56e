/**
 * Domain events end to end: the domain functions write to a real SQLite file and emit through a
 * real hub, and real `ws` clients of each user receive (or do not receive) the frames.
 */
import type Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseServerFrame, type EventFrame } from '../../machines/protocol';
import { coreEventSchemas, type Notification } from '../../src/lib/protocol';
import {
	countByStatus,
	listApplications,
	setApplicationStatus
} from '../../src/lib/server/domain/applications';
import { DomainError } from '../../src/lib/server/domain/errors';
import type { EventSink } from '../../src/lib/server/domain/events';
import { registerDomainHandlers } from '../../src/lib/server/domain/handlers';
import {
	countNewRecommendations,
	listJobs,
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
import { startRealtimeTestServer, type RealtimeTestServer } from '../support/server-harness';
import { connectReady, type Frame, type TestClient } from '../support/server-client';

let server: RealtimeTestServer;
let db: Database.Database;

beforeAll(async () => {
	server = await startRealtimeTestServer();
	db = server.db;
});
afterAll(() => server.close());

interface Person {
	id: number;
	client: TestClient;
}

function userWithSkills(name: string, skills: string[]): number {
	const id = server.createUser(name);
	db.prepare('UPDATE users SET skills = ? WHERE id = ?').run(JSON.stringify(skills), id);
	return id;
}

async function connect(id: number): Promise<Person> {
	const { client } = await connectReady(server.url, {
		token: server.makeToken(id),
		origin: server.origin
	});
	return { id, client };
}

/** The frame validated the way the real client validates it; fails the test otherwise. */
function asCoreEvent(frame: Frame): EventFrame {
	if (!Object.hasOwn(coreEventSchemas, frame.type)) throw new Error(`not an event: ${frame.type}`);
	const parsed = parseServerFrame(JSON.stringify(frame), coreEventSchemas);
	if (!parsed.ok) throw new Error(`${frame.type} frame rejected: ${parsed.detail}`);
	return parsed.frame as EventFrame;
}

/**
 * Every event the person receives up to a marker notification sent now. Frames on one socket
 * arrive in order, so this proves what did and did not arrive without waiting for a timeout.
 */
async function eventsUntilMarker(person: Person): Promise<EventFrame[]> {
	const marker = createNotification(
		db,
		person.id,
		{ category: 'system', title: 'marker', description: '' },
		server.hub
	);
	const events: EventFrame[] = [];
	for (;;) {
		const frame = asCoreEvent(await person.client.next());
		if ((frame.data as Notification).id === marker.id) return events;
		events.push(frame);
	}
}

function addApplication(userId: number, jobId: number, status: string): number {
	const now = new Date().toISOString();
	return Number(
		db
			.prepare(
				'INSERT INTO applications (user_id, job_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)'
			)
			.run(userId, jobId, status, now, now).lastInsertRowid
	);
}

function expectDomainError(run: () => unknown, status: 400 | 404, message: RegExp): void {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(DomainError);
		expect((error as DomainError).status).toBe(status);
		expect((error as DomainError).message).toMatch(message);
		return;
	}
	throw new Error('expected a DomainError');
}

describe('domain events', () => {
	let alex: Person;
	let sam: Person;
	let casey: Person;

	beforeEach(async () => {
		alex = await connect(userWithSkills('alex', ['typescript', 'svelte', 'node', 'sql']));
		sam = await connect(userWithSkills('sam', ['python', 'ml', 'sql']));
		casey = await connect(userWithSkills('casey', ['typescript', 'svelte', 'go']));
	});
	afterEach(() => {
		for (const person of [alex, sam, casey]) person.client.close();
	});

	describe('postJob', () => {
		it('recommends to users at or above 60 only, with a job alert each, after the commit', async () => {
			const commits: boolean[] = [];
			const sink: EventSink = {
				emit: (userId, type, data) => {
					commits.push(db.inTransaction);
					return server.hub.emit(userId, type, data);
				}
			};
			// alex has 4 of 5 (80), casey 2 of 5 (40), sam 1 of 5 (20).
			const { job, matches } = postJob(
				db,
				{
					title: 'Senior Software Engineer',
					company: 'Tech Corp',
					skills: ['TypeScript', 'svelte', 'node', 'sql', 'websockets'],
					url: 'https://jobs.example.com/1'
				},
				sink
			);
			expect(matches.map((m) => [m.userId, m.match_score])).toEqual([[alex.id, 80]]);
			expect(commits).toEqual([false, false]);

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

			const stored = db
				.prepare('SELECT user_id, match_score, seen FROM recommendations WHERE job_id = ?')
				.all(job.id);
			expect(stored).toEqual([{ user_id: alex.id, match_score: 80, seen: 0 }]);
		});

		it('puts the threshold between 2 and 3 of 5 skills', () => {
			const { matches } = postJob(
				db,
				{
					title: 'Frontend Engineer',
					company: 'Brightline',
					skills: ['typescript', 'svelte', 'go', 'x', 'y']
				},
				server.hub
			);
			const scores = new Map(matches.map((m) => [m.userId, m.match_score]));
			expect(scores.get(casey.id)).toBe(60);
			expect(scores.get(alex.id)).toBeUndefined();
		});

		it('refuses invalid input without writing anything', () => {
			const jobs = () => db.prepare('SELECT COUNT(*) FROM jobs').pluck().get();
			const before = jobs();
			expectDomainError(
				() => postJob(db, { title: ' ', company: 'X', skills: ['a'] }, server.hub),
				400,
				/^Title is required$/
			);
			expectDomainError(
				() => postJob(db, { title: 'T', company: 'X', skills: [' '] }, server.hub),
				400,
				/^List at least one skill$/
			);
			expectDomainError(
				() =>
					postJob(
						db,
						{ title: 'T', company: 'X', skills: ['a'], url: 'javascript:alert(1)' },
						server.hub
					),
				400,
				/^URL must/
			);
			expect(jobs()).toBe(before);
		});

		it('lists jobs with the match, new until the Jobs page marks them seen', () => {
			const { job } = postJob(
				db,
				{ title: 'Svelte Developer', company: 'Pinecone', skills: ['svelte', 'typescript'] },
				server.hub
			);
			expect(countNewRecommendations(db, casey.id)).toBe(1);
			const listed = listJobs(db, casey.id).find((item) => item.id === job.id);
			expect(listed).toMatchObject({
				match_score: 100,
				is_new: true,
				skills: ['svelte', 'typescript']
			});
			expect(listJobs(db, sam.id).find((item) => item.id === job.id)).toMatchObject({
				match_score: null,
				reason: null,
				is_new: false
			});
			expect(recentRecommendations(db, casey.id, 5)[0]).toMatchObject({ id: job.id, seen: false });

			expect(markRecommendationsSeen(db, casey.id)).toBe(1);
			expect(countNewRecommendations(db, casey.id)).toBe(0);
			expect(listJobs(db, casey.id).find((item) => item.id === job.id)?.is_new).toBe(false);
			expect(recentRecommendations(db, casey.id, 5)[0].seen).toBe(true);
		});
	});

	describe('setApplicationStatus', () => {
		let jobId: number;
		beforeEach(() => {
			jobId = postJob(
				db,
				{ title: 'Software Engineer', company: 'Tech Corp', skills: ['cobol'] },
				server.hub
			).job.id;
		});

		it('sends the change and an application notification to the owner, after the commit', async () => {
			const id = addApplication(alex.id, jobId, 'applied');
			const seen: { status: unknown; inTransaction: boolean }[] = [];
			const sink: EventSink = {
				emit: (userId, type, data) => {
					seen.push({
						status: db.prepare('SELECT status FROM applications WHERE id = ?').pluck().get(id),
						inTransaction: db.inTransaction
					});
					return server.hub.emit(userId, type, data);
				}
			};
			const second = await connect(alex.id);

			const change = setApplicationStatus(db, alex.id, id, 'interview', sink);
			expect(change).toMatchObject({ changed: true, old_status: 'applied' });
			expect(seen).toEqual([
				{ status: 'interview', inTransaction: false },
				{ status: 'interview', inTransaction: false }
			]);

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
			expect(listApplications(db, alex.id).find((a) => a.id === id)?.status).toBe('interview');
			expect(listNotifications(db, alex.id, { category: 'application' })[0].title).toBe(
				'Software Engineer at Tech Corp → Interview'
			);
		});

		it('refuses an unknown status, a foreign or missing application, and sends nothing', async () => {
			const own = addApplication(alex.id, jobId, 'applied');
			const foreign = addApplication(sam.id, jobId, 'screening');

			expectDomainError(
				() => setApplicationStatus(db, alex.id, own, 'hired', server.hub),
				400,
				/Unknown status "hired"/
			);
			expectDomainError(
				() => setApplicationStatus(db, alex.id, foreign, 'offer', server.hub),
				404,
				/not found/
			);
			expectDomainError(
				() => setApplicationStatus(db, alex.id, 999_999, 'offer', server.hub),
				404,
				/not found/
			);

			expect(await eventsUntilMarker(alex)).toEqual([]);
			expect(await eventsUntilMarker(sam)).toEqual([]);
			const statuses = db
				.prepare('SELECT status FROM applications WHERE id IN (?, ?) ORDER BY id')
				.pluck()
				.all(own, foreign);
			expect(statuses).toEqual(['applied', 'screening']);
		});

		it('changes and sends nothing when the status is already set', async () => {
			const id = addApplication(alex.id, jobId, 'offer');
			expect(setApplicationStatus(db, alex.id, id, 'offer', server.hub).changed).toBe(false);
			expect(await eventsUntilMarker(alex)).toEqual([]);
		});

		it('counts applications by status, every status present', () => {
			addApplication(sam.id, jobId, 'interview');
			addApplication(sam.id, jobId, 'interview');
			addApplication(sam.id, jobId, 'rejected');
			const counts = countByStatus(db, sam.id);
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
				const row = createNotification(
					db,
					alex.id,
					{
						category: 'social',
						title: 'Link',
						description: actionUrl,
						actionUrl,
						actionLabel: 'Open'
					},
					server.hub
				);
				const [event] = await eventsUntilMarker(alex);
				const stored = db
					.prepare('SELECT action_url, action_label FROM notifications WHERE id = ?')
					.get(row.id);
				expect(stored, actionUrl).toEqual({
					action_url: expected ?? null,
					action_label: expected ? 'Open' : null
				});
				expect((event.data as Notification).actionUrl, actionUrl).toBe(expected);
				expect((event.data as Notification).actionLabel, actionUrl).toBe(expected && 'Open');
			}
		});

		it('refuses an unknown category or an empty title', () => {
			expectDomainError(
				() =>
					createNotification(
						db,
						alex.id,
						{ category: 'spam' as 'system', title: 'x', description: '' },
						server.hub
					),
				400,
				/^Unknown notification category$/
			);
			expectDomainError(
				() =>
					createNotification(
						db,
						alex.id,
						{ category: 'system', title: '  ', description: '' },
						server.hub
					),
				400,
				/^Title is required$/
			);
		});

		it('lists by category, marks read for the owner only, and counts unread', () => {
			const social = createNotification(
				db,
				sam.id,
				{ category: 'social', title: 'a', description: '' },
				server.hub
			);
			createNotification(
				db,
				sam.id,
				{ category: 'system', title: 'b', description: '' },
				server.hub
			);
			expect(listNotifications(db, sam.id, { category: 'social' }).map((n) => n.id)).toEqual([
				social.id
			]);
			expect(unreadCount(db, sam.id)).toBe(2);

			expect(markRead(db, alex.id, social.id)).toBe(false);
			expect(unreadCount(db, sam.id)).toBe(2);
			expect(markRead(db, sam.id, social.id)).toBe(true);
			expect(markRead(db, sam.id, social.id)).toBe(true);
			expect(unreadCount(db, sam.id)).toBe(1);
			expect(listNotifications(db, sam.id, { unreadOnly: true }).map((n) => n.title)).toEqual([
				'b'
			]);

			expect(markAllRead(db, sam.id)).toBe(1);
			expect(unreadCount(db, sam.id)).toBe(0);
			expect(listNotifications(db, sam.id).every((n) => n.read)).toBe(true);
		});

		it('applies notification:read from the socket once, for the sender only', async () => {
			registerDomainHandlers(server.hub, db);
			const mine = createNotification(
				db,
				alex.id,
				{ category: 'system', title: 'x', description: '' },
				server.hub
			);
			const theirs = createNotification(
				db,
				sam.id,
				{ category: 'system', title: 'y', description: '' },
				server.hub
			);
			await eventsUntilMarker(alex);
			await eventsUntilMarker(sam);
			const isRead = (id: string) =>
				db.prepare('SELECT read FROM notifications WHERE id = ?').pluck().get(id);

			alex.client.send({ type: 'notification:read', id: 'm-1', data: { id: mine.id } });
			expect((await alex.client.next('ack')).data).toEqual({ id: 'm-1' });
			expect(isRead(mine.id)).toBe(1);

			alex.client.send({ type: 'notification:read', id: 'm-2', data: { id: theirs.id } });
			expect((await alex.client.next('ack')).data).toEqual({ id: 'm-2' });
			expect(isRead(theirs.id)).toBe(0);

			alex.client.send({ type: 'notification:read', id: 'm-3', data: { nope: true } });
			expect((await alex.client.next('error')).data).toMatchObject({
				code: 'bad_payload',
				id: 'm-3'
			});
		});

		it('registers its handlers on a hub once', () => {
			const types: string[] = [];
			const hub = { onMessage: (type: string) => void types.push(type) };
			registerDomainHandlers(hub, db);
			registerDomainHandlers(hub, db);
			expect(types).toEqual(['notification:read']);
		});
	});

	describe('simulate', () => {
		it('posts a job matching the user at 100%', async () => {
			const { job, matches } = simulateJob(db, alex.id, server.hub);
			expect(job).toMatchObject({ title: 'Senior Software Engineer', company: 'Tech Corp' });
			expect(matches.find((m) => m.userId === alex.id)?.match_score).toBe(100);
			const [recommendation] = await eventsUntilMarker(alex);
			expect(recommendation.data).toMatchObject({ job: { id: job.id }, match_score: 100 });
		});

		it('moves an application along the usual path, or to a chosen status', async () => {
			const jobId = postJob(db, { title: 'QA', company: 'Acme', skills: ['cobol'] }, server.hub).job
				.id;
			const id = addApplication(casey.id, jobId, 'screening');
			expect(simulateApplicationMove(db, casey.id, {}, server.hub).application.status).toBe(
				'interview'
			);
			expect(
				simulateApplicationMove(db, casey.id, { id, status: 'rejected' }, server.hub).application
					.status
			).toBe('rejected');
			expectDomainError(
				() => simulateApplicationMove(db, casey.id, { id }, server.hub),
				400,
				/choose a status/
			);
			expectDomainError(
				() => simulateApplicationMove(db, casey.id, {}, server.hub),
				400,
				/No application can move/
			);
			expectDomainError(
				() => simulateApplicationMove(db, sam.id, { id }, server.hub),
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
			for (const category of categories) simulateNotification(db, sam.id, category, server.hub);
			const events = await eventsUntilMarker(sam);
			expect(events.map((e) => (e.data as Notification).category)).toEqual([...categories]);
		});
	});
});
