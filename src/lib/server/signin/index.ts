/**
 * The sign-in throttle as the login action uses it: one throttle per store and process (it keeps
 * when it last pruned), the schedule from the environment, and the answer a refused attempt gets.
 */
import type { Db } from '../db/schema';
import { formatWait } from '$lib/format';
import { scheduleFromEnv } from './schedule';
import { createSigninThrottle, type SigninThrottle } from './throttle';

export { signinKeys } from './throttle';

const throttles = new WeakMap<Db, SigninThrottle>();

/** The throttle on this store, with the schedule SIGNIN_* set (see scheduleFromEnv). */
export function signinThrottle(db: Db, env: Record<string, string | undefined>): SigninThrottle {
	let throttle = throttles.get(db);
	if (!throttle) {
		throttle = createSigninThrottle({ db, schedule: scheduleFromEnv(env) });
		throttles.set(db, throttle);
	}
	return throttle;
}

/** What a refused attempt is told: Retry-After in whole seconds, and the same wait in words. */
export function refusal(retryAfterMs: number): { retryAfter: number; message: string } {
	const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
	return {
		retryAfter,
		message: `Too many failed sign-ins. Wait ${formatWait(retryAfter * 1000)}, then try again.`
	};
}

/**
 * SvelteKit answers a form action called by `use:enhance` with HTTP 200 whatever status its
 * `fail()` had (the status travels inside the JSON), while a plain form post gets the status
 * itself. A refused sign-in is 429 to every client: a 200 that carries Retry-After is that answer.
 */
export function withRefusalStatus(response: Response): Response {
	if (response.status !== 200 || !response.headers.has('retry-after')) return response;
	return new Response(response.body, {
		status: 429,
		statusText: 'Too Many Requests',
		headers: response.headers
	});
}
