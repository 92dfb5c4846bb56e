/**
 * Live updates as a signed-in user sees them: a job match raises a toast and the Jobs badge,
 * opening Jobs clears it; application status changes raise success/error toasts and update the
 * Dashboard in this and another tab, without a reload.
 */
import { expect, test } from '../support/e2e-fixtures';
import {
	badgeCount,
	expectNotReloaded,
	login,
	markDocument,
	waitForHydration
} from '../support/e2e-app';
import { toastCount, toastLog } from '../support/e2e-probes';

test('a matching job posted from Simulate shows a toast with its score and the Jobs badge; opening Jobs clears it', async ({
	page,
	context
}) => {
	await login(page);
	// The seed leaves some recommendations unseen: visit Jobs once so the badge starts clear.
	await page.getByTestId('nav-jobs').click();
	await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
	await expect(page.getByTestId('jobs-badge')).toHaveCount(0);
	await page.getByTestId('nav-dashboard').click();
	await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
	await expect(page.getByTestId('jobs-badge')).toHaveCount(0);
	await markDocument(page);

	const simulate = await context.newPage();
	await simulate.goto('/simulate');
	await waitForHydration(simulate);
	await simulate.getByTestId('simulate-job').click();
	await expect(simulate.getByTestId('simulate-result')).toContainText('Posted Senior Software');

	const toast = page.getByTestId('toast-job-match');
	await expect(toast).toBeVisible();
	await expect(toast).toContainText(/Senior Software Engineer at Tech Corp \(\d{1,3}% match\)/);
	await expect(toast.getByRole('link', { name: 'View' })).toHaveAttribute('href', '/jobs');
	const badge = page.getByTestId('jobs-badge');
	await expect(badge).toContainText('1 new recommendations');
	expect(await badgeCount(page, 'jobs-badge')).toBe(1);
	expect(await toastCount(page, /\(\d+% match\)/)).toBe(1);
	await expectNotReloaded(page);

	await page.getByTestId('nav-jobs').click();
	await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
	await expect(page.getByTestId('jobs-badge')).toHaveCount(0);
	// The new job is marked new on this visit, and the server remembers it was seen.
	await expect(
		page.getByTestId('job-card').filter({ has: page.getByTestId('job-new') })
	).toHaveCount(1);
	await page.reload();
	await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
	await expect(page.getByTestId('jobs-badge')).toHaveCount(0);
	await expect(page.getByTestId('job-new')).toHaveCount(0);
});

test('moving an application to Interview then Rejected toasts success then error, and the Dashboard of another tab follows live', async ({
	page,
	context
}) => {
	await login(page);
	const counts = page.getByTestId('status-counts');
	const count = (status: string) => page.getByTestId(`count-${status}`);
	const before = {
		applied: Number(await count('applied').getAttribute('data-count')),
		interview: Number(await count('interview').getAttribute('data-count')),
		rejected: Number(await count('rejected').getAttribute('data-count'))
	};
	await expect(counts).toBeVisible();
	await markDocument(page);

	const tab = await context.newPage();
	await tab.goto('/applications');
	await waitForHydration(tab);
	const row = tab.getByTestId('application-row').filter({ hasText: 'Frontend Engineer' });
	await expect(row).toHaveAttribute('data-status', 'applied');

	await row.getByRole('combobox').selectOption('interview');
	await row.getByRole('button', { name: /Update/ }).click();
	await expect(row.getByTestId('application-status')).toContainText('Interview');

	for (const p of [tab, page]) {
		const success = p.getByTestId('toast-application-success');
		await expect(success).toContainText('Frontend Engineer at Brightline Labs → Interview');
	}
	await expect(count('interview')).toHaveAttribute('data-count', String(before.interview + 1));
	await expect(count('applied')).toHaveAttribute('data-count', String(before.applied - 1));
	await expect(count('interview').locator('.number')).toHaveText(String(before.interview + 1));

	await row.getByRole('combobox').selectOption('rejected');
	await row.getByRole('button', { name: /Update/ }).click();
	await expect(row.getByTestId('application-status')).toContainText('Rejected');

	for (const p of [tab, page]) {
		const error = p.getByTestId('toast-application-error');
		await expect(error).toContainText('Frontend Engineer at Brightline Labs → Rejected');
	}
	await expect(count('rejected')).toHaveAttribute('data-count', String(before.rejected + 1));
	await expect(count('interview')).toHaveAttribute('data-count', String(before.interview));
	await expect(count('rejected').locator('.number')).toHaveText(String(before.rejected + 1));

	// Success came first, then the error, once each, in both tabs; the Dashboard never reloaded.
	for (const p of [tab, page]) {
		const log = await toastLog(p);
		const moves = log.filter((text) => text.includes('Frontend Engineer at Brightline Labs →'));
		expect(moves.map((text) => text.replace(/.*→ /, '').trim())).toEqual(['Interview', 'Rejected']);
	}
	await expectNotReloaded(page);
});
