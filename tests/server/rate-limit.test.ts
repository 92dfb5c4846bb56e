import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/lib/server/realtime/rate-limit';

describe('TokenBucket', () => {
	it('lets a burst through, then refills at the given rate', () => {
		const bucket = new TokenBucket(3, 2, 0);
		expect([1, 2, 3, 4].map(() => bucket.take(0))).toEqual([true, true, true, false]);
		expect(bucket.take(499)).toBe(false); // 0.998 of a token
		expect(bucket.take(500)).toBe(true); // one token per 500 ms
		expect(bucket.take(500)).toBe(false);
	});

	it('never holds more than the burst, and says when it is full again', () => {
		const bucket = new TokenBucket(2, 1, 0);
		bucket.take(0);
		expect(bucket.isFull(999)).toBe(false);
		expect(bucket.isFull(1_000)).toBe(true);
		expect([1, 2, 3].map(() => bucket.take(60_000))).toEqual([true, true, false]);
	});
});
