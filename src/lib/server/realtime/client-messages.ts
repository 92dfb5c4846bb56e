/**
 * Which client messages (by user and id) have been applied, so a message the client sends again
 * (it resends unacked messages after a reconnect) is acked but not applied twice.
 */
import type Database from 'better-sqlite3';

export class ClientMessageLog {
	readonly #record: Database.Statement<[number, string, string, number]>;
	readonly #forget: Database.Statement<[number, string]>;
	readonly #prune: Database.Statement<[number]>;

	constructor(db: Database.Database) {
		this.#record = db.prepare(
			'INSERT OR IGNORE INTO client_messages (user_id, id, type, received_at) VALUES (?, ?, ?, ?)'
		);
		this.#forget = db.prepare('DELETE FROM client_messages WHERE user_id = ? AND id = ?');
		this.#prune = db.prepare('DELETE FROM client_messages WHERE received_at < ?');
	}

	/** Record a message id; false when it was already recorded (a repeat). */
	record(userId: number, id: string, type: string): boolean {
		return this.#record.run(userId, id, type, Date.now()).changes === 1;
	}

	/** Forget an id whose handler failed, so the client may send it again. */
	forget(userId: number, id: string): void {
		this.#forget.run(userId, id);
	}

	/** Forget ids received before `before` (epoch ms). */
	prune(before: number): void {
		this.#prune.run(before);
	}
}
