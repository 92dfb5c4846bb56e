import { describe, expect, it } from 'vitest';
import {
	BadgeCounts,
	COUNTED_EVENTS_KEPT,
	type CountedEvent
} from '../../src/lib/realtime/badge-counts.svelte';

const notification = (seq: number): CountedEvent => ({ type: 'notification:new', seq });
const read = (seq: number, unread: number): CountedEvent => ({
	type: 'notification:read',
	seq,
	unread
});
const recommendation = (seq: number): CountedEvent => ({ type: 'job:recommendation', seq });

/** Counts synced to a first page load: `unread` unread at `lastSeq`, no recommendations. */
function loaded(unread: number, lastSeq: number): BadgeCounts {
	const counts = new BadgeCounts();
	counts.sync({ unread, newRecommendations: 0, lastSeq });
	return counts;
}

describe('badge counts: page data snapshots joined with live events by seq', () => {
	it('counts each live event past the page data once', () => {
		const counts = loaded(3, 0);
		for (const seq of [1, 2, 3]) counts.count(notification(seq));
		expect(counts.unread).toBe(6);
	});

	// The closed-leader failover of tests/e2e/tabs.spec.ts: the tab that takes over reloads its
	// data on its own welcome while events keep coming; the reload's snapshot was read before the
	// last of them, its answer applied after it.
	it('keeps an event that arrived before a reload whose snapshot was read before it', () => {
		const counts = loaded(3, 0);
		for (let seq = 1; seq <= 8; seq++) counts.count(notification(seq));
		expect(counts.unread).toBe(11);
		counts.sync({ unread: 10, newRecommendations: 0, lastSeq: 7 });
		expect(counts.unread).toBe(11);
	});

	it('does not count twice an event a snapshot already has (a replay still on its way)', () => {
		const counts = loaded(3, 1);
		counts.sync({ unread: 5, newRecommendations: 0, lastSeq: 3 });
		counts.count(notification(2));
		counts.count(notification(3));
		expect(counts.unread).toBe(5);
		counts.count(notification(4));
		expect(counts.unread).toBe(6);
	});

	it('brings a snapshot up to date through a read, which says how many stay unread', () => {
		const counts = loaded(4, 5);
		counts.count(notification(6));
		counts.count(read(7, 2));
		counts.count(notification(8));
		expect(counts.unread).toBe(3);
		counts.sync({ unread: 5, newRecommendations: 0, lastSeq: 6 });
		expect(counts.unread).toBe(3);
	});

	it('keeps the Jobs badge clear while the Jobs page is open and never counts a seen one again', () => {
		const counts = new BadgeCounts();
		counts.sync({ unread: 0, newRecommendations: 2, lastSeq: 10 });
		counts.count(recommendation(11));
		expect(counts.jobs).toBe(3);
		counts.setJobsPageOpen(true);
		counts.count(recommendation(12));
		expect(counts.jobs).toBe(0);
		counts.sync({ unread: 0, newRecommendations: 0, lastSeq: 10 });
		expect(counts.jobs).toBe(0);
		counts.setJobsPageOpen(false);
		// A snapshot read before seq 11 and 12 were marked seen never brings them back.
		counts.sync({ unread: 0, newRecommendations: 0, lastSeq: 10 });
		expect(counts.jobs).toBe(0);
		counts.count(recommendation(13));
		expect(counts.jobs).toBe(1);
	});

	it('after a resync counts the new history from its seq, even below the old one', () => {
		const counts = loaded(2, 40);
		counts.count(notification(41));
		counts.resync(5);
		counts.count(notification(6));
		expect(counts.unread).toBe(4);
		counts.sync({ unread: 1, newRecommendations: 0, lastSeq: 5 });
		expect(counts.unread).toBe(2);
	});

	it(`keeps the last ${COUNTED_EVENTS_KEPT} counted events for a late snapshot`, () => {
		const counts = loaded(0, 0);
		const total = COUNTED_EVENTS_KEPT + 10;
		for (let seq = 1; seq <= total; seq++) counts.count(notification(seq));
		counts.sync({ unread: 0, newRecommendations: 0, lastSeq: 0 });
		expect(counts.unread).toBe(COUNTED_EVENTS_KEPT);
	});
});
