/**
 * The profile page: reachable from the navigation and from the seeded notification that asks for
 * a portfolio link; a bad value is refused with its message and nothing is stored; new skills
 * make jobs match, announced live in another tab (toast and Jobs badge).
 */
import { expect, test } from '../support/e2e-fixtures';
import { badgeCount, login, signIn, waitForHydration } from '../support/e2e-app';
import { toastCount } from '../support/e2e-probes';

test('the navigation and the "Add a portfolio link" notification open the profile', async ({
	page
}) => {
	await login(page);
	await page.getByTestId('nav-profile').click();
	await expect(page.getByRole('heading', { level: 1, name: 'Profile' })).toBeVisible();
	await expect(page.getByTestId('nav-profile')).toHaveAttribute('aria-current', 'page');
	await expect(page.getByTestId('profile-name')).toHaveValue('Alex Morgan');
	await expect(page.getByTestId('profile-skills')).toHaveValue(/typescript, javascript, svelte/);

	await page.goto('/notifications');
	const item = page.getByTestId('notification-item').filter({ hasText: 'Add a portfolio link' });
	await item.getByRole('link', { name: 'Open your profile' }).click();
	await expect(page).toHaveURL(/\/profile$/);
	await expect(page.getByTestId('profile-portfolio')).toBeVisible();
});

test('a bad value is refused with its message next to the field, and nothing is stored', async ({
	page
}) => {
	await login(page);
	await page.goto('/profile');
	await waitForHydration(page);
	await page.getByTestId('profile-headline').fill('Realtime frontend engineer');
	await page.getByTestId('profile-portfolio').fill('javascript:alert(1)');
	await page.getByTestId('profile-name').fill('');
	await page.getByTestId('profile-save').click();

	await expect(page.getByTestId('profile-refused')).toContainText('Nothing was saved');
	await expect(page.getByTestId('profile-portfolio-error')).toHaveText(
		/Portfolio link must be a full http:\/\/ or https:\/\/ address/
	);
	await expect(page.getByTestId('profile-name-error')).toHaveText('Name is required');
	await expect(page.getByTestId('profile-portfolio')).toHaveAttribute('aria-invalid', 'true');
	await expect(page.getByTestId('profile-headline-error')).toHaveCount(0);
	// What was typed stays, to be corrected.
	await expect(page.getByTestId('profile-headline')).toHaveValue('Realtime frontend engineer');
	await expect(page.getByTestId('profile-portfolio')).toHaveValue('javascript:alert(1)');

	await page.reload();
	await expect(page.getByTestId('profile-headline')).toHaveValue('');
	await expect(page.getByTestId('profile-name')).toHaveValue('Alex Morgan');
	await expect(page.getByTestId('profile-portfolio')).toHaveValue('');

	await page.getByTestId('profile-headline').fill('Realtime frontend engineer');
	await page.getByTestId('profile-portfolio').fill('https://alex.example.com/work');
	await page.getByTestId('profile-remote').selectOption('remote');
	await page.getByTestId('profile-save').click();
	await expect(page.getByTestId('profile-saved')).toContainText('Profile saved');
	await page.reload();
	await expect(page.getByTestId('profile-headline')).toHaveValue('Realtime frontend engineer');
	await expect(page.getByTestId('profile-remote')).toHaveValue('remote');
	await expect(page.getByTestId('profile-portfolio-link')).toHaveAttribute(
		'href',
		'https://alex.example.com/work'
	);
});

test('new skills make jobs match: the profile says how many, another tab gets the toasts and the Jobs badge live', async ({
	page,
	context
}) => {
	await login(page);
	// Start from a clear badge in the watching tab.
	const other = await context.newPage();
	await other.goto('/jobs');
	await other.goto('/');
	await waitForHydration(other);
	await expect(other.getByTestId('jobs-badge')).toHaveCount(0);

	await page.goto('/profile');
	await waitForHydration(page);
	const skills = page.getByTestId('profile-skills');
	await skills.fill(`${await skills.inputValue()}, kotlin, android`);
	await page.getByTestId('profile-save').click();
	const saved = page.getByTestId('profile-saved');
	await expect(saved).toContainText(/(\d+) more jobs? match/);
	const count = Number(/(\d+) more job/.exec((await saved.textContent()) ?? '')?.[1]);
	expect(count).toBeGreaterThan(0);

	await expect.poll(() => badgeCount(other, 'jobs-badge')).toBe(count);
	await expect(other.getByTestId('toast-job-match').first()).toContainText(/Android Developer at/);
	expect(await toastCount(other, /Android Developer at .*\(\d+% match\)/)).toBeGreaterThan(0);

	// Taking the skills out again announces nothing more.
	await skills.fill((await skills.inputValue()).replace(', kotlin, android', ''));
	await page.getByTestId('profile-save').click();
	await expect(page.getByTestId('profile-saved')).toHaveText(/^\s*Profile saved\.\s*$/);
	await other.goto('/jobs?skill=kotlin&min=60');
	await expect(other.getByTestId('jobs-empty')).toBeVisible();
});

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false });

	test('the form posts, a bad value comes back with its message', async ({ page }) => {
		await signIn(page);
		await page.goto('/profile');
		await page.getByTestId('profile-skills').fill('typescript, <b>bold</b>');
		await page.getByTestId('profile-save').click();
		await expect(page.getByTestId('profile-skills-error')).toContainText(
			'"<b>bold</b>" is not a skill name'
		);
		await expect(page.getByTestId('profile-skills')).toHaveValue('typescript, <b>bold</b>');
	});
});
