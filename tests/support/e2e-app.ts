/**
 * Steps and readings the browser tests share: signing in, what the connection dot shows (its
 * colour as a user sees it, and whether it pulses), badge counts, and a marker that proves a page
 * was not reloaded.
 */
import { expect, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'password123';
export const ALEX = 'alex@example.com';
export const SAM = 'sam@example.com';

/** Sign in through the login form and wait for the dashboard and a live connection. */
export async function login(page: Page, email = ALEX): Promise<void> {
	await page.goto('/login');
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(DEMO_PASSWORD);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
	await expectDot(page, 'green');
}

export type DotColour = 'green' | 'yellow' | 'red' | 'grey';

/**
 * The colour of the status dot as rendered (its computed background), named by hue, so the test
 * checks what a user sees rather than a class name.
 */
export async function dotColour(page: Page): Promise<DotColour | string> {
	const background = await page
		.getByTestId('connection-dot')
		.first()
		.evaluate((el) => getComputedStyle(el).backgroundColor);
	return nameColour(background);
}

function nameColour(css: string): DotColour | string {
	const match = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(css);
	if (!match) return css;
	const [r, g, b] = match.slice(1, 4).map((n) => Number(n) / 255);
	const max = Math.max(r, g, b);
	const min = Math.min(r, g, b);
	if (max - min < 0.15) return 'grey';
	const hue =
		max === r
			? (60 * ((g - b) / (max - min)) + 360) % 360
			: max === g
				? 60 * ((b - r) / (max - min)) + 120
				: 60 * ((r - g) / (max - min)) + 240;
	if (hue < 20 || hue >= 330) return 'red';
	if (hue < 70) return 'yellow';
	if (hue < 170) return 'green';
	return css;
}

/** Wait until the dot shows `colour`. */
export async function expectDot(page: Page, colour: DotColour): Promise<void> {
	await expect.poll(() => dotColour(page), { message: `status dot is ${colour}` }).toBe(colour);
}

/** Whether the dot runs its pulse animation now. */
export async function dotPulses(page: Page): Promise<boolean> {
	return page
		.getByTestId('connection-dot')
		.first()
		.evaluate((el) => {
			const style = getComputedStyle(el);
			return /pulse/.test(style.animationName) && style.animationIterationCount === 'infinite';
		});
}

/** The number a count badge shows to screen readers and in data-count; 0 when it is hidden. */
export async function badgeCount(page: Page, testId: 'jobs-badge' | 'bell-badge'): Promise<number> {
	const badge = page.getByTestId(testId);
	if ((await badge.count()) === 0) return 0;
	return Number(await badge.getAttribute('data-count'));
}

/**
 * Put a marker on `window`; `expectNotReloaded` then proves the document is still the same one
 * (a full reload or a non-client-side navigation would drop it).
 */
export async function markDocument(page: Page): Promise<void> {
	await page.evaluate(() => {
		(window as unknown as { __e2eMarker: boolean }).__e2eMarker = true;
	});
}

export async function expectNotReloaded(page: Page): Promise<void> {
	const marked = await page.evaluate(
		() => (window as unknown as { __e2eMarker?: boolean }).__e2eMarker === true
	);
	expect(marked, 'the page was not reloaded').toBe(true);
}
