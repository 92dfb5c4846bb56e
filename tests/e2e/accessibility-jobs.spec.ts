/**
 * The pages of issue 13 (Jobs with a search, a job's page, Profile with and without errors,
 * Notifications paged and with an unknown category) at 1280 and 390 px wide, light and dark:
 * no serious or critical axe violation, nothing wider than the window, and a full-page
 * screenshot of each (test-results/<test>/<page>-<width>-<theme>.png).
 */
import type { Page } from '@playwright/test';
import { expect, test } from '../support/e2e-fixtures';
import { login, simulate } from '../support/e2e-app';
import { expectTheme, screenshot, seriousViolations, THEMES, useTheme } from '../support/e2e-axe';

const WIDTHS = [1280, 390] as const;

interface Shot {
	name: string;
	/** Open the page (and bring it into the state to check). */
	open(page: Page): Promise<void>;
}

const heading = (page: Page, name: string | RegExp) =>
	expect(page.getByRole('heading', { level: 1, name })).toBeVisible();

const SHOTS: Shot[] = [
	{
		name: 'jobs-search',
		open: async (page) => {
			await page.goto('/jobs?q=engineer&remote=remote&sort=match');
			await heading(page, 'Jobs');
		}
	},
	{
		name: 'job-page',
		open: async (page) => {
			await page.goto('/jobs?q=Brightline');
			await page.getByTestId('job-link').first().click();
			await heading(page, 'Frontend Engineer');
		}
	},
	{
		name: 'profile',
		open: async (page) => {
			await page.goto('/profile');
			await heading(page, 'Profile');
		}
	},
	{
		name: 'profile-refused',
		open: async (page) => {
			await page.goto('/profile');
			await heading(page, 'Profile');
			await page.waitForFunction(() => history.scrollRestoration === 'manual');
			await page.getByTestId('profile-portfolio').fill('not a link');
			await page.getByTestId('profile-save').click();
			await expect(page.getByTestId('profile-portfolio-error')).toBeVisible();
		}
	},
	{
		name: 'notifications-paged',
		open: async (page) => {
			await page.goto('/notifications?category=social');
			await heading(page, 'Notifications');
		}
	},
	{
		name: 'notifications-unknown-category',
		open: async (page) => {
			await page.goto('/notifications?category=bogus');
			await expect(page.getByTestId('notifications-unknown-category')).toBeVisible();
		}
	}
];

for (const width of WIDTHS) {
	test(`${width} px: the new pages pass axe in light and dark, fit the window; screenshots`, async ({
		page
	}, testInfo) => {
		test.setTimeout(120_000);
		await page.setViewportSize({ width, height: width > 800 ? 900 : 844 });
		await login(page);
		// Enough social notifications for a second page, so the pager is on the screenshot.
		for (let i = 0; i < 24; i++) await simulate(page, 'notification', { category: 'social' });
		for (const shot of SHOTS) {
			for (const theme of THEMES) {
				await useTheme(page, theme);
				await shot.open(page);
				await expectTheme(page, theme);
				const name = `${shot.name}-${width}-${theme}`;
				await screenshot(page, testInfo, name);
				const overflow = await page.evaluate(
					() => document.documentElement.scrollWidth - window.innerWidth
				);
				expect(overflow, `${name}: nothing wider than the window`).toBeLessThanOrEqual(0);
				expect(await seriousViolations(page, testInfo, name), name).toEqual([]);
			}
		}
	});
}
