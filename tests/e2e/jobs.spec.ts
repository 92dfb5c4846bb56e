/**
 * The Jobs pages as a job seeker uses them: search and filters (results and the URL, Back),
 * sorting, paging, a job's own page, and Save / Apply from a card and from the page, each
 * appearing live in another tab of the same user; and the same forms without JavaScript.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, test } from '../support/e2e-fixtures';
import {
	expectNotReloaded,
	login,
	markDocument,
	signIn,
	waitForHydration
} from '../support/e2e-app';

/** The seed's jobs (12 written by hand, 52 generated), 12 to a page. */
const SEEDED_JOBS = 64;

const cards = (page: Page) => page.getByTestId('job-results').getByTestId('job-card');

async function openJobs(page: Page, query = '') {
	await page.goto(`/jobs${query}`);
	await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
	await waitForHydration(page);
}

async function scores(page: Page): Promise<number[]> {
	return (await cards(page).getByTestId('job-match').allTextContents()).map((text) =>
		Number(/(\d+)% match/.exec(text)?.[1])
	);
}

/** A card's text in lower case: title, company, place, pay and skills. */
async function cardTexts(page: Page): Promise<string[]> {
	return (await cards(page).allTextContents()).map((text) => text.toLowerCase());
}

test('text search finds jobs by title, company and skill, and lives in the URL', async ({
	page
}) => {
	await login(page);
	await openJobs(page);
	await expect(page.getByTestId('results-count')).toContainText(`${SEEDED_JOBS} jobs`);

	await page.getByTestId('search-q').fill('kotlin');
	await page.getByTestId('search-submit').click();
	await expect(page).toHaveURL(/\/jobs\?q=kotlin$/);
	const kotlin = await cardTexts(page);
	expect(kotlin.length).toBeGreaterThan(0);
	for (const text of kotlin) expect(text).toContain('kotlin');
	await expect(page.getByTestId('results-count')).toContainText(`${kotlin.length} job`);

	// A company name, and two words that must both match somewhere.
	await openJobs(page, '?q=Brightline');
	expect(await cardTexts(page)).toEqual([expect.stringContaining('frontend engineer')]);
	await openJobs(page, `?q=${encodeURIComponent('android graphql')}`);
	for (const text of await cardTexts(page)) {
		expect(text).toContain('android');
		expect(text).toContain('graphql');
	}

	await openJobs(page, '?q=no-such-job-anywhere');
	await expect(page.getByTestId('jobs-empty')).toContainText('No job matches this search');
	await page.getByTestId('jobs-empty').getByRole('link', { name: 'Show all jobs' }).click();
	await expect(page).toHaveURL(/\/jobs$/);
	await expect(cards(page)).toHaveCount(12);
});

test('filters by skill, location, work mode and minimum match narrow the results, the URL says so and Back restores the last search', async ({
	page
}) => {
	await login(page);
	await openJobs(page);

	await page.getByTestId('search-remote').selectOption('remote');
	await expect(page).toHaveURL(/\/jobs\?remote=remote$/);
	for (const text of await cardTexts(page)) expect(text).toContain('remote');

	await page.getByTestId('search-min').selectOption('60');
	await expect(page).toHaveURL(/\/jobs\?remote=remote&min=60$/);
	const matched = await scores(page);
	expect(matched.length).toBeGreaterThan(0);
	for (const score of matched) expect(score).toBeGreaterThanOrEqual(60);
	for (const text of await cardTexts(page)) expect(text).toContain('remote');

	await page.getByTestId('search-skill').selectOption('svelte');
	await expect(page).toHaveURL(/\/jobs\?skill=svelte&remote=remote&min=60$/);
	for (const text of await cardTexts(page)) expect(text).toContain('svelte');
	const narrowest = await cards(page).count();

	await page.goBack();
	await expect(page).toHaveURL(/\/jobs\?remote=remote&min=60$/);
	await expect(page.getByTestId('search-skill')).toHaveValue('');
	await expect(page.getByTestId('search-min')).toHaveValue('60');
	expect(await cards(page).count()).toBeGreaterThanOrEqual(narrowest);

	await openJobs(page, '?location=london');
	const london = await cardTexts(page);
	expect(london.length).toBeGreaterThan(0);
	for (const text of london) expect(text).toContain('london');
	await expect(page.getByTestId('search-location')).toHaveValue('london');
});

test('sorting by match puts the best matches first; by date the newest', async ({ page }) => {
	await login(page);
	await openJobs(page, '?sort=match');
	const best = await scores(page);
	expect(best.length).toBeGreaterThan(3);
	expect(best).toEqual([...best].sort((a, b) => b - a));
	expect(best[0]).toBeGreaterThanOrEqual(80);

	await page.getByTestId('search-sort').selectOption('date');
	await expect(page).toHaveURL(/\/jobs$/);
	const posted = await cards(page)
		.getByTestId('job-posted')
		.evaluateAll((times) => times.map((time) => time.getAttribute('datetime') ?? ''));
	expect(posted).toHaveLength(12);
	expect(posted).toEqual([...posted].sort().reverse());
});

test('paging: 12 jobs a page, Next and page links in the URL, Back returns, a page past the end says so', async ({
	page
}) => {
	await login(page);
	await openJobs(page);
	const pager = page.getByRole('navigation', { name: 'Job result pages' });
	await expect(pager).toBeVisible();
	await expect(pager.getByRole('link', { name: 'Page 1' })).toHaveAttribute('aria-current', 'page');
	const firstPage = await cards(page).getByTestId('job-link').allTextContents();
	expect(firstPage).toHaveLength(12);

	await pager.getByTestId('pager-next').click();
	await expect(page).toHaveURL(/\/jobs\?page=2$/);
	await expect(page.getByTestId('results-count')).toContainText('showing 13–24');
	const secondPage = await cards(page).getByTestId('job-link').allTextContents();
	expect(secondPage).toHaveLength(12);
	expect(secondPage.filter((title) => firstPage.includes(title)).length).toBeLessThan(12);

	const lastPage = Math.ceil(SEEDED_JOBS / 12);
	await page
		.getByRole('navigation', { name: 'Job result pages' })
		.getByTestId(`pager-page-${lastPage}`)
		.click();
	await expect(page).toHaveURL(new RegExp(`/jobs\\?page=${lastPage}$`));
	await expect(cards(page)).toHaveCount(SEEDED_JOBS - 12 * (lastPage - 1));
	await expect(page.getByTestId('pager-next')).toHaveCount(0);

	await page.goBack();
	await expect(page).toHaveURL(/\/jobs\?page=2$/);

	// Filters keep their place in the pager's links.
	await openJobs(page, '?sort=match&page=2');
	await expect(page.getByTestId('pager-prev')).toHaveAttribute('href', '/jobs?sort=match');
	await expect(page.getByTestId('pager-next')).toHaveAttribute('href', '/jobs?sort=match&page=3');

	await openJobs(page, '?page=99');
	await expect(page.getByTestId('jobs-empty')).toContainText(`This search has ${lastPage} pages`);
});

test('a job page shows the description, skills matched and missing and why the score is what it is', async ({
	page
}) => {
	await login(page);
	await openJobs(page, '?q=Brightline');
	await cards(page).getByTestId('job-link').click();
	await expect(page.getByRole('heading', { level: 1, name: 'Frontend Engineer' })).toBeVisible();
	await expect(page).toHaveURL(/\/jobs\/\d+$/);
	await expect(page.getByTestId('job-description')).toContainText('accessible dashboards');
	// Alex has typescript, svelte, css and javascript: all four of the job's skills.
	await expect(page.getByTestId('job-match')).toHaveText('100% match');
	await expect(page.getByTestId('skills-matched').getByRole('listitem')).toHaveText([
		'typescript',
		'svelte',
		'css',
		'javascript'
	]);
	await expect(page.getByTestId('skills-missing')).toHaveText('None: you have them all.');
	await expect(page.getByTestId('job-reason')).toHaveText(
		'Matches 4 of 4 skills: typescript, svelte, css, javascript.'
	);

	await openJobs(page, '?q=Lumen');
	await cards(page).getByTestId('job-link').click();
	await expect(page.getByRole('heading', { level: 1, name: 'iOS Developer' })).toBeVisible();
	await expect(page.getByTestId('job-match')).toHaveText('0% match');
	await expect(page.getByTestId('skills-missing').getByRole('listitem')).toHaveText([
		'swift',
		'ios',
		'objective-c'
	]);
	await expect(page.getByTestId('job-reason')).toHaveText(
		'None of your skills match this job yet.'
	);

	const missing = await page.goto('/jobs/999999');
	expect(missing?.status()).toBe(404);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
	await expect(page.getByText('Job not found')).toBeVisible();
});

/** The card of the job titled `title` on the current list. */
function card(page: Page, title: string): Locator {
	return cards(page).filter({ has: page.getByRole('link', { name: title, exact: true }) });
}

test('Save on a card and Apply on the job page create and move one application, live in another tab', async ({
	page,
	context
}) => {
	await login(page);
	const other = await context.newPage();
	await other.goto('/applications');
	await waitForHydration(other);
	await markDocument(other);
	const rows = other.getByTestId('application-row').filter({ hasText: 'Lead Frontend Developer' });
	await expect(rows).toHaveCount(0);

	await openJobs(page, `?q=${encodeURIComponent('Lead Frontend Developer Pebble')}`);
	const job = card(page, 'Lead Frontend Developer');
	await expect(job.getByTestId('job-actions')).toHaveAttribute('data-status', 'none');
	await job.getByTestId('job-save').click();
	await expect(job.getByTestId('job-application-status')).toContainText('Saved');
	await expect(page).toHaveURL(/\/jobs\?q=Lead\+Frontend\+Developer\+Pebble$/);
	await expect(job.getByTestId('job-save')).toHaveCount(0);

	// The other tab learns of it live: a new row, no reload.
	await expect(rows).toHaveCount(1);
	await expect(rows).toHaveAttribute('data-status', 'saved');
	await expectNotReloaded(other);

	// The same application moves on from the job's page; the other tab follows.
	await job.getByTestId('job-link').click();
	await expect(
		page.getByRole('heading', { level: 1, name: 'Lead Frontend Developer' })
	).toBeVisible();
	await waitForHydration(page);
	await page.getByTestId('job-apply').click();
	await expect(page.getByTestId('job-application-status')).toContainText('Applied');
	await expect(page.getByTestId('job-apply')).toHaveCount(0);
	await expect(rows).toHaveAttribute('data-status', 'applied');
	await expect(rows).toHaveCount(1);
	await expectNotReloaded(other);
});

test('Apply on a card and on a job page show live on the other tab’s Jobs list and job page', async ({
	page,
	context
}) => {
	await login(page);
	const query = `?q=${encodeURIComponent('Staff Android Developer')}`;
	const other = await context.newPage();
	await openJobs(other, query);
	await markDocument(other);
	const otherCard = card(other, 'Staff Android Developer');
	await expect(otherCard.getByTestId('job-actions')).toHaveAttribute('data-status', 'none');

	await openJobs(page, query);
	await card(page, 'Staff Android Developer').getByTestId('job-apply').click();
	await expect(
		card(page, 'Staff Android Developer').getByTestId('job-application-status')
	).toContainText('Applied');
	await expect(otherCard.getByTestId('job-actions')).toHaveAttribute('data-status', 'applied');
	await expectNotReloaded(other);

	// A job page open in the other tab follows an Apply made from this tab's job page.
	await openJobs(page, '?q=Lumen');
	await cards(page).getByTestId('job-link').click();
	await waitForHydration(page);
	await other.goto(page.url());
	await waitForHydration(other);
	await markDocument(other);
	await expect(other.getByTestId('job-actions')).toHaveAttribute('data-status', 'none');
	await page.getByTestId('job-apply').click();
	await expect(page.getByTestId('job-actions')).toHaveAttribute('data-status', 'applied');
	await expect(other.getByTestId('job-actions')).toHaveAttribute('data-status', 'applied');
	await expectNotReloaded(other);
});

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false });

	test('search, paging, Save and Apply all work as plain forms and links', async ({ page }) => {
		await signIn(page);

		await page.goto('/jobs');
		await page.getByTestId('search-q').fill('engineering manager');
		await page.getByTestId('search-submit').click();
		// The GET form sends every field; the server answers with the tidy URL.
		await expect(page).toHaveURL(/\/jobs\?q=engineering\+manager$/);
		const manager = cards(page).first();
		const title = (await manager.getByTestId('job-link').textContent())!.trim();
		await manager.getByTestId('job-save').click();
		// Post, then redirect: the list comes back at its own URL, safe to reload.
		await expect(page).toHaveURL(/\/jobs\?q=engineering\+manager$/);
		const saved = card(page, title).first();
		await expect(saved.getByTestId('job-application-status')).toContainText('Saved');
		await saved.getByTestId('job-apply').click();
		await expect(card(page, title).first().getByTestId('job-application-status')).toContainText(
			'Applied'
		);

		await page.goto('/jobs');
		await page.getByTestId('pager-next').click();
		await expect(page).toHaveURL(/\/jobs\?page=2$/);
	});
});
