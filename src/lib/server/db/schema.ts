/**
 * The tables as Kysely sees them: one typed schema for SQLite and PostgreSQL. Flags are integers
 * (0/1) and lists/records are JSON text on both engines, so every query is the same on both.
 */
import type { Generated, Kysely, Transaction } from 'kysely';

export interface UsersTable {
	id: Generated<number>;
	email: string;
	name: string;
	password_hash: string;
	/** JSON array of normalised skill names. */
	skills: Generated<string>;
	created_at: string;
	/** The seq of the user's latest event: taken (+1) inside the transaction that appends one. */
	last_seq: Generated<number>;
	headline: Generated<string>;
	location: Generated<string>;
	/** One of REMOTE_PREFERENCES ($lib/profile). */
	remote_preference: Generated<string>;
	portfolio_url: string | null;
}

export interface JobsTable {
	id: Generated<number>;
	title: string;
	company: string;
	location: string;
	salary_range: string | null;
	description: string;
	skills: Generated<string>;
	url: string | null;
	created_at: string;
	/** One of WORK_MODES ($lib/job-search). */
	work_mode: Generated<string>;
	/**
	 * title, company and location in lower case (`foldCase`), what the Jobs search compares. Not
	 * `Generated`: an insert that left them to the column's default ('') would never be found.
	 */
	title_folded: string;
	company_folded: string;
	location_folded: string;
}

/** A job's skills as rows (normalised names), for search and the match score in SQL. */
export interface JobSkillsTable {
	job_id: number;
	skill: string;
}

export interface RecommendationsTable {
	id: Generated<number>;
	user_id: number;
	job_id: number;
	match_score: number;
	reason: string;
	seen: Generated<number>;
	created_at: string;
}

export interface ApplicationsTable {
	id: Generated<number>;
	user_id: number;
	job_id: number;
	status: string;
	created_at: string;
	updated_at: string;
}

export interface NotificationsTable {
	id: string;
	user_id: number;
	category: string;
	title: string;
	description: string;
	action_url: string | null;
	action_label: string | null;
	metadata: string | null;
	read: Generated<number>;
	created_at: string;
}

/** The per-user event log (the outbox): rows are written in the transaction of their change. */
export interface EventLogTable {
	user_id: number;
	seq: number;
	id: string;
	type: string;
	/** The event's data as JSON text, sent as is. */
	data: string;
	ts: number;
}

/** Client message ids already applied, for dedupe across reconnects and nodes. */
export interface ClientMessagesTable {
	user_id: number;
	id: string;
	type: string;
	received_at: number;
}

export interface SessionsTable {
	id: string;
	user_id: number;
	expires_at: number;
	created_at: string;
}

export interface SettingsTable {
	key: string;
	value: string;
}

/** The sign-in throttle's runs of failures (signin/throttle.ts). */
export interface SigninFailuresTable {
	/** `account:<email>` or `address:<client address>`. */
	key: string;
	failures: number;
	/** Epoch ms of the run's latest failure. */
	last_failure_at: number;
}

export interface Schema {
	users: UsersTable;
	jobs: JobsTable;
	job_skills: JobSkillsTable;
	recommendations: RecommendationsTable;
	applications: ApplicationsTable;
	notifications: NotificationsTable;
	event_log: EventLogTable;
	client_messages: ClientMessagesTable;
	sessions: SessionsTable;
	settings: SettingsTable;
	signin_failures: SigninFailuresTable;
}

/** The query builder over the app's schema, on either engine. */
export type Db = Kysely<Schema>;
/** A transaction of it: the same queries, committed or rolled back together. */
export type Tx = Transaction<Schema>;
/** Anything queries can run on: the database or a transaction. */
export type Queryable = Db | Tx;

/** Which engine a database runs on. */
export type Engine = 'sqlite' | 'postgres';
