/**
 * One connection for all tabs, in Chromium against the built app: tabs of one browser and one
 * session elect a leader (Web Locks) that holds the only socket and relays to the others
 * (BroadcastChannel). The server counts the sockets itself (hubStats, over its IPC channel), so a
 * second socket at any moment shows as `peakUserSockets > 1`.
 *
 * Events are counted on the bell: every `notification:new` adds one to it in each tab, and the
 * tabs sit on Settings, which never reloads its data on an event, so the bell shows exactly how
 * many events each tab was given (a duplicate would add two, a loss none). The last event of each
 * batch is a barrier: the relay keeps order, so once it has arrived nothing earlier is on its way.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, test } from '../support/e2e-fixtures';
import type { E2EServer } from '../support/e2e-server';
import { ALEX, badgeCount, expectDot, login, SAM, waitForHydration } from '../support/e2e-app';
import { installProbes, socketProbe } from '../support/e2e-probes';

const TABS = 4;

/** Sign in on a first page, then open `count` tabs of Settings in the context, all live. */
async function openTabs(context: BrowserContext, count: number, email = ALEX): Promise<Page[]> {
	const first = await context.newPage();
	await login(first, email);
	const pages = [first];
	for (let i = 1; i < count; i++) pages.push(await context.newPage());
	// One after the other: four pages loading at once on a busy machine only measure the machine.
	for (const page of pages) {
		await page.goto('/settings');
		await waitForHydration(page);
	}
	for (const page of pages) await expectDot(page, 'green');
	return pages;
}

/** The tab whose page holds an open socket (the others have none). */
async function leaderOf(pages: Page[]): Promise<Page> {
	let leaders: Page[] = [];
	await expect
		.poll(async () => {
			const open = await Promise.all(pages.map(async (page) => (await socketProbe(page)).open));
			leaders = pages.filter((_, i) => open[i] === 1);
			return open.reduce((a, b) => a + b, 0);
		}, 'exactly one tab holds a socket')
		.toBe(1);
	return leaders[0];
}

/** Post one sample notification for the signed-in user of `page`'s context (Simulate). */
async function emitNotification(page: Page): Promise<void> {
	const origin = new URL(page.url()).origin;
	const response = await page.request.post('/simulate?/notification', {
		form: { category: 'system' },
		headers: { origin }
	});
	expect(response.ok(), 'the simulate action answers 200').toBe(true);
}

const bells = (pages: Page[]) => Promise.all(pages.map((page) => badgeCount(page, 'bell-badge')));

/** Wait until every page's bell shows its `base` plus `added`. */
async function expectBells(pages: Page[], base: number[], added: number): Promise<void> {
	await expect
		.poll(() => bells(pages), `every tab's bell shows ${added} more`)
		.toEqual(base.map((count) => count + added));
}

/** The server holds exactly `sockets` now and never held more than `peak` for one user. */
async function expectServerSockets(app: E2EServer, sockets: number, peak = sockets) {
	await expect
		.poll(async () => (await app.hubStats()).sockets, 'sockets at the server')
		.toBe(sockets);
	expect((await app.hubStats()).peakUserSockets, 'most sockets one user held at once').toBe(peak);
}

test.describe('one connection for all tabs', () => {
	test('four tabs of one browser hold one socket at the server, and every event shows in all four', async ({
		context,
		app
	}) => {
		const pages = await openTabs(context, TABS);
		await leaderOf(pages);
		await expectServerSockets(app, 1);
		const base = await bells(pages);
		for (let i = 0; i < 5; i++) await emitNotification(pages[0]);
		await expectBells(pages, base, 5);
		await emitNotification(pages[3]);
		await expectBells(pages, base, 6);
		await expectServerSockets(app, 1);
	});

	for (const how of ['closed', 'crashed'] as const) {
		test(`when the leader tab is ${how}, a follower connects and every tab gets each event of the failover once`, async ({
			context,
			app
		}) => {
			const pages = await openTabs(context, TABS);
			const leader = await leaderOf(pages);
			const followers = pages.filter((page) => page !== leader);
			const emitter = followers[0];
			const base = await bells(followers);
			await emitNotification(emitter);
			await expectBells(followers, base, 1);

			// Events keep coming while the leader goes away and the next one takes over.
			const during = Promise.all([1, 2, 3, 4, 5].map(() => emitNotification(emitter)));
			if (how === 'closed') {
				await leader.close();
			} else {
				const cdp = await context.newCDPSession(leader);
				// The renderer dies mid-call, so the call itself never gets an answer.
				void cdp.send('Page.crash').catch(() => undefined);
			}
			await during;
			const next = await leaderOf(followers);
			for (let i = 0; i < 2; i++) await emitNotification(emitter);
			await expectBells(followers, base, 8);
			await emitNotification(next);
			await expectBells(followers, base, 9);
			for (const page of followers) await expectDot(page, 'green');
			await expectServerSockets(app, 1);
			if (how === 'crashed') await leader.close();
		});
	}

	test("a follower's message goes through the leader, is acked to that tab and applied once", async ({
		context,
		app
	}) => {
		const pages = await openTabs(context, 2);
		const leader = await leaderOf(pages);
		const follower = pages.find((page) => page !== leader)!;
		await follower.goto('/inspect');
		await waitForHydration(follower);
		await expect(follower.getByTestId('context-role')).toHaveText('follower');

		const notification = await unreadNotification(app);
		await follower.getByTestId('send-type').fill('notification:read');
		await follower.getByTestId('send-data').fill(JSON.stringify({ id: notification }));
		await follower.getByTestId('send-submit').click();
		const result = follower.getByTestId('send-result').first();
		await expect(result).toHaveAttribute('data-state', 'acked');
		const id = await result.getAttribute('data-id');

		expect((await socketProbe(leader)).sentIds, 'the leader wrote it once').toEqual([id]);
		expect((await socketProbe(follower)).sentIds, 'the follower has no socket').toEqual([]);
		expect(await isRead(app, notification)).toBe(true);
		await expectServerSockets(app, 1);
	});

	test('without Web Locks every tab keeps its own socket', async ({ context, app }) => {
		await context.addInitScript(() => {
			Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined });
		});
		const pages = await openTabs(context, TABS);
		for (const page of pages) expect((await socketProbe(page)).open).toBe(1);
		await expectServerSockets(app, TABS);
		const base = await bells(pages);
		await emitNotification(pages[0]);
		await expectBells(pages, base, 1);
	});

	test('two users in two browser contexts never share a connection or see each other’s events', async ({
		browser,
		context,
		app
	}) => {
		const alex = await openTabs(context, 2, ALEX);
		const samContext = await newContext(browser, app);
		try {
			const sam = await openTabs(samContext, 2, SAM);
			await expect.poll(async () => (await app.hubStats()).sockets).toBe(2);
			expect(await app.hubStats()).toMatchObject({ users: 2, peakUserSockets: 1 });
			const alexBase = await bells(alex);
			const samBase = await bells(sam);
			await emitNotification(alex[1]);
			await expectBells(alex, alexBase, 1);
			await emitNotification(sam[1]);
			await expectBells(sam, samBase, 1);
			expect(await bells(alex)).toEqual(alexBase.map((count) => count + 1));
		} finally {
			await samContext.close();
		}
	});
});

async function newContext(browser: Browser, app: E2EServer): Promise<BrowserContext> {
	const context = await browser.newContext({ baseURL: app.url });
	await installProbes(context);
	return context;
}

/** The id of one of Alex's unread notifications, from the server's database. */
async function unreadNotification(app: E2EServer): Promise<string> {
	const { default: Database } = await import('better-sqlite3');
	const db = new Database(app.databasePath, { readonly: true });
	try {
		const id = db
			.prepare(
				`SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id
				 WHERE u.email = ? AND n.read = 0 LIMIT 1`
			)
			.pluck()
			.get(ALEX);
		expect(id, 'the seed gives Alex an unread notification').toBeDefined();
		return String(id);
	} finally {
		db.close();
	}
}

function isRead(app: E2EServer, id: string): Promise<boolean> {
	return import('better-sqlite3').then(({ default: Database }) => {
		const db = new Database(app.databasePath, { readonly: true });
		try {
			return db.prepare('SELECT read FROM notifications WHERE id = ?').pluck().get(id) === 1;
		} finally {
			db.close();
		}
	});
}
