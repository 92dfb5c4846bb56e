/**
 * Toasts that inform without flooding: at most three on screen under a burst, repeats of a kind
 * folded into one toast that counts them, a close button and Escape, placed off the control just
 * used and never over the top bar, the network toasts replacing one another, and a toast for
 * every status change, moves back included.
 */
import { expect, test } from '../support/e2e-fixtures';
import { badgeCount, boxesOverlap, login, simulate, waitForHydration } from '../support/e2e-app';
import { installProbes, maxToastsOnScreen, toastLog } from '../support/e2e-probes';

const toasts = (page: import('@playwright/test').Page) => page.locator('.toaster > *');

test('a burst of 20 events: never more than 3 toasts on screen, repeats grouped with their count and latest title', async ({
	page
}) => {
	await login(page);
	await page.goto('/settings');
	await waitForHydration(page);
	const unread = await badgeCount(page, 'bell-badge');
	// 12 social, 5 system, 3 recommendation notifications, interleaved, as fast as the server takes them.
	const categories = Array.from({ length: 20 }, (_, i) =>
		i % 4 === 3 ? 'system' : i % 7 === 6 ? 'recommendation' : 'social'
	);
	const counts = Object.fromEntries(
		['social', 'system', 'recommendation'].map((c) => [c, categories.filter((x) => x === c).length])
	);
	for (const category of categories) await simulate(page, 'notification', { category });

	await expect(page.getByTestId('bell-badge')).toHaveAttribute('data-count', String(unread + 20));
	const social = page.getByTestId('toast-notification-social');
	await expect(social).toContainText(`${counts.social} new notifications`);
	await expect(social).toContainText('Jordan endorsed you for TypeScript');
	await expect(social).toHaveAttribute('data-count', String(counts.social));
	await expect(page.getByTestId('toast-notification-system')).toContainText(
		`${counts.system} new notifications`
	);
	expect(await toasts(page).count()).toBeLessThanOrEqual(3);
	expect(await maxToastsOnScreen(page)).toBeLessThanOrEqual(3);
	expect(await maxToastsOnScreen(page)).toBeGreaterThanOrEqual(2);
	// Not one toast per event: the 20 events showed as a handful of grouped toasts.
	expect(await page.getByTestId('toast-notification-social').count()).toBe(1);
});

test('each toast has a close button, and Escape closes the newest', async ({ page }) => {
	await login(page);
	await page.goto('/settings');
	await waitForHydration(page);
	await simulate(page, 'notification', { category: 'social' });
	await simulate(page, 'notification', { category: 'system' });
	await expect(toasts(page)).toHaveCount(2);

	await toasts(page)
		.filter({ hasText: 'Jordan endorsed you' })
		.getByRole('button', { name: /^Close: Jordan endorsed you/ })
		.click();
	await expect(page.getByTestId('toast-notification-social')).toHaveCount(0);
	await expect(toasts(page)).toHaveCount(1);

	await page.getByRole('heading', { level: 1 }).click();
	await page.keyboard.press('Escape');
	await expect(toasts(page)).toHaveCount(0);
});

test('moving an application back (Applied → Screening → Applied) toasts the move back too', async ({
	page
}) => {
	await login(page);
	await page.goto('/applications');
	await waitForHydration(page);
	const row = page.getByTestId('application-row').filter({ hasText: 'Frontend Engineer' });
	await expect(row).toHaveAttribute('data-status', 'applied');
	for (const status of ['screening', 'applied']) {
		await row.getByRole('combobox').selectOption(status);
		await row.getByRole('button', { name: /Update/ }).click();
		await expect(row).toHaveAttribute('data-status', status);
	}
	const info = page.getByTestId('toast-application-info');
	await expect(info).toContainText('Frontend Engineer at Brightline Labs → Applied');
	await expect(info).toContainText('2 application updates');
	const log = await toastLog(page);
	expect(
		log.some((text) => text.includes('Frontend Engineer at Brightline Labs → Screening'))
	).toBe(true);
	expect(log.some((text) => text.includes('→ Applied'))).toBe(true);
	expect(log.join('\n')).not.toContain('->');
});

test('desktop: toasts stack at the bottom right, off the top bar and the button just clicked', async ({
	page
}) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	await login(page);
	await page.goto('/simulate');
	await waitForHydration(page);
	for (const category of ['social', 'system', 'application']) {
		await page.getByTestId(`simulate-notification-${category}`).click();
		await expect(page.getByTestId('simulate-result')).toContainText('Sent');
	}
	await expect(toasts(page)).toHaveCount(3);
	await expect(page.getByTestId('toaster')).toHaveAttribute('data-edge', 'bottom');
	const bar = page.getByRole('banner');
	const used = page.getByTestId('simulate-notification-application');
	for (let i = 0; i < 3; i++) {
		expect(await boxesOverlap(toasts(page).nth(i), used), 'the button').toBe(false);
		expect(await boxesOverlap(toasts(page).nth(i), bar), 'the top bar').toBe(false);
	}
});

test('phone: a toast raised by a button at the bottom of the screen goes under the top bar instead', async ({
	browser,
	app
}) => {
	const context = await browser.newContext({
		baseURL: app.url,
		viewport: { width: 390, height: 844 },
		isMobile: true,
		hasTouch: true
	});
	await installProbes(context);
	const page = await context.newPage();
	await login(page);
	await page.goto('/simulate');
	await waitForHydration(page);
	const button = page.getByTestId('simulate-notification-social');
	await button.evaluate((el) => el.scrollIntoView({ block: 'end' }));
	await button.tap();
	await expect(toasts(page)).toHaveCount(1);
	await expect(page.getByTestId('toaster')).toHaveAttribute('data-edge', 'top');
	await button.tap();
	await page.getByTestId('simulate-notification-system').tap();
	await expect(toasts(page)).toHaveCount(2);
	for (let i = 0; i < 2; i++) {
		const t = toasts(page).nth(i);
		expect(await boxesOverlap(t, button), 'the button').toBe(false);
		expect(await boxesOverlap(t, page.getByRole('banner')), 'the top bar').toBe(false);
		const box = await t.boundingBox();
		expect(
			box && box.x >= 0 && box.x + box.width <= 390 && box.y >= 0 && box.y + box.height <= 844
		).toBe(true);
	}
	// A control high on the screen: the stack goes back to the bottom.
	await page.getByTestId('simulate-job').evaluate((el) => el.scrollIntoView({ block: 'start' }));
	await page.getByTestId('simulate-job').tap();
	await expect(page.getByTestId('toaster')).toHaveAttribute('data-edge', 'bottom');
	await context.close();
});

test('network toasts replace one another in one slot: Reconnecting… becomes Reconnected', async ({
	page,
	app
}) => {
	await login(page);
	await app.stop();
	const slot = toasts(page).filter({ hasText: /Reconnect/ });
	await expect(slot).toHaveText(/Reconnecting…/);
	await app.start();
	await expect(slot).toHaveText(/Reconnected/, { timeout: 20_000 });
	await expect(slot).toHaveCount(1);
	const log = await toastLog(page);
	expect(log.filter((text) => text === 'Reconnecting…')).toHaveLength(1);
	expect(log.filter((text) => text === 'Reconnected')).toHaveLength(1);
	expect(await maxToastsOnScreen(page)).toBe(1);
});
