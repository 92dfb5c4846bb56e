/**
 * Playwright fixtures for the browser tests:
 * - `app`: this test's own production server on a fresh, seeded SQLite file (baseURL points at it),
 *   so tests never see each other's changes and a test may stop and restart its server;
 * - `servers`: more servers for the same test (e.g. a second process on `app`'s database), all
 *   stopped at the end;
 * - every page gets the probes of e2e-probes.ts (toast log, beep counter) before its scripts run.
 * A failing test gets each server's output attached.
 */
import { test as base } from '@playwright/test';
import { E2EServer, type ServerOptions } from './e2e-server';
import { installProbes } from './e2e-probes';

export interface Servers {
	/** Start another server (fresh database unless `databasePath` is given). */
	start(options?: ServerOptions): Promise<E2EServer>;
}

interface Fixtures {
	app: E2EServer;
	servers: Servers;
}

export const test = base.extend<Fixtures>({
	// Playwright reads a fixture's dependencies from its first parameter's pattern: none here.
	// eslint-disable-next-line no-empty-pattern
	servers: async ({}, use, testInfo) => {
		const started: E2EServer[] = [];
		await use({
			start: async (options) => {
				const server = await E2EServer.start(options);
				started.push(server);
				return server;
			}
		});
		// Stop in reverse order: a server sharing another's database goes first.
		for (const server of started.reverse()) {
			await server.dispose();
			if (testInfo.status !== testInfo.expectedStatus) {
				await testInfo.attach(`server-${server.port}.log`, {
					body: server.output,
					contentType: 'text/plain'
				});
			}
		}
	},
	app: async ({ servers }, use) => {
		await use(await servers.start());
	},
	baseURL: async ({ app }, use) => {
		await use(app.url);
	},
	context: async ({ context }, use) => {
		await installProbes(context);
		await use(context);
	}
});

export { expect } from '@playwright/test';
