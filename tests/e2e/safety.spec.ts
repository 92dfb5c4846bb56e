/**
 * Text from the server stays text: a notification whose title and description carry HTML shows
 * the markup literally (in its live toast, on Notifications and on the Dashboard), and a
 * `javascript:` action URL never becomes a link, while an https one does.
 */
import { expect, test } from '../support/e2e-fixtures';
import { ALEX, login } from '../support/e2e-app';
import { injectNotification } from '../support/e2e-db';

const HOSTILE = {
	category: 'system',
	title: 'Offer <img src=x onerror="window.__xss=1">',
	description: '<script>window.__xss=2</script><b>bold</b>',
	actionUrl: 'javascript:window.__xss=3',
	actionLabel: 'Open <i>it</i>'
} as const;
const SAFE = {
	category: 'social',
	title: 'A safe link',
	description: 'An https action URL is a link.',
	actionUrl: 'https://example.com/offer',
	actionLabel: 'Read more'
} as const;

test('a notification with HTML in its text shows it as text, and a javascript: action URL is not a link', async ({
	page,
	app
}) => {
	await login(page);
	await page.getByTestId('nav-simulate').click();
	await expect(page.getByRole('heading', { level: 1, name: 'Simulate' })).toBeVisible();

	await injectNotification(app.databasePath, ALEX, HOSTILE);
	await injectNotification(app.databasePath, ALEX, SAFE);
	// The running server learns of them from its event log when the client resumes.
	await page.getByTestId('simulate-drop').click();

	const hostileToast = page.getByTestId('toast-notification-system');
	await expect(hostileToast).toContainText(HOSTILE.title);
	await expect(hostileToast).toContainText(HOSTILE.description);
	await expect(hostileToast.locator('img, script, b')).toHaveCount(0);
	await expect(hostileToast.getByRole('link')).toHaveCount(0);
	const safeToast = page.getByTestId('toast-notification-social');
	await expect(safeToast.getByRole('link', { name: SAFE.actionLabel })).toHaveAttribute(
		'href',
		SAFE.actionUrl
	);

	await page.getByTestId('bell').click();
	await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
	const hostile = page.getByTestId('notification-item').filter({ hasText: 'Offer <img' });
	await expect(hostile.getByRole('heading', { level: 3 })).toHaveText(HOSTILE.title);
	await expect(hostile).toContainText(HOSTILE.description);
	await expect(hostile.getByRole('link')).toHaveCount(0);
	await expect(hostile.locator('[href]')).toHaveCount(0);
	await expect(hostile.locator('img, script, b, i')).toHaveCount(0);
	const safe = page.getByTestId('notification-item').filter({ hasText: SAFE.title });
	const link = safe.getByRole('link', { name: SAFE.actionLabel });
	await expect(link).toHaveAttribute('href', SAFE.actionUrl);
	await expect(link).toHaveAttribute('rel', /noopener/);

	await page.getByTestId('nav-dashboard').click();
	const unread = page.getByTestId('unread-notifications');
	await expect(unread.getByRole('heading', { name: HOSTILE.title })).toBeVisible();
	await expect(unread.locator('img')).toHaveCount(0);
	await expect(unread.locator('a[href^="javascript:" i]')).toHaveCount(0);

	await expect(page.locator('img[src="x"]')).toHaveCount(0);
	expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
});
