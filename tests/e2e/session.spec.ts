/**
 * Signing out in one tab ends that session everywhere: its other tabs stop receiving the user's
 * live events and go to the sign-in page, which says why and leads back to where they were, and
 * nothing on the way claims the connection is back. Signed-in pages are sent no-store, so Back
 * after signing out shows the sign-in page, not the dashboard.
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

/** The tab went to the sign-in page by itself, saying why, with the way back to /notifications. */
async function expectToldToSignIn(page: Page, timeout?: number): Promise<void> {
	await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible({ timeout });
	await expect(page).toHaveURL(/\/login\?redirectTo=%2Fnotifications&reason=session-ended$/);
	await expect(page.getByTestId('login-notice')).toHaveText(
		/Your session ended \(you signed out in another tab, or it expired\)/
	);
	await expect(page.getByRole('banner')).toHaveCount(0);
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

test('signing out in one tab closes that session in the other tabs: they land on the sign-in page saying why, and signing in there returns to their page', async ({
	page,
	context
}) => {
	await login(page);
	await openNotifications(page);
	await signOutInAnotherTab(context);

	// The session is gone, so its socket must not go on receiving the user's events.
	await expectToldToSignIn(page, 15_000);
	await page.getByLabel('Email').fill('alex@example.com');
	await page.getByLabel('Password').fill('password123');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
	await expectDot(page, 'green');
});

test('signed-in pages are sent no-store, and Back after signing out shows the sign-in page', async ({
	page
}) => {
	await login(page);
	const response = await page.goto('/notifications');
	expect(response?.headers()['cache-control']).toBe('no-store');
	await waitForHydration(page);
	await page.getByRole('button', { name: 'Log out' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
	await page.goBack();
	await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
	await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toHaveCount(0);
	await expect(page.getByTestId('notification-item')).toHaveCount(0);
});

test('Back after signing out, with the back/forward cache on, shows no signed-in page either', async ({
	playwright,
	app
}) => {
	// Playwright turns the back/forward cache off by default; a user's browser has it on.
	const browser = await playwright.chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu'],
		ignoreDefaultArgs: ['--disable-back-forward-cache']
	});
	try {
		const context = await browser.newContext({ baseURL: app.url });
		const page = await context.newPage();
		await login(page);
		await openNotifications(page);
		await page.getByRole('button', { name: 'Log out' }).click();
		await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
		await page.goBack();
		await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
		await expect(page.getByTestId('notification-item')).toHaveCount(0);
		await page.goBack();
		await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
		await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toHaveCount(0);
	} finally {
		await browser.close();
	}
});
