/**
 * On a 390×844 phone (Chromium's mobile emulation, touch): no page is wider than the screen,
 * signed in or out; the page links fold behind a menu button; Applications shows cards; toasts
 * stay on screen; the status details open and close on tap, with Retry while reconnecting or
 * disconnected.
 *
 * With `isMobile`, Chromium widens the layout viewport (and `innerWidth`) to fit content that is
 * too wide, so widths are compared with the device's 390 px, never with `innerWidth`.
 */
import type { Browser, Page } from '@playwright/test';
import { expect, test } from '../support/e2e-fixtures';
import { expectDot, login, simulate, waitForHydration } from '../support/e2e-app';
import { installProbes } from '../support/e2e-probes';

const DEVICE = { width: 390, height: 844 };

async function phone(browser: Browser, baseURL: string): Promise<Page> {
	const context = await browser.newContext({
		baseURL,
		viewport: DEVICE,
		isMobile: true,
		hasTouch: true,
		deviceScaleFactor: 2
	});
	await installProbes(context);
	return context.newPage();
}

/** The widest the document gets: its scrollWidth and that of <body>. */
const documentWidth = (page: Page) =>
	page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));

const SIGNED_IN = [
	'/',
	'/jobs',
	'/applications',
	'/notifications',
	'/notifications?category=social',
	'/settings',
	'/simulate',
	'/inspect',
	'/no-such-page'
];
const SIGNED_OUT = ['/login', '/login?reason=session-ended', '/login?redirectTo=%2Fapplications'];

test('no page is wider than the 390 px screen, signed out and signed in', async ({
	browser,
	app
}) => {
	const page = await phone(browser, app.url);
	for (const path of SIGNED_OUT) {
		await page.goto(path);
		await waitForHydration(page);
		expect(await documentWidth(page), path).toBeLessThanOrEqual(DEVICE.width);
	}
	await login(page);
	// Every page the navigation links to (a page added later is covered too), and a few more.
	const linked = await page
		.getByRole('navigation', { name: 'Main' })
		.getByRole('link')
		.evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? '/'));
	for (const path of new Set([...linked, ...SIGNED_IN])) {
		await page.goto(path);
		await waitForHydration(page);
		if (path === '/inspect') await expect(page.getByTestId('chart-drawing')).toBeVisible();
		expect(await documentWidth(page), path).toBeLessThanOrEqual(DEVICE.width);
		// With the menu and the status details open, too.
		await page.getByTestId('menu-button').tap();
		await page.getByTestId('connection-trigger').tap();
		expect(await documentWidth(page), `${path}, menu and details open`).toBeLessThanOrEqual(
			DEVICE.width
		);
	}
	await page.context().close();
});

test('the page links fold behind a menu button that opens, navigates and closes', async ({
	browser,
	app
}) => {
	const page = await phone(browser, app.url);
	await login(page);
	const bar = page.getByRole('banner');
	const barBox = await bar.boundingBox();
	expect(barBox?.height, 'the top bar is one row').toBeLessThan(72);
	const menu = page.getByTestId('menu-button');
	const links = page.getByRole('navigation', { name: 'Main' });
	await expect(menu).toBeVisible();
	await expect(menu).toHaveAttribute('aria-expanded', 'false');
	await expect(links).toBeHidden();

	await menu.tap();
	await expect(menu).toHaveAttribute('aria-expanded', 'true');
	await expect(links.getByRole('link', { name: 'Applications' })).toBeVisible();
	await links.getByRole('link', { name: 'Applications' }).tap();
	await expect(page.getByRole('heading', { level: 1, name: 'Applications' })).toBeVisible();
	await expect(menu).toHaveAttribute('aria-expanded', 'false');
	await expect(links).toBeHidden();

	// A tap elsewhere closes it too, and so does Escape.
	await menu.tap();
	await expect(links).toBeVisible();
	await page.touchscreen.tap(DEVICE.width / 2, DEVICE.height - 20);
	await expect(links).toBeHidden();
	await menu.tap();
	await page.keyboard.press('Escape');
	await expect(links).toBeHidden();
	await expect(menu).toBeFocused();
	await page.context().close();
});

test('Applications shows one card per application, each within the screen', async ({
	browser,
	app
}) => {
	const page = await phone(browser, app.url);
	await login(page);
	await page.goto('/applications');
	await waitForHydration(page);
	const rows = page.getByTestId('application-row');
	expect(await rows.count()).toBeGreaterThan(2);
	// The column headings are left to screen readers; each card names its own fields.
	expect(
		await page.locator('thead').evaluate((el) => el.getBoundingClientRect().height)
	).toBeLessThanOrEqual(1);
	for (const row of await rows.all()) {
		const box = await row.boundingBox();
		expect(box && box.x >= 0 && box.x + box.width <= DEVICE.width).toBe(true);
		expect(await row.evaluate((el) => getComputedStyle(el).display)).toBe('block');
		await expect(row.getByRole('combobox')).toBeVisible();
		// Each field says what it is (the card's labels come from the cells' data-label).
		const label = await row
			.locator('td[data-label="Company"]')
			.evaluate((el) => getComputedStyle(el, '::before').content);
		expect(label).toBe('"Company"');
	}
	// Changing a status from a card works as it does in the table.
	const card = rows.filter({ hasText: 'Frontend Engineer' });
	await card.getByRole('combobox').selectOption('screening');
	await card.getByRole('button', { name: /Update/ }).tap();
	await expect(card).toHaveAttribute('data-status', 'screening');
	const toast = page.getByTestId('toast-application-info');
	await expect(toast).toBeVisible();
	const box = await page.locator('.toaster > *').first().boundingBox();
	expect(box && box.x >= 0 && box.x + box.width <= DEVICE.width).toBe(true);
	expect(box && box.y >= 0 && box.y + box.height <= DEVICE.height).toBe(true);
	await page.context().close();
});

test('toasts stay on the phone screen', async ({ browser, app }) => {
	const page = await phone(browser, app.url);
	await login(page);
	for (const category of ['social', 'system', 'recommendation', 'job_alert']) {
		await simulate(page, 'notification', { category });
	}
	const toasts = page.locator('.toaster > *');
	await expect(toasts).toHaveCount(3);
	for (const t of await toasts.all()) {
		const box = await t.boundingBox();
		expect(box && box.x >= 0 && box.x + box.width <= DEVICE.width, 'within the width').toBe(true);
		expect(box && box.y >= 0 && box.y + box.height <= DEVICE.height, 'within the height').toBe(
			true
		);
	}
	await page.context().close();
});

test('the status details open and close on tap; Retry there while reconnecting and when disconnected', async ({
	browser,
	app
}) => {
	const page = await phone(browser, app.url);
	await login(page);
	const trigger = page.getByRole('banner').getByTestId('connection-trigger');
	const details = page.getByRole('banner').getByTestId('connection-tooltip');
	await trigger.tap();
	await expect(trigger).toHaveAttribute('aria-expanded', 'true');
	await expect(details).toBeVisible();
	await expect(details).toHaveText(/Connected/);
	await trigger.tap();
	await expect(trigger).toHaveAttribute('aria-expanded', 'false');
	await expect(details).toBeHidden();

	// Reconnecting: Retry tries at once (on /inspect, whose event log shows what the machine got).
	await page.goto('/inspect');
	await waitForHydration(page);
	await expectDot(page, 'green');
	await app.stop();
	await expectDot(page, 'yellow');
	await trigger.tap();
	await expect(details).toHaveText(/attempt \d+/);
	const retry = page.getByRole('banner').getByRole('button', { name: 'Retry' });
	await retry.tap();
	await expect(
		page.locator('[data-testid="event-log-entry"][data-event-type="RETRY_NOW"]')
	).toHaveCount(1);
	await app.start();
	await expectDot(page, 'green');
	await expect(retry).toHaveCount(0);

	// Disconnected on purpose (Inspect's Disconnect): Retry connects again.
	await page.getByRole('button', { name: 'Disconnect' }).tap();
	await expectDot(page, 'red');
	if ((await trigger.getAttribute('aria-expanded')) !== 'true') await trigger.tap();
	await page.getByRole('banner').getByRole('button', { name: 'Retry' }).tap();
	await expectDot(page, 'green');
	await page.context().close();
});
