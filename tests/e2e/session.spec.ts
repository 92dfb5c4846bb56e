/**
 * Signing out in one tab ends that session everywhere: its other tabs stop receiving the user's
 * live events and are told to sign in again (the status dot's "Session expired" with a Sign in
 * link, or the sign-in page itself, with the way back to where they were) — and nothing on the way
 * claims the connection is back.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from '../support/e2e-fixtures';
import { expectDot, login, openNotifications, waitForHydration } from '../support/e2e-app';
import { toastLog } from '../support/e2e-probes';

/** Sign out from a second tab of the same browser context (same session cookie). */
async function signOutInAnotherTab(context: BrowserContext): Promise<void> {
	const tab = await context.newPage();
	await tab.goto('/settings');
	await waitForHydration(tab);
	await tab.getByRole('button', { name: 'Log out' }).click();
	await expect(tab.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
	await tab.close();
}

/**
 * The page tells its user to sign in again: either the status dot says "Session expired" and
 * offers Sign in, or the app has moved to the sign-in page; both lead back to /notifications.
 */
async function expectToldToSignIn(page: Page, timeout?: number): Promise<void> {
	const bar = page.getByRole('banner');
	const expiredLink = bar.getByRole('link', { name: 'Sign in' });
	const signInPage = page.getByRole('heading', { level: 1, name: 'Sign in' });
	await expect(expiredLink.or(signInPage)).toBeVisible({ timeout });
	if (await expiredLink.isVisible()) {
		await expect(bar.getByTestId('connection-tooltip')).toHaveText(/Session expired/);
		await expectDot(page, 'red');
		await expect(expiredLink).toHaveAttribute('href', '/login?redirectTo=%2Fnotifications');
	} else {
		await expect(page).toHaveURL(/\/login\?redirectTo=%2Fnotifications$/);
	}
}

test('after signing out elsewhere, a server restart never shows the tab as "Reconnected"', async ({
	page,
	context,
	app
}) => {
	await login(page);
	await openNotifications(page);
	await signOutInAnotherTab(context);
	await expectToldToSignIn(page);

	// The revoked session must stay revoked: a restart of the server does not revive the tab.
	await app.stop();
	await app.start();
	await expectToldToSignIn(page);
	expect(await toastLog(page)).not.toContain('Reconnected');
});

test('signing out in one tab closes the live connection of that session in the other tabs', async ({
	page,
	context
}) => {
	await login(page);
	await openNotifications(page);
	await signOutInAnotherTab(context);

	// The session is gone, so its socket must not go on receiving the user's events.
	await expectToldToSignIn(page, 15_000);
});
