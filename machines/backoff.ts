/**
 * The reconnect schedule: exponential backoff with a cap, then jitter so that many clients cut off
 * by the same server restart do not come back in the same millisecond.
 */

export interface BackoffConfig {
	reconnectInterval: number;
	maxReconnectInterval: number;
	reconnectDecay: number;
	jitter: number;
}

/**
 * After a 4429 (rate limited) close the server asked us to slow down: the delay is doubled and
 * never shorter than this many `reconnectInterval`s (still capped at `maxReconnectInterval`).
 */
export const RATE_LIMIT_FLOOR = 5;

/** The delay before attempt `n` (1-based) without jitter: `min(max, interval * decay^(n-1))`. */
export function baseDelay(n: number, config: BackoffConfig): number {
	const exponential = config.reconnectInterval * config.reconnectDecay ** Math.max(0, n - 1);
	return Math.min(config.maxReconnectInterval, exponential);
}

/**
 * The delay before attempt `n`, jittered: `delay * (1 - jitter * random)` with `random` in [0, 1),
 * so the result lies in `(delay * (1 - jitter), delay]`.
 */
export function backoffDelay(
	n: number,
	config: BackoffConfig,
	random: number,
	rateLimited = false
): number {
	const base = baseDelay(n, config);
	const delay = rateLimited
		? Math.min(
				config.maxReconnectInterval,
				Math.max(2 * base, RATE_LIMIT_FLOOR * config.reconnectInterval)
			)
		: base;
	return Math.round(delay * (1 - config.jitter * random));
}
