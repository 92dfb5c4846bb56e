/**
 * Notification preferences from Settings: a category switched off raises no toast but still
 * counts on the bell; with sound on, a toast plays the Web Audio beep (counted by the probe that
 * wraps the page's AudioContext).
 */
import type { Page } from '@playwright/test';
import { expect, test } from '../support/e2e-fixtures';
import { badgeCount, login } from '../support/e2e-app';
import { beepCount, toastLog } from '../support/e2e-probes';

const SOCIAL = 'Jordan endorsed you for TypeScript';
const SYSTEM = 'Scheduled maintenance tonight';

/** Client-side navigation through the top bar (keeps the document, so the probes keep counting). */
async function open(page: Page, name: 'Settings' | 'Simulate') {
	await page.getByTestId(`nav-${name.toLowerCase()}`).click();
	await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

/** Send the sample notification of `category` from the Simulate page and wait for the answer. */
async function sendNotification(page: Page, category: string, title: string) {
	await page.getByTestId(`simulate-notification-${category}`).click();
	await expect(page.getByTestId('simulate-result')).toHaveText(`Sent "${title}".`);
}

test('a category switched off in Settings shows no toast but still counts on the bell', async ({
	page
}) => {
	await login(page);
	await open(page, 'Settings');
	const social = page.getByTestId('pref-category-social');
	await expect(social).toBeChecked();
	await social.uncheck();
	await page.reload();
	await expect(page.getByTestId('pref-category-social')).not.toBeChecked();
	await expect(page.getByTestId('pref-category-system')).toBeChecked();

	await open(page, 'Simulate');
	const unread = await badgeCount(page, 'bell-badge');
	await sendNotification(page, 'social', SOCIAL);
	await expect.poll(() => badgeCount(page, 'bell-badge')).toBe(unread + 1);

	// A category still on: once its toast shows, the muted one would have shown before it.
	await sendNotification(page, 'system', SYSTEM);
	await expect(page.getByTestId('toast-notification-system')).toContainText(SYSTEM);
	await expect.poll(() => badgeCount(page, 'bell-badge')).toBe(unread + 2);
	const log = await toastLog(page);
	expect(log.some((text) => text.includes(SYSTEM))).toBe(true);
	expect(log.filter((text) => text.includes(SOCIAL))).toEqual([]);

	// The muted notification is still listed.
	await page.getByTestId('bell').click();
	await expect(page.getByTestId('notification-item').filter({ hasText: SOCIAL })).toHaveCount(1);
});

test('with sound on, a notification toast plays the beep; with sound off it does not', async ({
	page
}) => {
	await login(page);
	await open(page, 'Settings');
	const sound = page.getByTestId('pref-sound');
	await expect(sound).not.toBeChecked();

	await open(page, 'Simulate');
	await sendNotification(page, 'system', SYSTEM);
	await expect(page.getByTestId('toast-notification-system')).toContainText(SYSTEM);
	expect(await beepCount(page)).toBe(0);

	await open(page, 'Settings');
	await page.getByTestId('pref-sound').check();
	await open(page, 'Simulate');
	await sendNotification(page, 'social', SOCIAL);
	await expect(page.getByTestId('toast-notification-social')).toContainText(SOCIAL);
	await expect.poll(() => beepCount(page)).toBe(1);

	// The Settings page's "Test sound" plays it too.
	await open(page, 'Settings');
	await page.getByTestId('test-sound').click();
	await expect.poll(() => beepCount(page)).toBe(2);
});
