/**
 * Signing in through the form: wrong password, then the right one; the dashboard opens and the
 * status dot turns green. And what a user types before the page's scripts have loaded stays.
 */
import { expect, test } from '../support/e2e-fixtures';
import { ALEX, DEMO_PASSWORD, expectDot, waitForHydration } from '../support/e2e-app';

test('sign in with the form: a wrong password is refused, the right one opens the dashboard and the dot turns green', async ({
	page
}) => {
	await page.goto('/');
	await expect(page).toHaveURL(/\/login\?redirectTo=%2F$/);
	// Typing before hydration loses the email (see the next test), so wait for it here.
	await waitForHydration(page);
	const email = page.getByLabel('Email');
	const password = page.getByLabel('Password');
	await email.fill(ALEX);
	await password.fill('wrong-password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByTestId('login-error')).toBeVisible();
	await expect(email).toHaveValue(ALEX);
	await expect(email).toHaveAttribute('aria-describedby', 'login-error');

	await password.fill(DEMO_PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
	await expect(page).toHaveURL(/\/$/);
	await expectDot(page, 'green');
	await expect(page.getByTestId('connection-announcer')).toHaveText('Connection: Connected');
	await expect(page.getByTestId('connection-tooltip')).toHaveText(/Connected/);
});

test('an email typed before the page scripts load is kept when the page hydrates', async ({
	page
}) => {
	// Hold the app's scripts back, as a slow network would, while the user starts typing.
	let release!: () => void;
	const scriptsHeld = new Promise<void>((resolve) => (release = resolve));
	await page.route(/\/_app\/.*\.js$/, async (route) => {
		await scriptsHeld;
		await route.continue();
	});
	await page.goto('/login', { waitUntil: 'commit' });
	await page.getByLabel('Email').fill(ALEX);
	await page.getByLabel('Password').fill(DEMO_PASSWORD);
	release();
	await waitForHydration(page);
	// Hydration is over: read the fields once, no waiting for a value to come back.
	expect(await page.getByLabel('Email').inputValue()).toBe(ALEX);
	expect(await page.getByLabel('Password').inputValue()).toBe(DEMO_PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
});
