/**
 * /inspect draws the live chart: boxes for states (children inside their parents) and arrows
 * labelled with events and guards, laid out by ELK in a worker; the active states highlighted as
 * they change and the last transition marked; the context and the event log beside it. ELK is
 * loaded by /inspect only, from the app itself (no other host), and the drawing stays live while
 * the browser is offline. Keyboard: the drawing's region, "Fit to width" and the text version are
 * reachable.
 */
import type { Page } from '@playwright/test';
import { expect, test } from '../support/e2e-fixtures';
import { expectDot, login, waitForHydration } from '../support/e2e-app';

const node = (page: Page, id: string) =>
	page.locator(`[data-testid="chart-node"][data-state-id="realtime.connection.${id}"]`);
const lastArrows = (page: Page) => page.locator('[data-transition][data-last="true"]');

test('the drawn chart highlights the active states after Disconnect and Connect, and marks the last transition', async ({
	page
}) => {
	await login(page);
	await page.getByTestId('nav-inspect').click();
	const drawing = page.getByTestId('chart-drawing');
	await expect(drawing).toBeVisible();
	// Boxes and arrows, nested: every state of the chart, its children inside it.
	const states = await page.getByTestId('chart-node').count();
	expect(states).toBeGreaterThanOrEqual(10);
	expect(await page.locator('[data-transition]').count()).toBeGreaterThanOrEqual(20);
	const outer = await node(page, 'reconnecting').locator('rect').boundingBox();
	const inner = await node(page, 'reconnecting.backoff').locator('rect').boundingBox();
	expect(outer && inner && inner.x > outer.x && inner.y > outer.y).toBe(true);
	expect(inner && outer && inner.x + inner.width < outer.x + outer.width).toBe(true);
	await expect(page.locator('[data-transition*="[isOffline]"]').first()).toBeAttached();

	await expect(node(page, 'connected')).toHaveAttribute('data-active', 'true');
	await expect(node(page, 'connected.live')).toHaveAttribute('data-active', 'true');
	await expect(node(page, 'connected')).toHaveAccessibleName(/connected, active/);

	await page.getByRole('button', { name: 'Disconnect' }).click();
	await expectDot(page, 'red');
	await expect(node(page, 'disconnected')).toHaveAttribute('data-active', 'true');
	await expect(node(page, 'connected')).toHaveAttribute('data-active', 'false');
	await expect(node(page, 'connected.live')).toHaveAttribute('data-active', 'false');
	// DISCONNECT moves both regions in one step; the role region's (the tab leaves its tab
	// group) comes last in document order.
	await expect(lastArrows(page)).toHaveCount(1);
	await expect(lastArrows(page)).toHaveAttribute(
		'data-transition',
		/^realtime\.role\.member\|DISCONNECT\|realtime\.role\.detached$/
	);
	await expect(page.getByTestId('last-transition')).toContainText('DISCONNECT → role.detached');
	// The highlight is drawn, not only named: the active box has a thicker outline.
	const width = (id: string) =>
		node(page, id)
			.locator('rect')
			.evaluate((el) => parseFloat(getComputedStyle(el).strokeWidth));
	expect(await width('disconnected')).toBeGreaterThan(await width('idle'));

	await page.getByRole('button', { name: 'Connect', exact: true }).click();
	await expectDot(page, 'green');
	await expect(node(page, 'connected')).toHaveAttribute('data-active', 'true');
	await expect(node(page, 'disconnected')).toHaveAttribute('data-active', 'false');
	await expect(lastArrows(page).first()).toHaveAttribute(
		'data-transition',
		/SOCKET\.OPEN\|realtime\.connection\.connected$/
	);
	// The context table and the event log beside it follow too.
	await expect(page.getByTestId('context-state')).toContainText('connected');
	await expect(
		page.locator('[data-testid="event-log-entry"][data-event-type="DISCONNECT"]')
	).toHaveCount(1);
	await expect(
		page.locator('[data-testid="event-log-entry"][data-event-type="CONNECT"]')
	).toHaveCount(1);
});

test('ELK is loaded on /inspect only, from the app itself, and the drawing stays live offline', async ({
	page,
	context,
	app
}) => {
	const elkRequests: string[] = [];
	const foreign: string[] = [];
	page.on('request', (request) => {
		if (/elk/i.test(request.url())) elkRequests.push(request.url());
		if (!request.url().startsWith(app.url) && !request.url().startsWith('ws://127.0.0.1')) {
			foreign.push(request.url());
		}
	});
	await login(page);
	for (const link of ['jobs', 'applications', 'notifications', 'settings', 'dashboard']) {
		await page.getByTestId(`nav-${link}`).click();
		await waitForHydration(page);
	}
	expect(elkRequests, 'no page but /inspect loads ELK').toEqual([]);

	await page.getByTestId('nav-inspect').click();
	await expect(page.getByTestId('chart-drawing')).toBeVisible();
	expect(elkRequests.some((url) => url.includes('elk-worker'))).toBe(true);
	expect(elkRequests.every((url) => url.startsWith(app.url))).toBe(true);
	expect(foreign, 'nothing from another host').toEqual([]);

	await context.setOffline(true);
	await expect(node(page, 'offline')).toHaveAttribute('data-active', 'true');
	await expect(node(page, 'connected')).toHaveAttribute('data-active', 'false');
	await context.setOffline(false);
	await expect(node(page, 'connected')).toHaveAttribute('data-active', 'true');
});

test('keyboard: the drawing region scrolls, Fit to width toggles, and the chart as text opens', async ({
	page
}) => {
	await login(page);
	await page.goto('/inspect');
	await expect(page.getByTestId('chart-drawing')).toBeVisible();
	const fit = page.getByRole('button', { name: 'Fit to width' });
	await fit.focus();
	await page.keyboard.press('Tab');
	const region = page.getByRole('region', { name: 'Statechart drawing' });
	await expect(region).toBeFocused();
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('End');
	await expect.poll(() => region.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);

	await fit.focus();
	await page.keyboard.press('Enter');
	await expect(fit).toHaveAttribute('aria-pressed', 'true');
	const fits = await region.evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
	expect(fits).toBe(true);

	const summary = page.getByText('The chart as text');
	await summary.focus();
	await page.keyboard.press('Enter');
	await expect(page.getByTestId('state-chart')).toBeVisible();
	await expect(
		page
			.locator('[data-testid="chart-state"][data-active="true"]')
			.filter({ hasText: /^connected\b/ })
	).toHaveCount(1);
});
