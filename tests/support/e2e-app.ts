/**
 * Steps and readings the browser tests share: signing in, what the connection dot shows (its
 * colour as a user sees it, and whether it pulses), badge counts, and a marker that proves a page
 * was not reloaded.
 */
import { expect, type BrowserContext, type Locator, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'password123';
export const ALEX = 'alex@example.com';
export const SAM = 'sam@example.com';

/**
 * Sign in as a form post through the page's own cookie jar (no typing, so no race with
 * hydration), then open the dashboard and wait for a live connection. The form itself is tested in
 * login.spec.ts.
 */
export async function login(page: Page, email = ALEX): Promise<void> {
	await signIn(page, email);
	await expectDot(page, 'green');
}

/** {@link login} without waiting for the live connection, for apps where there is none. */
export async function signIn(page: Page, email = ALEX): Promise<void> {
	// The app's origin (the context's baseURL) for the CSRF check of form posts.
	const origin = new URL((await page.request.head('/login')).url()).origin;
	const response = await page.request.post('/login', {
		form: { email, password: DEMO_PASSWORD, redirectTo: '/' },
		// text/html: a plain form post (SvelteKit answers */* with its JSON action result).
		headers: { origin, accept: 'text/html' },
		maxRedirects: 0
	});
	expect(response.status(), 'sign-in answers 303').toBe(303);
	await page.goto('/');
	await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
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

/**
 * Wait until SvelteKit has hydrated the page: its router starts right after hydration and sets
 * `history.scrollRestoration` to "manual" (the browser's default is "auto").
 */
export async function waitForHydration(page: Page): Promise<void> {
	await page.waitForFunction(() => history.scrollRestoration === 'manual');
}

/** Open Notifications by the top bar (client-side, so the page's probes keep counting). */
export async function openNotifications(page: Page): Promise<void> {
	await page.getByTestId('nav-notifications').click();
	await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
}

/** Send the sample notification of `category` from another tab of the same user (Simulate). */
export async function sendNotificationFromAnotherTab(
	context: BrowserContext,
	category: string
): Promise<void> {
	const tab = await context.newPage();
	await tab.goto('/simulate');
	await waitForHydration(tab);
	await tab.getByTestId(`simulate-notification-${category}`).click();
	await expect(tab.getByTestId('simulate-result')).toContainText('Sent');
	await tab.close();
}

/**
 * Cause a server event the way the Simulate page does, as a form post from the page's own cookie
 * jar (so a test can fire a burst faster than clicking): `action` is "notification", "job",
 * "application"...; `fields` its form fields.
 */
export async function simulate(
	page: Page,
	action: string,
	fields: Record<string, string> = {}
): Promise<void> {
	const origin = new URL(page.url()).origin;
	const response = await page.request.post(`/simulate?/${action}`, {
		form: fields,
		headers: { origin, accept: 'application/json', 'x-sveltekit-action': 'true' }
	});
	expect(response.status(), `simulate ${action}`).toBe(200);
	expect((await response.json()).type, `simulate ${action}`).toBe('success');
}

/** Whether two elements' boxes on screen overlap. */
export async function boxesOverlap(a: Locator, b: Locator): Promise<boolean> {
	const [ra, rb] = await Promise.all([a.boundingBox(), b.boundingBox()]);
	if (!ra || !rb) return false;
	return (
		ra.x < rb.x + rb.width &&
		rb.x < ra.x + ra.width &&
		ra.y < rb.y + rb.height &&
		rb.y < ra.y + ra.height
	);
}
