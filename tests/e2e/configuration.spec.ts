/**
 * Settings a deployment changes through public environment variables. They are read at run time
 * ($env/dynamic/public), so the one build serves each case from its own server process:
 * - PUBLIC_ENABLE_WEBSOCKETS=false: no socket is opened, the dot says live updates are off, and
 *   the app still works without them (a status change shows after its form post);
 * - PUBLIC_WS_URL on an origin the server refuses (1008): the browser is online but the client is
 *   disconnected, so the dot is red with the reason, one "Connection Issue" toast shows, and
 *   Retry tries again without a second toast.
 */
import type { Page } from '@playwright/test';
import { expect, test as withServers } from '../support/e2e-fixtures';
import { expectDot, signIn } from '../support/e2e-app';
import { toastLog } from '../support/e2e-probes';
import { freePort } from '../support/processes';

/** The WebSocket URLs the page opens, from now on. */
function socketsOpenedBy(page: Page): string[] {
	const urls: string[] = [];
	page.on('websocket', (socket) => urls.push(socket.url()));
	return urls;
}

const tooltip = (page: Page) => page.getByRole('banner').getByTestId('connection-tooltip');

/** The test API with `app` (and so baseURL) on a server started with `env(port)`. */
function appWithEnv(env: (port: number) => Record<string, string>) {
	return withServers.extend({
		app: async ({ servers }, use) => {
			const port = await freePort();
			await use(await servers.start({ port, env: env(port) }));
		}
	});
}

withServers.describe('PUBLIC_ENABLE_WEBSOCKETS=false', () => {
	const test = appWithEnv(() => ({ PUBLIC_ENABLE_WEBSOCKETS: 'false' }));

	test('opens no socket, says live updates are off, and the app works without them', async ({
		page
	}) => {
		const sockets = socketsOpenedBy(page);
		await signIn(page);
		await expectDot(page, 'grey');
		await expect(tooltip(page)).toHaveText(/Live updates are switched off/);

		await page.getByTestId('nav-applications').click();
		const row = page.getByTestId('application-row').filter({ hasText: 'Frontend Engineer' });
		await row.getByRole('combobox').selectOption('interview');
		await row.getByRole('button', { name: /Update/ }).click();
		await expect(row.getByTestId('application-status')).toContainText('Interview');

		expect(sockets).toEqual([]);
		// Off on purpose is no alarm, and without live events there is no status toast either.
		expect(await toastLog(page)).toEqual([]);
	});
});

withServers.describe('PUBLIC_WS_URL that the server refuses', () => {
	// The page is on 127.0.0.1, the socket goes to localhost: a foreign Origin, closed 1008.
	const test = appWithEnv((port) => ({ PUBLIC_WS_URL: `ws://localhost:${port}/ws` }));

	test('online but disconnected: red dot with the reason, one "Connection Issue", Retry tries again', async ({
		page
	}) => {
		const sockets = socketsOpenedBy(page);
		await signIn(page);
		await expectDot(page, 'red');
		await expect(tooltip(page)).toHaveText(/The server refused the connection/);
		await expect(page.locator('.toaster').getByText('Connection Issue')).toBeVisible();
		await expect.poll(() => sockets.length).toBe(1);

		await page.getByRole('banner').getByTestId('connection-trigger').click();
		await page.getByRole('banner').getByRole('button', { name: 'Retry' }).click();
		await expect.poll(() => sockets.length).toBe(2);
		await expectDot(page, 'red');
		const log = await toastLog(page);
		expect(log.filter((text) => text === 'Connection Issue')).toHaveLength(1);
		expect(log).not.toContain('Reconnected');
		expect(sockets.every((url) => url.startsWith('ws://localhost:'))).toBe(true);
	});
});
