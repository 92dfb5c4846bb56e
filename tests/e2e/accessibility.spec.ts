/**
 * Every page, in the light and the dark theme, at 1280×800 and on a 390×844 phone: axe-core finds
 * no serious or critical WCAG 2.1 A/AA violation, and a full-page screenshot of each is kept as a
 * test artifact (test-results/<test>/<page>-<size>-<theme>.png, also attached to the report).
 */
import type { Page } from '@playwright/test';
import { expect, test } from '../support/e2e-fixtures';
import { expectDot, login } from '../support/e2e-app';
import {
	expectTheme,
	screenshot,
	seriousViolations,
	THEMES,
	useTheme,
	type Theme
} from '../support/e2e-axe';

const PAGES = [
	{ name: 'dashboard', path: '/', heading: 'Dashboard' },
	{ name: 'jobs', path: '/jobs', heading: 'Jobs' },
	{ name: 'applications', path: '/applications', heading: 'Applications' },
	{ name: 'notifications', path: '/notifications', heading: 'Notifications' },
	{ name: 'profile', path: '/profile', heading: 'Profile' },
	{ name: 'job', path: '/jobs/1', heading: 'Senior Software Engineer' },
	{ name: 'settings', path: '/settings', heading: 'Settings' },
	{ name: 'simulate', path: '/simulate', heading: 'Simulate' },
	{ name: 'inspect', path: '/inspect', heading: 'Inspect' },
	{ name: 'login', path: '/login', heading: 'Sign in' }
] as const;

const SIZES = [
	{ name: 'desktop', viewport: { width: 1280, height: 800 } },
	{ name: 'phone', viewport: { width: 390, height: 844 } }
] as const;

/** Load `path` in `theme` (the app follows the system scheme when no theme is saved). */
async function show(page: Page, path: string, heading: string, theme: Theme) {
	await useTheme(page, theme);
	await page.goto(path);
	await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
	await expectTheme(page, theme);
}

for (const { name, path, heading } of PAGES) {
	test(`${name}: no serious or critical axe violations, light and dark, desktop and phone; screenshots`, async ({
		page
	}, testInfo) => {
		if (name !== 'login') await login(page);
		for (const size of SIZES) {
			await page.setViewportSize(size.viewport);
			for (const theme of THEMES) {
				const shot = `${name}-${size.name}-${theme}`;
				await show(page, path, heading, theme);
				if (name !== 'login') await expectDot(page, 'green');
				if (name === 'inspect') await expect(page.getByTestId('chart-drawing')).toBeVisible();
				await screenshot(page, testInfo, shot);
				expect(await seriousViolations(page, testInfo, shot), shot).toEqual([]);
			}
		}
	});
}

test('keyboard: skip link first, every nav link reachable with a visible focus ring, the status details open and close', async ({
	page
}) => {
	await login(page);
	await page.keyboard.press('Tab');
	const skip = page.getByRole('link', { name: 'Skip to content' });
	await expect(skip).toBeFocused();
	await expect(skip).toBeInViewport();

	const focusRing = () =>
		page.evaluate(() => {
			const el = document.activeElement as HTMLElement;
			const style = getComputedStyle(el);
			return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
		});
	const navLinks = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
	const names = await navLinks.allTextContents();
	expect(names.length).toBeGreaterThanOrEqual(7);
	const reached = new Set<string>();
	// Walk forward until the status button; every stop on the way shows the focus ring.
	for (let stop = 0; stop < 20; stop++) {
		await page.keyboard.press('Tab');
		expect(await focusRing(), `focus ring at stop ${stop}`).toBe(true);
		if (
			await page.getByTestId('connection-trigger').evaluate((el) => el === document.activeElement)
		)
			break;
		const text = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
		reached.add(text);
	}
	for (const name of names) expect([...reached].some((r) => r.startsWith(name.trim()))).toBe(true);

	// The details open and close with the keyboard, and aria-expanded always says which it is.
	const trigger = page.getByTestId('connection-trigger');
	const tooltip = page.getByRole('banner').getByTestId('connection-tooltip');
	await expect(trigger).toHaveAttribute('aria-expanded', 'false');
	await expect(tooltip).toBeHidden();
	await page.keyboard.press('Enter');
	await expect(trigger).toHaveAttribute('aria-expanded', 'true');
	await expect(tooltip).toBeVisible();
	await page.keyboard.press('Escape');
	await expect(trigger).toHaveAttribute('aria-expanded', 'false');
	await expect(tooltip).toBeHidden();
	await expect(trigger).toBeFocused();
});
