/**
 * The badge counts (the bell's unread notifications, the Jobs badge's new recommendations) from
 * two sources that overlap: the page data, which reads the counts and the user's latest event seq
 * in one snapshot, and the live events, each with its seq. A data reload races the events: its
 * snapshot may be read before an event that arrives ahead of it (taking the snapshot's counts
 * would lose that event: a tab that took over the connection reloads while events keep coming),
 * or after an event that is still on its way (a replay after a reconnect: adding it would count
 * it twice). So the two are joined by seq: an event at or below the snapshot's seq is in the
 * snapshot already, and a snapshot is brought up to date with the counted events past its seq
 * that arrived before it.
 *
 * The two counts are runes state: the bell and the Jobs badge read them from here.
 */

/** The counts of one page data load, and the seq they were read at. */
export interface CountsSnapshot {
	unread: number;
	newRecommendations: number;
	lastSeq: number;
}

/** A live event that moves a count: a read tells how many stay unread. */
export type CountedEvent =
	| { type: 'notification:new'; seq: number }
	| { type: 'notification:read'; seq: number; unread: number }
	| { type: 'job:recommendation'; seq: number };

/**
 * How many counted events are kept to bring a later snapshot up to date: a reload answers within
 * seconds, far fewer events than this; a snapshot older than the oldest kept misses the rest.
 */
export const COUNTED_EVENTS_KEPT = 256;

export class BadgeCounts {
	/** Unread notifications (the bell). */
	unread = $state(0);
	/** New recommendations (the Jobs badge). */
	jobs = $state(0);
	/** The seq of the last snapshot (or resync): events up to it are in the counts already. */
	#syncedSeq = 0;
	/** The counted events past `#syncedSeq`, oldest first. */
	#since: CountedEvent[] = [];
	#jobsPageOpen = false;

	/** Take freshly loaded page data's counts, plus the counted events it was read before. */
	sync(snapshot: CountsSnapshot): void {
		this.#syncedSeq = snapshot.lastSeq;
		this.#since = this.#since.filter((event) => event.seq > snapshot.lastSeq);
		this.unread = snapshot.unread;
		this.jobs = this.#jobsPageOpen ? 0 : snapshot.newRecommendations;
		for (const event of this.#since) this.#apply(event);
	}

	/** Count a live event, unless the last snapshot has it already. */
	count(event: CountedEvent): void {
		if (event.seq <= this.#syncedSeq) return;
		// The Jobs page marks recommendations seen: one that arrives while it is open never counts.
		if (event.type === 'job:recommendation' && this.#jobsPageOpen) return;
		this.#since.push(event);
		if (this.#since.length > COUNTED_EVENTS_KEPT) this.#since.shift();
		this.#apply(event);
	}

	/**
	 * The server's history restarts at `lastSeq` (a resync): what was counted past it belongs to
	 * the old one, and the data reload that follows reads the new one.
	 */
	resync(lastSeq: number): void {
		this.#syncedSeq = lastSeq;
		this.#since = [];
	}

	/** The Jobs page is open (it marks recommendations seen): the badge stays clear meanwhile. */
	setJobsPageOpen(open: boolean): void {
		this.#jobsPageOpen = open;
		if (!open) return;
		this.jobs = 0;
		// Seen now: a later snapshot (read after they were marked seen) must not count them again.
		this.#since = this.#since.filter((event) => event.type !== 'job:recommendation');
	}

	#apply(event: CountedEvent): void {
		switch (event.type) {
			case 'notification:new':
				this.unread += 1;
				break;
			case 'notification:read':
				// Read here or in another tab or device: the server says how many stay unread.
				this.unread = event.unread;
				break;
			case 'job:recommendation':
				if (!this.#jobsPageOpen) this.jobs += 1;
				break;
		}
	}
}
