import { expect, test } from '../support/e2e-fixtures';
import { login, waitForHydration } from '../support/e2e-app';

test('explore', async ({ browser, app }) => {
	const context = await browser.newContext({
		baseURL: app.url,
		viewport: { width: 390, height: 844 },
		isMobile: true,
		hasTouch: true
	});
	const page = await context.newPage();
	page.on('console', (m) => console.log('console', m.text()));
	await login(page);
	await page.goto('/simulate');
	await waitForHydration(page);
	const button = page.getByTestId('simulate-notification-social');
	await button.evaluate((el) => el.scrollIntoView({ block: 'end' }));
	await button.tap();
	await page.waitForTimeout(1000);
	console.log(
		await page.evaluate(() => {
			const t = document.querySelector('[data-testid=toaster]')!;
			const b = document.querySelector('[data-testid=simulate-notification-social]')!;
			return JSON.stringify({
				t: t.getBoundingClientRect(),
				b: b.getBoundingClientRect(),
				edge: t.getAttribute('data-edge'),
				dbg: t.getAttribute('data-debug'),
				ih: innerHeight,
				iw: innerWidth,
				active: document.activeElement?.outerHTML.slice(0, 80)
			});
		})
	);
	await page.screenshot({ path: '/tmp/shots/x.png' });
	expect(1).toBe(1);
});
