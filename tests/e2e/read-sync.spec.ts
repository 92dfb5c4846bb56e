/**
 * Marking read is an event in the user's log like any other: another tab of the same browser and
 * another device (a second browser context, signed in on its own) follow at once, without a
 * reload, and a device that was offline gets it replayed when it comes back.
 */
import type { Browser, Page } from '@playwright/test';
import { expect, test } from '../support/e2e-fixtures';
import {
	badgeCount,
	expectDot,
	expectNotReloaded,
	login,
	markDocument,
	openNotifications,
	waitForHydration
} from '../support/e2e-app';
import { installProbes, receivedFrameTypes } from '../support/e2e-probes';

async function device(browser: Browser, baseURL: string): Promise<Page> {
	const context = await browser.newContext({ baseURL });
	await installProbes(context);
	const page = await context.newPage();
	await login(page);
	return page;
}

const unreadItems = (page: Page) =>
	page.locator('[data-testid="notification-item"][data-read="false"]');

test('marking one read in a tab updates the bell and the list of the other tab and of another device, live', async ({
	page,
	context,
	browser,
	app
}) => {
	await login(page);
	await openNotifications(page);
	const other = await context.newPage();
	await other.goto('/');
	await waitForHydration(other);
	await expectDot(other, 'green');
	const phone = await device(browser, app.url);
	await openNotifications(phone);
	for (const p of [other, phone]) await markDocument(p);

	const before = await badgeCount(page, 'bell-badge');
	expect(before).toBeGreaterThan(1);
	const first = unreadItems(page).first();
	const title = (await first.locator('h3').textContent())?.trim() ?? '';
	await first.getByRole('button', { name: /Mark read/ }).click();

	for (const p of [page, other, phone]) {
		await expect(p.getByTestId('bell-badge')).toHaveAttribute('data-count', String(before - 1));
	}
	// The other device's list shows it read; the other tab's dashboard drops it from "Unread".
	await expect(phone.getByTestId('notification-item').filter({ hasText: title })).toHaveAttribute(
		'data-read',
		'true'
	);
	await expect(
		other
			.getByTestId('unread-notifications')
			.getByTestId('notification-item')
			.filter({ hasText: title })
	).toHaveCount(0);
	for (const p of [other, phone]) await expectNotReloaded(p);
	await phone.context().close();
});

test('mark all read reaches every tab and device; one that was offline gets it replayed', async ({
	page,
	browser,
	app
}) => {
	await login(page);
	await openNotifications(page);
	const away = await device(browser, app.url);
	await openNotifications(away);
	await markDocument(away);
	const frames = receivedFrameTypes(away);
	await away.context().setOffline(true);
	await expectDot(away, 'red');

	await page.getByRole('button', { name: 'Mark all read' }).click();
	await expect(page.getByTestId('bell-badge')).toHaveCount(0);
	await expect(unreadItems(page)).toHaveCount(0);

	await away.context().setOffline(false);
	await expect(away.getByTestId('bell-badge')).toHaveCount(0);
	await expect(unreadItems(away)).toHaveCount(0);
	expect(frames, 'the read came as an event in the log, replayed on resume').toContain(
		'notification:read'
	);
	await expectNotReloaded(away);
	await away.context().close();
});
