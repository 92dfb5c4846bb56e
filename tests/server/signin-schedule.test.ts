/**
 * The sign-in delay curve and the wording of a wait, as pure functions of a failure count and a
 * clock the test holds (fake timers drive Date.now()).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatWait } from '../../src/lib/format';
import {
	afterFailure,
	DEFAULT_SCHEDULE,
	delayAfter,
	scheduleFromEnv,
	waitFor,
	type FailureRun
} from '../../src/lib/server/signin/schedule';

describe('delayAfter (default schedule)', () => {
	it('is free for the first 5 failures, then doubles from 1 s', () => {
		expect([0, 1, 2, 3, 4].map((n) => delayAfter(n))).toEqual([0, 0, 0, 0, 0]);
		expect([5, 6, 7, 8, 9].map((n) => delayAfter(n))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
	});

	it('stops at 15 minutes, however many failures', () => {
		expect(delayAfter(14)).toBe(512_000);
		expect(delayAfter(15)).toBe(15 * 60_000); // 1024 s would pass the ceiling
		expect(delayAfter(1_000)).toBe(15 * 60_000);
		expect(delayAfter(Number.MAX_SAFE_INTEGER)).toBe(15 * 60_000);
	});
});

describe('a run of failures on a fake clock', () => {
	beforeEach(() => {
		vi.useFakeTimers({ now: Date.parse('2026-03-01T12:00:00Z'), toFake: ['Date'] });
	});
	afterEach(() => vi.useRealTimers());

	/** Fail as soon as the schedule lets us, `count` times; returns the run and the waits seen. */
	function failRepeatedly(count: number): { run: FailureRun | undefined; waits: number[] } {
		let run: FailureRun | undefined;
		const waits: number[] = [];
		for (let i = 0; i < count; i++) {
			const wait = waitFor(run, Date.now());
			waits.push(wait);
			vi.advanceTimersByTime(wait);
			expect(waitFor(run, Date.now())).toBe(0);
			run = afterFailure(run, Date.now());
		}
		return { run, waits };
	}

	it('each attempt waits exactly the delay its predecessor earned, no more', () => {
		const { run, waits } = failRepeatedly(17);
		expect(waits).toEqual([
			0, 0, 0, 0, 0, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000,
			900_000, 900_000
		]);
		expect(run).toEqual({ failures: 17, lastFailureAt: Date.now() });
	});

	it('the wait counts down with the clock and is over exactly when the delay has passed', () => {
		const { run } = failRepeatedly(7); // the next attempt waits 4 s
		expect(waitFor(run, Date.now())).toBe(4_000);
		vi.advanceTimersByTime(1_500);
		expect(waitFor(run, Date.now())).toBe(2_500);
		vi.advanceTimersByTime(2_499);
		expect(waitFor(run, Date.now())).toBe(1);
		vi.advanceTimersByTime(1);
		expect(waitFor(run, Date.now())).toBe(0);
	});

	it('a run is forgotten a day after its last failure and starts again from one', () => {
		const { run } = failRepeatedly(12);
		vi.advanceTimersByTime(DEFAULT_SCHEDULE.forgetAfterMs - 1);
		expect(afterFailure(run, Date.now()).failures).toBe(13);
		vi.advanceTimersByTime(1);
		expect(waitFor(run, Date.now())).toBe(0);
		expect(afterFailure(run, Date.now())).toEqual({ failures: 1, lastFailureAt: Date.now() });
	});
});

describe('scheduleFromEnv', () => {
	it('is the default schedule when nothing is set', () => {
		expect(scheduleFromEnv({})).toEqual(DEFAULT_SCHEDULE);
		expect(scheduleFromEnv({ SIGNIN_FREE_FAILURES: '' })).toEqual(DEFAULT_SCHEDULE);
	});

	it('takes each variable, and a short schedule works as configured', () => {
		const schedule = scheduleFromEnv({
			SIGNIN_FREE_FAILURES: '2',
			SIGNIN_FIRST_DELAY_MS: '50',
			SIGNIN_MAX_DELAY_MS: '150'
		});
		expect(schedule).toMatchObject({ freeFailures: 2, firstDelayMs: 50, maxDelayMs: 150 });
		expect([1, 2, 3, 4, 5].map((n) => delayAfter(n, schedule))).toEqual([0, 50, 100, 150, 150]);
	});

	it('keeps a run at least as long as its longest wait', () => {
		const schedule = scheduleFromEnv({ SIGNIN_MAX_DELAY_MS: String(48 * 60 * 60_000) });
		expect(schedule.forgetAfterMs).toBe(48 * 60 * 60_000);
	});

	it.each([
		['SIGNIN_FREE_FAILURES', '-1'],
		['SIGNIN_FREE_FAILURES', 'five'],
		['SIGNIN_FIRST_DELAY_MS', '0'],
		['SIGNIN_FIRST_DELAY_MS', '1.5'],
		['SIGNIN_MAX_DELAY_MS', '1e3'],
		['SIGNIN_MAX_DELAY_MS', '999'] // less than the first delay
	])('refuses %s=%s with a TypeError naming it', (name, value) => {
		expect(() => scheduleFromEnv({ [name]: value })).toThrow(TypeError);
		expect(() => scheduleFromEnv({ [name]: value })).toThrow(name);
	});
});

describe('formatWait', () => {
	it.each([
		[1, '1 second'],
		[1_000, '1 second'],
		[1_001, '2 seconds'],
		[45_000, '45 seconds'],
		[60_000, '1 minute'],
		[64_000, '1 minute 4 seconds'],
		[15 * 60_000, '15 minutes'],
		[3_905_000, '1 hour 5 minutes 5 seconds']
	])('%i ms is "%s" (rounded up, never less than the real wait)', (ms, words) => {
		expect(formatWait(ms)).toBe(words);
	});
});
