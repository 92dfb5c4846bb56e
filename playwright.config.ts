/**
 * Browser tests (tests/e2e) in Debian's Chromium against the built app. `npm test` builds first;
 * each test (or worker, for read-only suites) starts `node build/server.js` itself on a fresh
 * SQLite file and a free port (see tests/support/e2e-fixtures.ts), so no webServer entry here.
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
	testDir: 'tests/e2e',
	outputDir: 'test-results',
	globalSetup: './tests/support/e2e-global-setup.ts',
	fullyParallel: true,
	forbidOnly: !!process.env.CI,
	workers: 2,
	retries: 0,
	timeout: 60_000,
	expect: { timeout: 10_000 },
	reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
	use: {
		browserName: 'chromium',
		headless: true,
		launchOptions: {
			executablePath: '/usr/bin/chromium',
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync'
			]
		},
		screenshot: 'only-on-failure',
		trace: 'retain-on-failure',
		actionTimeout: 10_000,
		navigationTimeout: 15_000
	}
});
