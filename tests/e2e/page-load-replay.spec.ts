/**
 * A page load resumes the live stream from the seq the server rendered the page at: events from
 * before the render are not news (no toast, although the server still keeps them for replay),
 * and an event that happens after the render but before the page's socket is connected arrives
 * as news (toast, bell). The page's first socket is held back with Playwright's WebSocket routing
 * until that event has been sent, then connected to the real server.
 */
import { expect, test } from '../support/e2e-fixtures';
import {
	badgeCount,
	expectDot,
	login,
	sendNotificationFromAnotherTab,
	waitForHydration
} from '../support/e2e-app';
import { toastLog } from '../support/e2e-probes';

/** Sample notification titles (src/lib/server/domain/simulate.ts). */
const BEFORE_RENDER = 'Scheduled maintenance tonight';
const AFTER_RENDER = 'Jordan endorsed you for TypeScript';

test('a page load toasts what happened after its render, not the history before it', async ({
	page,
	context
}) => {
	await login(page);
	await sendNotificationFromAnotherTab(context, 'system');

	let release: () => void = () => {};
	const released = new Promise<void>((resolve) => (release = resolve));
	await page.routeWebSocket(/\/ws$/, async (ws) => {
		await released;
		ws.connectToServer();
	});
	await page.reload();
	await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
	await waitForHydration(page);
	const unreadAtRender = await badgeCount(page, 'bell-badge');

	await sendNotificationFromAnotherTab(context, 'social');
	release();

	await expectDot(page, 'green');
	await expect(page.getByTestId('toast-notification-social')).toContainText(AFTER_RENDER);
	await expect.poll(() => badgeCount(page, 'bell-badge')).toBe(unreadAtRender + 1);
	const log = await toastLog(page);
	expect(log.filter((text) => text.includes(AFTER_RENDER))).toHaveLength(1);
	expect(log.filter((text) => text.includes(BEFORE_RENDER))).toHaveLength(0);
	// Nothing else from the server's log was shown as news either.
	expect(log.filter((text) => !/^(Reconnect|Connection)/.test(text))).toHaveLength(1);
});
