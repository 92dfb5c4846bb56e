/**
 * Repeated failed sign-ins in the browser: after the free failures the form says in words how long
 * to wait (the answer is HTTP 429 with Retry-After), the right password changes nothing in that
 * window, and once the wait has passed it signs in. The server runs a short schedule
 * (SIGNIN_* variables): 2 free failures, then 4 s.
 */
import { expect, test as withServers } from '../support/e2e-fixtures';
import { ALEX, DEMO_PASSWORD, waitForHydration } from '../support/e2e-app';

const WAIT_MS = 4_000;

const test = withServers.extend({
	app: async ({ servers }, use) => {
		await use(
			await servers.start({
				env: {
					SIGNIN_FREE_FAILURES: '2',
					SIGNIN_FIRST_DELAY_MS: String(WAIT_MS),
					SIGNIN_MAX_DELAY_MS: String(WAIT_MS)
				}
			})
		);
	}
});

test('after repeated failures the form says how long to wait, and signs in once that has passed', async ({
	page
}) => {
	await page.goto('/login');
	await waitForHydration(page);
	const email = page.getByLabel('Email');
	const password = page.getByLabel('Password');
	const submit = page.getByRole('button', { name: 'Sign in' });
	const error = page.getByTestId('login-error');

	/** Submit the form; resolves with the sign-in answer (status and Retry-After). */
	async function signInWith(secret: string) {
		await password.fill(secret);
		const [answer] = await Promise.all([
			page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/login')),
			submit.click()
		]);
		return { status: answer.status(), retryAfter: answer.headers()['retry-after'] };
	}

	await email.fill(ALEX);
	// The enhanced form's failures travel in a 200 JSON answer (SvelteKit's); only a refusal is 429.
	expect(await signInWith('wrong-1')).toEqual({ status: 200, retryAfter: undefined });
	await expect(error).toHaveText('Incorrect email or password');
	expect(await signInWith('wrong-2')).toEqual({ status: 200, retryAfter: undefined });
	await expect(error).toHaveText('Incorrect email or password');
	// The server counted the second failure before it answered: the wait ends by then + 4 s.
	const waitOverAt = Date.now() + WAIT_MS;

	// Too soon, even with the right password: the password is not checked at all.
	const refused = await signInWith(DEMO_PASSWORD);
	expect(refused.status).toBe(429);
	expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
	expect(Number(refused.retryAfter)).toBeLessThanOrEqual(WAIT_MS / 1000);
	await expect(error).toHaveText(
		`Too many failed sign-ins. Wait ${refused.retryAfter === '1' ? '1 second' : `${refused.retryAfter} seconds`}, then try again.`
	);
	await expect(error).toHaveAttribute('role', 'alert');
	await expect(email).toHaveValue(ALEX);
	await expect(page).toHaveURL(/\/login$/);
	expect((await page.context().cookies()).some((cookie) => cookie.name === 'session')).toBe(false);

	// The wait the form named is over: the same right password signs in.
	await page.waitForTimeout(Math.max(0, waitOverAt - Date.now()));
	expect((await signInWith(DEMO_PASSWORD)).status).toBe(200); // the enhanced form's redirect result
	await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
});
