/**
 * The connection as a user sees it when things break: the server stops (yellow pulsing dot, one
 * "Reconnecting..." toast; events sent meanwhile arrive once after the restart) and the browser
 * goes offline ("Connection Lost", red dot; back online: "Reconnected", green, no reload).
 */
import type { APIRequestContext, Page } from '@playwright/test';
import { expect, test } from '../support/e2e-fixtures';
import {
	ALEX,
	badgeCount,
	DEMO_PASSWORD,
	dotPulses,
	expectDot,
	expectNotReloaded,
	login,
	markDocument,
	waitForHydration
} from '../support/e2e-app';
import { toastCount, toastLog } from '../support/e2e-probes';

/** The simulated notification titles (src/lib/server/domain/simulate.ts) sent while down. */
const WHILE_DOWN = {
	system: 'Scheduled maintenance tonight',
	social: 'Jordan endorsed you for TypeScript',
	recommendation: 'Add a skill to match more jobs'
} as const;
const BARRIER = 'Recruiter viewed your application';

/** A toast in the toaster with exactly this text (not the status dot's own announcement). */
const toast = (page: Page, text: string) =>
	page.locator('.toaster').getByRole('status').filter({ hasText: text });

/** Sign in over HTTP (no browser) and run one Simulate form action; fails on an error answer. */
async function simulate(api: APIRequestContext, action: string, form: Record<string, string> = {}) {
	const response = await api.post(`/simulate?/${action}`, { form });
	expect(response.ok(), `simulate ${action}: ${response.status()}`).toBe(true);
}

test('server stopped: yellow pulsing dot and one "Reconnecting..."; events sent while it was down arrive once after the restart', async ({
	page,
	context,
	app,
	servers,
	playwright
}) => {
	await login(page);
	await page.getByTestId('nav-notifications').click();
	await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
	const unreadBefore = await badgeCount(page, 'bell-badge');
	expect(unreadBefore).toBeGreaterThan(0);
	await markDocument(page);

	await app.stop();
	await expectDot(page, 'yellow');
	expect(await dotPulses(page)).toBe(true);
	await expect(toast(page, 'Reconnecting...')).toBeVisible();

	// A second server process on the same database takes the events while the first is down.
	const other = await servers.start({ databasePath: app.databasePath });
	const api = await playwright.request.newContext({
		baseURL: other.url,
		// A plain form post, as a browser without JavaScript sends it: failures answer 4xx.
		extraHTTPHeaders: { origin: other.url, accept: 'text/html' }
	});
	try {
		const signIn = await api.post('/login', {
			form: { email: ALEX, password: DEMO_PASSWORD, redirectTo: '/' }
		});
		expect(signIn.ok(), `sign-in: ${signIn.status()}`).toBe(true);
		for (const category of Object.keys(WHILE_DOWN)) {
			await simulate(api, 'notification', { category });
		}
		await simulate(api, 'job');
	} finally {
		await api.dispose();
	}
	await other.stop();

	// Still down, still trying: several attempts, yet one "Reconnecting..." toast.
	await expect(page.getByTestId('connection-tooltip')).toContainText(/attempt ([2-9]|\d\d)/, {
		timeout: 15_000
	});
	await expectDot(page, 'yellow');
	expect(await toastCount(page, 'Reconnecting...')).toBe(1);

	await app.start();
	await expectDot(page, 'green');
	await expect(toast(page, 'Reconnected')).toBeVisible({ timeout: 20_000 });
	for (const title of Object.values(WHILE_DOWN)) {
		await expect(page.getByTestId(/^toast-notification-/).filter({ hasText: title })).toHaveCount(
			1
		);
	}
	await expect(page.getByTestId('toast-job-match')).toHaveCount(1);

	// A live event after the replay: once it is shown, any duplicate replay would have been too.
	const simulatePage = await context.newPage();
	await simulatePage.goto('/simulate');
	await waitForHydration(simulatePage);
	await simulatePage.getByTestId('simulate-notification-application').click();
	await expect(page.getByTestId('toast-notification-application')).toContainText(BARRIER);

	const log = await toastLog(page);
	for (const title of Object.values(WHILE_DOWN)) {
		expect(
			log.filter((text) => text.includes(title)),
			title
		).toHaveLength(1);
	}
	expect(log.filter((text) => /\(\d+% match\)/.test(text))).toHaveLength(1);
	expect(log.filter((text) => text === 'Reconnecting...')).toHaveLength(1);
	expect(log.filter((text) => text === 'Reconnected')).toHaveLength(1);
	expect(log.filter((text) => /Connection (Lost|Issue)/.test(text))).toHaveLength(0);

	// Three notifications, the job's alert and the barrier: the bell counts each exactly once.
	await expect.poll(() => badgeCount(page, 'bell-badge')).toBe(unreadBefore + 5);
	const items = page.getByTestId('notification-item');
	for (const title of [...Object.values(WHILE_DOWN), BARRIER]) {
		await expect(items.filter({ hasText: title })).toHaveCount(1);
	}
	await expectNotReloaded(page);
});

test('offline: "Connection Lost" and a red dot; back online: "Reconnected" and green, without a reload', async ({
	page,
	context
}) => {
	await login(page);
	await markDocument(page);

	await context.setOffline(true);
	await expect(toast(page, 'Connection Lost')).toBeVisible();
	await expectDot(page, 'red');
	expect(await dotPulses(page)).toBe(false);
	await expect(page.getByTestId('connection-announcer')).toHaveText('Connection: Offline');

	await context.setOffline(false);
	await expect(toast(page, 'Reconnected')).toBeVisible();
	await expectDot(page, 'green');
	await expect(page.getByTestId('connection-announcer')).toHaveText('Connection: Connected');

	const log = await toastLog(page);
	expect(log.filter((text) => text === 'Connection Lost')).toHaveLength(1);
	expect(log.filter((text) => text === 'Reconnected')).toHaveLength(1);
	expect(log.filter((text) => text === 'Connection Issue')).toHaveLength(0);
	await expectNotReloaded(page);
});

test('Inspect: Disconnect marks the chart and turns the dot red with a Reconnect button, no alarm; Reconnect brings it back', async ({
	page
}) => {
	await login(page);
	await page.getByTestId('nav-inspect').click();
	await expect(page.getByRole('heading', { level: 1, name: 'Inspect' })).toBeVisible();
	const active = page.locator('[data-testid="chart-state"][data-active="true"]');
	await expect(active.filter({ hasText: /^connected\b/ })).toHaveCount(1);
	await expect(page.getByTestId('event-log-entry').first()).toBeVisible();

	await page.getByRole('button', { name: 'Disconnect' }).click();
	await expectDot(page, 'red');
	await expect(active.filter({ hasText: /^disconnected\b/ })).toHaveCount(1);
	await expect(active.filter({ hasText: /^connected\b/ })).toHaveCount(0);
	await expect(page.getByTestId('event-log-entry').first()).toHaveAttribute(
		'data-event-type',
		/DISCONNECT/
	);
	const bar = page.getByRole('banner');
	await expect(bar.getByTestId('connection-tooltip')).toHaveText(/live updates are paused/);

	await bar.getByRole('button', { name: 'Reconnect' }).click();
	await expectDot(page, 'green');
	await expect(active.filter({ hasText: /^connected\b/ })).toHaveCount(1);
	await expect(bar.getByRole('button', { name: 'Reconnect' })).toHaveCount(0);
	// Disconnecting on purpose is no alarm: no network toast at all.
	expect(await toastLog(page)).toEqual([]);
});
