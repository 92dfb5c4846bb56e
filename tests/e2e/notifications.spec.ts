/**
 * The Notifications page: paged (20 a page, in the URL), relative times with the exact time in a
 * tooltip (moving on while the page stays open), a category filter, a friendly answer for a
 * category that does not exist, and empty states; the bell's badge updating in place.
 */
import { expect, test } from '../support/e2e-fixtures';
import { badgeCount, login, simulate, waitForHydration } from '../support/e2e-app';

test('paged 20 at a time with Next and page links in the URL; times read "… ago" with the exact time in a tooltip', async ({
	page
}) => {
	await login(page);
	for (let i = 0; i < 20; i++) await simulate(page, 'notification', { category: 'system' });
	await page.goto('/notifications');
	await waitForHydration(page);
	const items = page.getByTestId('notification-list').getByTestId('notification-item');
	await expect(items).toHaveCount(20);
	const total = Number(
		/(\d+) notifications/.exec(
			(await page.getByTestId('notifications-count').textContent()) ?? ''
		)?.[1]
	);
	expect(total).toBeGreaterThan(20);

	const time = items.first().getByTestId('notification-time');
	await expect(time).toContainText('just now');
	await expect(time).toHaveAttribute('title', /\d{4}, \d{1,2}:\d{2}/);

	const pager = page.getByRole('navigation', { name: 'Notification pages' });
	await pager.getByTestId('pager-next').click();
	await expect(page).toHaveURL(/\/notifications\?page=2$/);
	await expect(items).toHaveCount(total - 20);
	await expect(items.filter({ hasText: 'Welcome to Career Copilot' })).toHaveCount(1);
	// The seeded welcome, two weeks old, reads as a date.
	await expect(
		items.filter({ hasText: 'Welcome to Career Copilot' }).getByTestId('notification-time')
	).toHaveText(/^[A-Z][a-z]{2} \d{1,2}(, \d{4})?, /);
	await expect(
		items.filter({ hasText: 'Priya Shah viewed your profile' }).getByTestId('notification-time')
	).toContainText('2 d ago');

	await page.goBack();
	await expect(page).toHaveURL(/\/notifications$/);
	await expect(items).toHaveCount(20);

	await page.goto('/notifications?page=9');
	await expect(page.getByTestId('notification-list')).toHaveCount(0);
	await expect(page.getByText('Page 9 is past the end: there are 2 pages.')).toBeVisible();
});

test('a relative time moves on by itself while the page stays open', async ({ page }) => {
	await login(page);
	await simulate(page, 'notification', { category: 'system' });
	// The page's own clock, so two minutes pass in an instant: the label follows the clock chart's tick.
	await page.clock.install();
	await page.goto('/notifications');
	await waitForHydration(page);
	const time = page.getByTestId('notification-item').first().getByTestId('notification-time');
	await expect(time).toContainText('just now');

	await page.clock.fastForward(2 * 60_000);
	await expect(time).toContainText('2 min ago');
});

test('the category filter lists one category, keeps it while paging, and an unknown category gets a friendly empty state', async ({
	page
}) => {
	await login(page);
	for (let i = 0; i < 21; i++) await simulate(page, 'notification', { category: 'social' });
	await page.goto('/notifications');
	await waitForHydration(page);
	await page.getByTestId('filter-social').click();
	await expect(page).toHaveURL(/\/notifications\?category=social$/);
	await expect(page.getByTestId('filter-social')).toHaveAttribute('aria-current', 'page');
	const items = page.getByTestId('notification-list').getByTestId('notification-item');
	await expect(items).toHaveCount(20);
	for (const category of await items.evaluateAll((nodes) =>
		nodes.map((node) => node.getAttribute('data-category'))
	)) {
		expect(category).toBe('social');
	}
	await page.getByTestId('pager-next').click();
	await expect(page).toHaveURL(/\/notifications\?category=social&page=2$/);
	// 21 sent plus the one seeded.
	await expect(items).toHaveCount(2);

	await page.getByTestId('filter-job_alert').click();
	await expect(page).toHaveURL(/\/notifications\?category=job_alert$/);
	await expect(items).toHaveCount(1);

	const response = await page.goto('/notifications?category=bogus');
	expect(response?.status()).toBe(200);
	const empty = page.getByTestId('notifications-unknown-category');
	await expect(empty).toContainText('There is no “bogus” category');
	await empty.getByRole('link', { name: 'Show all notifications' }).click();
	await expect(page).toHaveURL(/\/notifications$/);
	await expect(items.first()).toBeVisible();
});

test('the bell badge counts up on the same element and pops again on each new count', async ({
	page
}) => {
	await login(page);
	const badge = page.getByTestId('bell-badge');
	const before = await badgeCount(page, 'bell-badge');
	expect(before).toBeGreaterThan(0);
	// Mark the element and record every animation the page starts on it.
	await badge.evaluate((element) => {
		element.setAttribute('data-probe', 'first');
		const pops: number[] = [];
		(window as unknown as { __pops: number[] }).__pops = pops;
		const animate = Element.prototype.animate;
		Element.prototype.animate = function (this: Element, ...args: Parameters<typeof animate>) {
			if (this === element) pops.push(performance.now());
			return animate.apply(this, args);
		};
	});
	await simulate(page, 'notification', { category: 'system' });
	await expect.poll(() => badgeCount(page, 'bell-badge')).toBe(before + 1);
	await simulate(page, 'notification', { category: 'system' });
	await expect.poll(() => badgeCount(page, 'bell-badge')).toBe(before + 2);
	await expect(badge).toHaveAttribute('data-probe', 'first');
	const pops = await page.evaluate(() => (window as unknown as { __pops: number[] }).__pops);
	expect(pops).toHaveLength(2);
});
