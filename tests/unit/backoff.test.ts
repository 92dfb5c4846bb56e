/** The reconnect schedule: exponential, capped, jittered within bounds, slower after 4429. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, baseDelay, RATE_LIMIT_FLOOR } from '../../machines/backoff';
import { DEFAULT_OPTIONS } from '../../machines/options';

const defaults = DEFAULT_OPTIONS;

describe('backoff', () => {
	it('follows 1s, 1.5s, 2.25s ... and is capped at 30s with the defaults', () => {
		const schedule = Array.from({ length: 12 }, (_, i) => backoffDelay(i + 1, defaults, 0));
		expect(schedule).toEqual([
			1000, 1500, 2250, 3375, 5063, 7594, 11391, 17086, 25629, 30000, 30000, 30000
		]);
		expect(baseDelay(100, defaults)).toBe(30000);
	});

	it('keeps every jittered delay in [delay * (1 - jitter), delay] (rounded to whole ms)', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 60 }),
				fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
				fc.double({ min: 0, max: 1, noNaN: true }),
				(n, random, jitter) => {
					const config = { ...defaults, jitter };
					const base = baseDelay(n, config);
					const delay = backoffDelay(n, config, random);
					expect(delay).toBeLessThanOrEqual(Math.round(base));
					expect(delay).toBeGreaterThanOrEqual(Math.round(base * (1 - jitter)));
				}
			)
		);
	});

	it('uses the whole jitter range: random 0 keeps the delay, random near 1 takes 20% off', () => {
		expect(backoffDelay(1, defaults, 0)).toBe(1000);
		expect(backoffDelay(1, defaults, 0.999999)).toBe(800);
		expect(backoffDelay(1, { ...defaults, jitter: 0 }, 0.999999)).toBe(1000);
	});

	it('after 4429 doubles the delay with a floor of 5 intervals, still capped', () => {
		expect(backoffDelay(1, defaults, 0, true)).toBe(RATE_LIMIT_FLOOR * 1000);
		expect(backoffDelay(6, defaults, 0, true)).toBe(2 * 7594);
		expect(backoffDelay(9, defaults, 0, true)).toBe(30000);
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 40 }), (n) => {
				expect(backoffDelay(n, defaults, 0, true)).toBeGreaterThanOrEqual(
					backoffDelay(n, defaults, 0)
				);
			})
		);
	});

	it('honours custom intervals and decay', () => {
		const config = {
			reconnectInterval: 200,
			maxReconnectInterval: 1000,
			reconnectDecay: 2,
			jitter: 0
		};
		expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, config, 0.5))).toEqual([
			200, 400, 800, 1000, 1000
		]);
	});
});
