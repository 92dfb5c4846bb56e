/**
 * The schema, as numbered migrations. `PRAGMA user_version` records how many have run, so each
 * runs once per database file. A migration is frozen once released: change the schema by
 * appending a new one, never by editing an old one.
 */
import type Database from 'better-sqlite3';

/** Migration n (1-based) is `migrations[n - 1]`. */
export const migrations: readonly string[] = [
	`
	CREATE TABLE users (
		id INTEGER PRIMARY KEY,
		email TEXT NOT NULL UNIQUE COLLATE NOCASE,
		name TEXT NOT NULL,
		password_hash TEXT NOT NULL,
		skills TEXT NOT NULL DEFAULT '[]',
		created_at TEXT NOT NULL
	);

	CREATE TABLE jobs (
		id INTEGER PRIMARY KEY,
		title TEXT NOT NULL,
		company TEXT NOT NULL,
		location TEXT NOT NULL,
		salary_range TEXT,
		description TEXT NOT NULL,
		skills TEXT NOT NULL DEFAULT '[]',
		url TEXT,
		created_at TEXT NOT NULL
	);
	CREATE INDEX jobs_by_created ON jobs (created_at);

	CREATE TABLE recommendations (
		id INTEGER PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
		job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
		match_score INTEGER NOT NULL CHECK (match_score BETWEEN 0 AND 100),
		reason TEXT NOT NULL,
		seen INTEGER NOT NULL DEFAULT 0 CHECK (seen IN (0, 1)),
		created_at TEXT NOT NULL,
		UNIQUE (user_id, job_id)
	);
	CREATE INDEX recommendations_by_user ON recommendations (user_id, created_at);

	CREATE TABLE applications (
		id INTEGER PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
		job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
		status TEXT NOT NULL CHECK (status IN ('saved', 'applied', 'screening', 'interview', 'offer',
			'accepted', 'rejected', 'declined', 'withdrawn')),
		created_at TEXT NOT NULL,
		updated_at TEXT NOT NULL
	);
	CREATE INDEX applications_by_user ON applications (user_id, updated_at);

	CREATE TABLE notifications (
		id TEXT PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
		category TEXT NOT NULL CHECK (category IN ('system', 'job_alert', 'application',
			'recommendation', 'social')),
		title TEXT NOT NULL,
		description TEXT NOT NULL,
		action_url TEXT,
		action_label TEXT,
		metadata TEXT,
		read INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1)),
		created_at TEXT NOT NULL
	) WITHOUT ROWID;
	CREATE INDEX notifications_by_user ON notifications (user_id, created_at);

	CREATE TABLE event_log (
		user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
		seq INTEGER NOT NULL,
		id TEXT NOT NULL,
		type TEXT NOT NULL,
		data TEXT NOT NULL,
		ts INTEGER NOT NULL,
		PRIMARY KEY (user_id, seq)
	) WITHOUT ROWID;

	CREATE TABLE client_messages (
		user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
		id TEXT NOT NULL,
		type TEXT NOT NULL,
		received_at INTEGER NOT NULL,
		PRIMARY KEY (user_id, id)
	) WITHOUT ROWID;
	CREATE INDEX client_messages_by_age ON client_messages (received_at);

	CREATE TABLE sessions (
		id TEXT PRIMARY KEY,
		user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
		expires_at INTEGER NOT NULL,
		created_at TEXT NOT NULL
	) WITHOUT ROWID;
	CREATE INDEX sessions_by_expiry ON sessions (expires_at);

	CREATE TABLE settings (
		key TEXT PRIMARY KEY,
		value TEXT NOT NULL
	) WITHOUT ROWID;
	`
];

/**
 * Bring a database up to the latest schema, each migration in its own transaction.
 * @returns the schema version afterwards
 * @throws Error when the file was written by a newer version of the app
 */
export function migrate(db: Database.Database): number {
	const current = db.pragma('user_version', { simple: true }) as number;
	if (current > migrations.length) {
		throw new Error(
			`database schema version ${current} is newer than this app knows (${migrations.length})`
		);
	}
	for (let version = current + 1; version <= migrations.length; version++) {
		db.transaction(() => {
			db.exec(migrations[version - 1]);
			db.pragma(`user_version = ${version}`);
		})();
	}
	return migrations.length;
}
