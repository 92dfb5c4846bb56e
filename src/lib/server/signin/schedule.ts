/**
 * How long a sign-in has to wait after consecutive failures: nothing for the first few (people
 * mistype), then a delay that doubles with each further failure up to a ceiling. Pure: the
 * store-backed throttle (./throttle.ts) asks it, and so do its tests, with any clock.
 */

/** The shape of the delay curve. Durations in ms. */
export interface ThrottleSchedule {
	/** Failures in a row that cost nothing; the next attempt after one more waits `firstDelayMs`. */
	freeFailures: number;
	/** The wait after failure number `freeFailures`; each further failure doubles it. */
	firstDelayMs: number;
	/** The ceiling: no wait is ever longer. */
	maxDelayMs: number;
	/**
	 * A run of failures older than this (counted from its last failure) is forgotten, and its
	 * record may be pruned from the store.
	 */
	forgetAfterMs: number;
}

/** Free for the first 5 failures, then 1 s, 2 s, 4 s … up to 15 minutes; forgotten after a day. */
export const DEFAULT_SCHEDULE: Readonly<ThrottleSchedule> = Object.freeze({
	freeFailures: 5,
	firstDelayMs: 1_000,
	maxDelayMs: 15 * 60_000,
	forgetAfterMs: 24 * 60 * 60_000
});

/**
 * The wait before the next attempt after `failures` consecutive failures: 0 below
 * `freeFailures`, then `firstDelayMs · 2^(failures − freeFailures)`, at most `maxDelayMs`.
 */
export function delayAfter(
	failures: number,
	schedule: ThrottleSchedule = DEFAULT_SCHEDULE
): number {
	if (failures < schedule.freeFailures) return 0;
	const doublings = failures - schedule.freeFailures;
	// 2^doublings overflows to Infinity long before it matters; min() takes care of it.
	return Math.min(schedule.maxDelayMs, schedule.firstDelayMs * 2 ** doublings);
}

/** A run of consecutive failures as the store keeps it. */
export interface FailureRun {
	failures: number;
	/** Epoch ms of the latest failure of the run. */
	lastFailureAt: number;
}

/** The run as it counts at `now`: none once it is older than `forgetAfterMs`. */
export function currentRun(
	run: FailureRun | undefined,
	now: number,
	schedule: ThrottleSchedule = DEFAULT_SCHEDULE
): FailureRun | undefined {
	return run && now - run.lastFailureAt < schedule.forgetAfterMs ? run : undefined;
}

/** How many ms from `now` until the next attempt may be tried; 0 when it may be tried now. */
export function waitFor(
	run: FailureRun | undefined,
	now: number,
	schedule: ThrottleSchedule = DEFAULT_SCHEDULE
): number {
	const counted = currentRun(run, now, schedule);
	if (!counted) return 0;
	return Math.max(0, counted.lastFailureAt + delayAfter(counted.failures, schedule) - now);
}

/** The run after one more failure at `now` (a forgotten run starts again from one). */
export function afterFailure(
	run: FailureRun | undefined,
	now: number,
	schedule: ThrottleSchedule = DEFAULT_SCHEDULE
): FailureRun {
	const counted = currentRun(run, now, schedule);
	return { failures: (counted?.failures ?? 0) + 1, lastFailureAt: now };
}

/** Environment variables that set the schedule, by field. */
const SCHEDULE_ENV = {
	freeFailures: 'SIGNIN_FREE_FAILURES',
	firstDelayMs: 'SIGNIN_FIRST_DELAY_MS',
	maxDelayMs: 'SIGNIN_MAX_DELAY_MS'
} as const satisfies Partial<Record<keyof ThrottleSchedule, string>>;

/**
 * The schedule from SIGNIN_FREE_FAILURES, SIGNIN_FIRST_DELAY_MS and SIGNIN_MAX_DELAY_MS, each
 * falling back to {@link DEFAULT_SCHEDULE}.
 * @throws TypeError naming the variable when one is not a whole number in range
 */
export function scheduleFromEnv(env: Record<string, string | undefined>): ThrottleSchedule {
	const schedule: ThrottleSchedule = { ...DEFAULT_SCHEDULE };
	for (const [field, name] of Object.entries(SCHEDULE_ENV) as [
		keyof typeof SCHEDULE_ENV,
		string
	][]) {
		const raw = env[name];
		if (raw === undefined || raw === '') continue;
		const value = Number(raw);
		const least = field === 'freeFailures' ? 0 : 1;
		if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < least) {
			throw new TypeError(`${name} must be a whole number ≥ ${least}, got ${JSON.stringify(raw)}`);
		}
		schedule[field] = value;
	}
	if (schedule.maxDelayMs < schedule.firstDelayMs) {
		throw new TypeError(
			`${SCHEDULE_ENV.maxDelayMs} (${schedule.maxDelayMs}) must not be less than ${SCHEDULE_ENV.firstDelayMs} (${schedule.firstDelayMs})`
		);
	}
	// Never forget a run before its longest wait is over.
	schedule.forgetAfterMs = Math.max(schedule.forgetAfterMs, schedule.maxDelayMs);
	return schedule;
}
