/**
 * The per-user event log in SQLite: every event gets the user's next `seq` and is stored before
 * it is sent, so a client that was away can be replayed exactly what it missed. Only the newest
 * `retained` events per user are kept.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { EventFrame } from 'statechart-websocket';

/** The stored event and its wire form (serialized once, sent to every socket as is). */
export interface LoggedEvent {
	frame: EventFrame;
	json: string;
}

/** The seq range a user's log holds; both 0 when it is empty. */
export interface LogBounds {
	oldest: number;
	latest: number;
}

/**
 * The text frame of an event. `data` is already JSON (as stored), so replay never parses and
 * re-serializes it.
 */
export function eventFrameJson(
	type: string,
	id: string,
	seq: number,
	ts: number,
	data: string
): string {
	return `{"type":${JSON.stringify(type)},"id":${JSON.stringify(id)},"seq":${seq},"ts":${ts},"data":${data}}`;
}

export class EventLog {
	readonly #append: (userId: number, type: string, id: string, data: string, ts: number) => number;
	readonly #bounds: Database.Statement<[number], { oldest: number | null; latest: number | null }>;
	readonly #after: Database.Statement<[number, number], [string, string, number, number, string]>;

	/** @param retained events kept per user (older ones are deleted as new ones arrive) */
	constructor(db: Database.Database, retained: number) {
		// The next seq is computed inside the INSERT, so two writers can never take the same one.
		const insert = db
			.prepare<[{ userId: number; id: string; type: string; data: string; ts: number }], number>(
				`INSERT INTO event_log (user_id, seq, id, type, data, ts)
				 SELECT @userId, COALESCE(MAX(seq), 0) + 1, @id, @type, @data, @ts FROM event_log WHERE user_id = @userId
				 RETURNING seq`
			)
			.pluck();
		const prune = db.prepare<[number, number]>(
			'DELETE FROM event_log WHERE user_id = ? AND seq <= ?'
		);
		this.#append = db.transaction(
			(userId: number, type: string, id: string, data: string, ts: number) => {
				const seq = insert.get({ userId, id, type, data, ts }) as number;
				if (seq > retained) prune.run(userId, seq - retained);
				return seq;
			}
		);
		this.#bounds = db.prepare(
			'SELECT MIN(seq) AS oldest, MAX(seq) AS latest FROM event_log WHERE user_id = ?'
		);
		this.#after = db
			.prepare<[number, number], [string, string, number, number, string]>(
				'SELECT type, id, seq, ts, data FROM event_log WHERE user_id = ? AND seq > ? ORDER BY seq'
			)
			.raw() as unknown as Database.Statement<
			[number, number],
			[string, string, number, number, string]
		>;
	}

	/**
	 * Store an event for a user with their next seq.
	 * @throws TypeError when `data` cannot be serialized to JSON
	 */
	append(userId: number, type: string, data: unknown): LoggedEvent {
		const json = data === undefined ? undefined : JSON.stringify(data);
		if (json === undefined) throw new TypeError(`event ${type}: data must be JSON-serializable`);
		const id = randomUUID();
		const ts = Date.now();
		const seq = this.#append(userId, type, id, json, ts);
		return { frame: { type, id, seq, ts, data }, json: eventFrameJson(type, id, seq, ts, json) };
	}

	bounds(userId: number): LogBounds {
		const row = this.#bounds.get(userId);
		return { oldest: row?.oldest ?? 0, latest: row?.latest ?? 0 };
	}

	/** The wire form of every stored event with seq > `seq`, in order. */
	*after(userId: number, seq: number): Generator<string> {
		for (const [type, id, eventSeq, ts, data] of this.#after.iterate(userId, seq)) {
			yield eventFrameJson(type, id, eventSeq, ts, data);
		}
	}
}
