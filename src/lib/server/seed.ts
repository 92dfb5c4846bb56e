/**
 * Demo data for a fresh database: two users with different skills, 64 jobs (demo-jobs.ts), the
 * recommendations the scoring gives them, applications in several statuses and a few
 * notifications each. Nothing is sent: seeding writes rows only, so the event log starts empty.
 */
import { sql } from 'kysely';
import type { ApplicationStatus } from '$lib/protocol';
import { statusChangeNotification } from './domain/applications';
import {
	insertJob,
	insertRecommendation,
	jobAlertNotification,
	matchJob,
	type JobRecord
} from './domain/jobs';
import { insertNotification, type NotificationInput } from './domain/notifications';
import { normalizeSkills } from './domain/scoring';
import { hashPassword } from './auth';
import { demoJobs } from './demo-jobs';
import type { Db, Engine, Tx } from './db';

/** The password of every demo account. */
export const DEMO_PASSWORD = 'password123';

interface DemoUser {
	email: string;
	name: string;
	skills: string[];
	/** Jobs (by title) already seen on the Jobs page; the rest count as new. */
	seen: string[];
	applications: { job: string; status: ApplicationStatus; daysAgo: number }[];
	/** Notifications besides the generated job alert and application update. */
	notifications: (NotificationInput & { hoursAgo: number; read: boolean })[];
	/** The job whose alert and the application whose last move are also notified. */
	alertFor: string;
	movedFrom: { job: string; status: ApplicationStatus };
}

/** Every account's first notification. */
const WELCOME: DemoUser['notifications'][number] = {
	category: 'system',
	title: 'Welcome to Career Copilot',
	description: 'Add your skills to get better job matches.',
	actionUrl: '/profile',
	actionLabel: 'Open your profile',
	hoursAgo: 24 * 14,
	read: true
};

const DEMO_USERS: DemoUser[] = [
	{
		email: 'alex@example.com',
		name: 'Alex Morgan',
		skills: ['typescript', 'javascript', 'svelte', 'node', 'websockets', 'sql', 'css', 'graphql'],
		seen: ['Full-Stack Developer', 'Backend Engineer (Node.js)'],
		applications: [
			{ job: 'Senior Software Engineer', status: 'interview', daysAgo: 0 },
			{ job: 'Frontend Engineer', status: 'applied', daysAgo: 1 },
			{ job: 'Full-Stack Developer', status: 'screening', daysAgo: 3 },
			{ job: 'Real-time Platform Engineer', status: 'rejected', daysAgo: 5 },
			{ job: 'Backend Engineer (Node.js)', status: 'saved', daysAgo: 7 }
		],
		alertFor: 'Frontend Engineer',
		movedFrom: { job: 'Senior Software Engineer', status: 'screening' },
		notifications: [
			{
				category: 'recommendation',
				title: 'Add a portfolio link',
				description: 'Profiles with a portfolio get more replies from recruiters.',
				actionUrl: '/profile',
				actionLabel: 'Open your profile',
				hoursAgo: 30,
				read: false
			},
			{
				category: 'social',
				title: 'Priya Shah viewed your profile',
				description: 'A recruiter at Tech Corp looked at your profile.',
				hoursAgo: 50,
				read: true
			},
			WELCOME
		]
	},
	{
		email: 'sam@example.com',
		name: 'Sam Rivera',
		skills: ['python', 'data', 'ml', 'sql', 'pandas', 'pytorch', 'statistics', 'airflow'],
		seen: ['Analytics Engineer'],
		applications: [
			{ job: 'Data Scientist', status: 'offer', daysAgo: 0 },
			{ job: 'Machine Learning Engineer', status: 'interview', daysAgo: 2 },
			{ job: 'Data Engineer', status: 'applied', daysAgo: 1 },
			{ job: 'Analytics Engineer', status: 'saved', daysAgo: 6 },
			{ job: 'Senior Software Engineer', status: 'withdrawn', daysAgo: 4 }
		],
		alertFor: 'Data Engineer',
		movedFrom: { job: 'Data Scientist', status: 'interview' },
		notifications: [
			{
				category: 'social',
				title: 'Diego Alvarez endorsed you for Python',
				description: 'Endorsements help recruiters trust the skills on your profile.',
				hoursAgo: 20,
				read: false
			},
			{
				category: 'recommendation',
				title: 'Brush up on Spark',
				description: 'Two of the data jobs you viewed ask for Spark.',
				hoursAgo: 60,
				read: true
			},
			WELCOME
		]
	}
];

/** Any number, the same on every node: the advisory lock that lets one node seed at a time. */
const SEED_LOCK = 7_291_004;

/**
 * Seed the demo data when the database has no users yet; returns whether it did. An explicit
 * start-up step (the app calls it after opening the database). Runs in one transaction, so a
 * crash half-way leaves an empty database that is seeded on the next start; on PostgreSQL an
 * advisory lock makes nodes that start together seed once.
 */
export async function seedDemoData(db: Db, engine: Engine): Promise<boolean> {
	const now = Date.now();
	const ago = (hours: number) => new Date(now - hours * 3_600_000).toISOString();
	return db.transaction().execute(async (tx) => {
		if (engine === 'postgres') await sql`select pg_advisory_xact_lock(${SEED_LOCK})`.execute(tx);
		const existing = await tx.selectFrom('users').select('id').limit(1).executeTakeFirst();
		if (existing) return false;
		const jobs: JobRecord[] = [];
		for (const { daysAgo, ...input } of demoJobs()) {
			jobs.push(await insertJob(tx, input, ago(daysAgo * 24)));
		}
		for (const user of DEMO_USERS) await seedUser(tx, user, jobs, ago);
		return true;
	});
}

async function seedUser(
	tx: Tx,
	user: DemoUser,
	jobs: readonly JobRecord[],
	ago: (hours: number) => string
): Promise<void> {
	const { id: userId } = await tx
		.insertInto('users')
		.values({
			email: user.email,
			name: user.name,
			password_hash: hashPassword(DEMO_PASSWORD),
			skills: JSON.stringify(normalizeSkills(user.skills)),
			created_at: ago(24 * 30)
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	const notify = async (input: NotificationInput, hoursAgo: number, read: boolean) => {
		const row = await insertNotification(tx, userId, input, ago(hoursAgo));
		if (read)
			await tx.updateTable('notifications').set({ read: 1 }).where('id', '=', row.id).execute();
	};

	for (const job of jobs) {
		const match = matchJob(job, user.skills);
		if (!match) continue;
		await insertRecommendation(tx, {
			userId,
			jobId: job.id,
			...match,
			seen: user.seen.includes(job.title),
			createdAt: job.created_at
		});
		if (job.title === user.alertFor) await notify(jobAlertNotification(job, match), 20, false);
	}

	for (const application of user.applications) {
		const job = requireJob(jobs, application.job);
		const hoursAgo = application.daysAgo * 24 + 2;
		const { id } = await tx
			.insertInto('applications')
			.values({
				user_id: userId,
				job_id: job.id,
				status: application.status,
				created_at: ago(hoursAgo + 72),
				updated_at: ago(hoursAgo)
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		if (application.job === user.movedFrom.job) {
			const from = {
				id,
				job_title: job.title,
				company: job.company,
				status: user.movedFrom.status
			};
			await notify(statusChangeNotification(from, application.status), hoursAgo, false);
		}
	}

	for (const { hoursAgo, read, ...input } of user.notifications)
		await notify(input, hoursAgo, read);
}

/** The demo accounts name hand-written jobs by title; those come first in the list. */
function requireJob(jobs: readonly JobRecord[], title: string): JobRecord {
	const job = jobs.find((candidate) => candidate.title === title);
	if (!job) throw new Error(`Demo data names an unknown job: ${title}`);
	return job;
}
