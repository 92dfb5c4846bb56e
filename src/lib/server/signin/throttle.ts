/**
 * The sign-in throttle: consecutive failed sign-ins are counted per account and per client
 * address in the store (`signin_failures`), so every node behind a load balancer throttles the
 * same run of guesses, and an attempt that comes too soon is refused before its password is
 * checked (a guess in that window teaches nothing).
 *
 * An attempt is counted as a failure before the password is checked and forgiven when it turns
 * out right: counting afterwards would let any number of parallel guesses through while the
 * count still reads "free". The count moves by compare-and-set (an UPDATE that names the values
 * it read), all keys of an attempt in one transaction, so parallel attempts on any number of
 * nodes each take their own turn. A refused attempt changes nothing: the real user is never kept
 * out longer than the wait the last real failure set.
 */
import type { Db } from '../db/schema';
import {
	afterFailure,
	DEFAULT_SCHEDULE,
	waitFor,
	type FailureRun,
	type ThrottleSchedule
} from './schedule';

/** Whether an attempt may check its password now, and if not, for how long it must wait. */
export type SigninGate = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface SigninThrottle {
	/**
	 * Ask before checking a password. Allowed: the attempt now counts as one more failure of each
	 * key until {@link succeeded} forgives it. Refused: nothing is recorded.
	 */
	begin(keys: readonly string[]): Promise<SigninGate>;
	/** The password was right: forget the runs of failures of these keys. */
	succeeded(keys: readonly string[]): Promise<void>;
	/** Delete the runs nobody remembers any more (older than `forgetAfterMs`); how many went. */
	prune(): Promise<number>;
}

export interface SigninThrottleOptions {
	/** The store (table `signin_failures`, migration 0010). */
	db: Db;
	schedule?: ThrottleSchedule;
	/** The clock, epoch ms. */
	now?: () => number;
}

/** How often `begin` prunes old runs on its own (per process). */
const PRUNE_INTERVAL_MS = 10 * 60_000;
/**
 * Rounds of read → compare-and-set before giving up on a key other attempts keep moving. Each
 * lost round means another attempt took a turn, so a key gets busy only past its free failures.
 */
const MAX_ROUNDS = 8;

/** Thrown inside the transaction when a row moved since it was read: roll back, read again. */
class LostRace extends Error {}

/** The keys one attempt is counted under: the account as typed (normalized) and the address. */
export function signinKeys(email: string, clientAddress: string): string[] {
	return [`account:${email.trim().toLowerCase()}`, `address:${addressKey(clientAddress)}`];
}

/**
 * The part of a client address one party controls: the whole IPv4 address, or the /64 network of
 * an IPv6 one (a single host is routinely handed a whole /64). An IPv4-mapped IPv6 address counts
 * as its IPv4 address; anything else (an ADDRESS_HEADER that is not an IP) counts as it is.
 */
export function addressKey(address: string): string {
	const trimmed = address.trim().toLowerCase();
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(trimmed);
	if (mapped) return mapped[1];
	if (!trimmed.includes(':') || !/^[\da-f:]+$/.test(trimmed)) return trimmed.slice(0, 100);
	const [head, tail = ''] = trimmed.split('::');
	const front = head ? head.split(':') : [];
	const back = trimmed.includes('::') && tail ? tail.split(':') : [];
	const groups = [
		...front,
		...Array(Math.max(0, 8 - front.length - back.length)).fill('0'),
		...back
	];
	return `${groups
		.slice(0, 4)
		.map((group) => group.replace(/^0+(?=.)/, ''))
		.join(':')}::/64`;
}

export function createSigninThrottle({
	db,
	schedule = DEFAULT_SCHEDULE,
	now = Date.now
}: SigninThrottleOptions): SigninThrottle {
	let nextPruneAt = 0;

	async function read(keys: readonly string[]): Promise<Map<string, FailureRun>> {
		const rows = await db
			.selectFrom('signin_failures')
			.select(['key', 'failures', 'last_failure_at'])
			.where('key', 'in', keys)
			.execute();
		return new Map(
			rows.map((row) => [row.key, { failures: row.failures, lastFailureAt: row.last_failure_at }])
		);
	}

	/** Move every key from what was read to one more failure, or none of them (false). */
	async function countFailure(
		keys: readonly string[],
		runs: Map<string, FailureRun>,
		at: number
	): Promise<boolean> {
		try {
			await db.transaction().execute(async (trx) => {
				// The same order in every transaction, so two attempts never wait on each other.
				for (const key of [...keys].sort()) {
					const before = runs.get(key);
					const next = afterFailure(before, at, schedule);
					const values = { failures: next.failures, last_failure_at: next.lastFailureAt };
					const result = before
						? await trx
								.updateTable('signin_failures')
								.set(values)
								.where('key', '=', key)
								.where('failures', '=', before.failures)
								.where('last_failure_at', '=', before.lastFailureAt)
								.executeTakeFirst()
						: await trx
								.insertInto('signin_failures')
								.values({ key, ...values })
								.onConflict((conflict) => conflict.column('key').doNothing())
								.executeTakeFirst();
					const changed =
						'numUpdatedRows' in result ? result.numUpdatedRows : result.numInsertedOrUpdatedRows;
					if (changed !== 1n) throw new LostRace();
				}
			});
			return true;
		} catch (error) {
			if (error instanceof LostRace) return false;
			throw error;
		}
	}

	async function prune(): Promise<number> {
		const result = await db
			.deleteFrom('signin_failures')
			.where('last_failure_at', '<=', now() - schedule.forgetAfterMs)
			.executeTakeFirst();
		return Number(result.numDeletedRows);
	}

	return {
		async begin(keys) {
			if (keys.length === 0) throw new TypeError('begin: keys must not be empty');
			for (let round = 0; round < MAX_ROUNDS; round++) {
				const at = now();
				const runs = await read(keys);
				const wait = Math.max(...keys.map((key) => waitFor(runs.get(key), at, schedule)));
				if (wait > 0) return { allowed: false, retryAfterMs: wait };
				if (await countFailure(keys, runs, at)) {
					if (at >= nextPruneAt) {
						nextPruneAt = at + PRUNE_INTERVAL_MS;
						await prune();
					}
					return { allowed: true };
				}
			}
			// Other attempts on these keys won every round: they are guessing in parallel.
			return { allowed: false, retryAfterMs: schedule.firstDelayMs };
		},

		async succeeded(keys) {
			if (keys.length === 0) return;
			await db.deleteFrom('signin_failures').where('key', 'in', keys).execute();
		},

		prune
	};
}
