/**
 * The connection as a user sees it when things break:
 * - the server stops: yellow pulsing dot, one "Reconnecting…" toast; events a second server
 *   process on the same database sent meanwhile arrive once after the restart (replay), or, when
 *   more were sent than the server keeps, the page data reloads (resync);
 * - the browser goes offline: "Connection Lost", red dot; back online: "Reconnected", green;
 * - Disconnect on Inspect: red dot with Retry in its details and no alarm.
 * None of it reloads the page.
 */
import type { Page, PlaywrightWorkerArgs } from '@playwright/test';
import { expect, test, type Servers } from '../support/e2e-fixtures';
import type { E2EServer } from '../support/e2e-server';
import {
	ALEX,
	badgeCount,
	DEMO_PASSWORD,
	dotPulses,
	expectDot,
	expectNotReloaded,
	login,
	markDocument,
	openNotifications,
	sendNotificationFromAnotherTab
} from '../support/e2e-app';
import { receivedFrameTypes, reconnectedCount, toastCount, toastLog } from '../support/e2e-probes';

type PlaywrightApi = PlaywrightWorkerArgs['playwright'];

/** The simulated notification titles (src/lib/server/domain/simulate.ts) sent while down. */
const WHILE_DOWN = {
	system: 'Scheduled maintenance tonight',
	social: 'Jordan endorsed you for TypeScript',
	recommendation: 'Add a skill to match more jobs'
} as const;
const BARRIER = 'Recruiter viewed your application';
/** A toast in the toaster with this text (not the status dot's own announcement). */
const toast = (page: Page, text: string) => page.locator('.toaster > *').filter({ hasText: text });

/**
 * While `app` is down: start a second server process on its database (with `env`), sign in as
 * Alex over HTTP and run Simulate form actions there (each must succeed), then stop it again.
 */
async function simulateOnSecondServer(
	{ app, servers, playwright }: { app: E2EServer; servers: Servers; playwright: PlaywrightApi },
	actions: [action: string, form?: Record<string, string>][],
	env: Record<string, string> = {}
): Promise<void> {
	const other = await servers.start({ databasePath: app.databasePath, env });
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
		for (const [action, form = {}] of actions) {
			const response = await api.post(`/simulate?/${action}`, { form });
			expect(response.ok(), `simulate ${action}: ${response.status()}`).toBe(true);
		}
	} finally {
		await api.dispose();
		await other.stop();
	}
}

test('server stopped: yellow pulsing dot and one "Reconnecting…"; events sent while it was down arrive once after the restart', async ({
	page,
	context,
	app,
	servers,
	playwright
}) => {
	await login(page);
	await openNotifications(page);
	const unreadBefore = await badgeCount(page, 'bell-badge');
	expect(unreadBefore).toBeGreaterThan(0);
	await markDocument(page);
	const frames = receivedFrameTypes(page);

	await app.stop();
	await expectDot(page, 'yellow');
	expect(await dotPulses(page)).toBe(true);
	await expect(toast(page, 'Reconnecting…')).toBeVisible();

	// A second server process on the same database takes the events while the first is down.
	await simulateOnSecondServer({ app, servers, playwright }, [
		...Object.keys(WHILE_DOWN).map((category): [string, Record<string, string>] => [
			'notification',
			{ category }
		]),
		['job']
	]);

	// Still down, still trying: several attempts, yet one "Reconnecting…" toast.
	await expect(page.getByTestId('connection-tooltip')).toContainText(/attempt ([2-9]|\d\d)/, {
		timeout: 15_000
	});
	await expectDot(page, 'yellow');
	expect(await toastCount(page, 'Reconnecting…')).toBe(1);

	await app.start();
	await expectDot(page, 'green');
	await expect(toast(page, 'Reconnected')).toBeVisible({ timeout: 20_000 });
	// At most three toasts stay on screen, so the replayed ones are checked in the toast log.
	for (const title of Object.values(WHILE_DOWN)) {
		await expect.poll(() => toastCount(page, title), title).toBe(1);
	}
	await expect.poll(() => toastCount(page, /\(\d+% match\)/)).toBe(1);

	// A live event after the replay: once it is shown, any duplicate replay would have been too.
	await sendNotificationFromAnotherTab(context, 'application');
	await expect(page.getByTestId('toast-notification-application')).toContainText(BARRIER);

	const log = await toastLog(page);
	for (const title of Object.values(WHILE_DOWN)) {
		expect(
			log.filter((text) => text.includes(title)),
			title
		).toHaveLength(1);
	}
	expect(log.filter((text) => /\(\d+% match\)/.test(text))).toHaveLength(1);
	expect(log.filter((text) => text === 'Reconnecting…')).toHaveLength(1);
	expect(log.filter((text) => text === 'Reconnected')).toHaveLength(1);
	expect(log.filter((text) => /Connection (Lost|Issue)/.test(text))).toHaveLength(0);
	expect(await reconnectedCount(page)).toBe(1);

	// Three notifications, the job's alert and the barrier: the bell counts each exactly once.
	await expect.poll(() => badgeCount(page, 'bell-badge')).toBe(unreadBefore + 5);
	const items = page.getByTestId('notification-item');
	for (const title of [...Object.values(WHILE_DOWN), BARRIER]) {
		await expect(items.filter({ hasText: title })).toHaveCount(1);
	}
	await expectNotReloaded(page);
	// It was the replay path, not a resync (as the server said on the wire).
	expect(frames).toContain('welcome');
	expect(frames).not.toContain('resync');
});

test('more missed than the server keeps: after the restart the page data reloads (resync), the bell and list are exact, live events flow again', async ({
	page,
	context,
	app,
	servers,
	playwright
}) => {
	await login(page);
	await openNotifications(page);
	const unreadBefore = await badgeCount(page, 'bell-badge');
	await markDocument(page);
	const frames = receivedFrameTypes(page);

	await app.stop();
	await expectDot(page, 'yellow');
	// The second server keeps only the 2 newest events, so 2 of the 4 sent are gone from the log.
	const categories = ['system', 'social', 'recommendation', 'job_alert'];
	await simulateOnSecondServer(
		{ app, servers, playwright },
		categories.map((category) => ['notification', { category }]),
		{ REALTIME_RETAINED_EVENTS: '2' }
	);
	await app.start();

	await expectDot(page, 'green');
	await expect.poll(() => reconnectedCount(page)).toBe(1);
	await expect.poll(() => badgeCount(page, 'bell-badge')).toBe(unreadBefore + 4);
	const items = page.getByTestId('notification-item');
	for (const title of [...Object.values(WHILE_DOWN), '3 new jobs match your saved search']) {
		await expect(items.filter({ hasText: title })).toHaveCount(1);
	}

	await sendNotificationFromAnotherTab(context, 'application');
	await expect(page.getByTestId('toast-notification-application')).toContainText(BARRIER);
	await expect.poll(() => badgeCount(page, 'bell-badge')).toBe(unreadBefore + 5);
	await expect(items.filter({ hasText: BARRIER })).toHaveCount(1);
	expect(await reconnectedCount(page)).toBe(1);
	await expectNotReloaded(page);
	// It was the resync path: the server answered the resume with a resync.
	expect(frames.filter((type) => type === 'resync')).toHaveLength(1);
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
	// Nothing to click while offline: the client reconnects by itself when the network is back.
	await expect(page.getByTestId('connection-tooltip')).toContainText(
		'reconnects by itself when the network is back'
	);
	await expect(page.getByRole('button', { name: 'Retry' })).toHaveCount(0);
	// The bell's count follows the actor (a useSelector store): not live, it says so.
	const bell = page.getByTestId('bell-badge');
	await expect(bell).toHaveAttribute('data-live', 'false');
	await expect(bell).toContainText('may be out of date');

	await context.setOffline(false);
	await expect(bell).toHaveAttribute('data-live', 'true');
	await expect(toast(page, 'Reconnected')).toBeVisible();
	await expectDot(page, 'green');
	await expect(page.getByTestId('connection-announcer')).toHaveText('Connection: Connected');

	const log = await toastLog(page);
	expect(log.filter((text) => text === 'Connection Lost')).toHaveLength(1);
	expect(log.filter((text) => text === 'Reconnected')).toHaveLength(1);
	expect(log.filter((text) => text === 'Connection Issue')).toHaveLength(0);
	expect(await reconnectedCount(page)).toBe(1);
	await expectNotReloaded(page);
});

test('Inspect: Disconnect marks the drawn chart and turns the dot red with Retry in its details, no alarm; Retry brings it back', async ({
	page
}) => {
	await login(page);
	await page.getByTestId('nav-inspect').click();
	await expect(page.getByRole('heading', { level: 1, name: 'Inspect' })).toBeVisible();
	const node = (id: string) =>
		page.locator(`[data-testid="chart-node"][data-state-id="realtime.connection.${id}"]`);
	await expect(node('connected')).toHaveAttribute('data-active', 'true');

	await page.getByRole('button', { name: 'Disconnect' }).click();
	await expectDot(page, 'red');
	await expect(node('disconnected')).toHaveAttribute('data-active', 'true');
	await expect(node('connected')).toHaveAttribute('data-active', 'false');
	await expect(page.getByTestId('event-log-entry').first()).toHaveAttribute(
		'data-event-type',
		/DISCONNECT/
	);
	const bar = page.getByRole('banner');
	await expect(bar.getByTestId('connection-tooltip')).toHaveText(/live updates are paused/);

	await bar.getByTestId('connection-trigger').click();
	await bar.getByRole('button', { name: 'Retry' }).click();
	await expectDot(page, 'green');
	await expect(node('connected')).toHaveAttribute('data-active', 'true');
	await expect(bar.getByRole('button', { name: 'Retry' })).toHaveCount(0);
	// Disconnecting on purpose is no alarm: no network toast at all.
	expect(await toastLog(page)).toEqual([]);
});
