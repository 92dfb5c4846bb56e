/**
 * Accessibility checks and screenshots the browser tests share: axe-core's serious and critical
 * WCAG 2.1 A/AA violations on the page as it is (with its results attached), and a full-page
 * screenshot kept as a test artifact.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from '@playwright/test';

export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** Follow `theme` (the app uses the system scheme when no theme is saved) without motion. */
export async function useTheme(page: Page, theme: Theme): Promise<void> {
	await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
}

/** The page is drawn in `theme`. */
export async function expectTheme(page: Page, theme: Theme): Promise<void> {
	await expect(page.locator('html')).toHaveClass(theme === 'dark' ? /\bdark\b/ : /^(?!.*\bdark\b)/);
}

/** A full-page screenshot at test-results/<test>/<name>.png, attached to the report. */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
	const path = testInfo.outputPath(`${name}.png`);
	await page.screenshot({ path, fullPage: true, animations: 'disabled' });
	await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** axe-core's serious and critical WCAG 2.1 A/AA violations, one line each. */
export async function seriousViolations(
	page: Page,
	testInfo: TestInfo,
	name: string
): Promise<string[]> {
	const results = await new AxeBuilder({ page })
		.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
		.analyze();
	// Not vacuous: the contrast rule really looked at this page.
	const contrast = [...results.passes, ...results.violations, ...results.incomplete].some(
		(rule) => rule.id === 'color-contrast'
	);
	expect(contrast, 'axe ran color-contrast').toBe(true);
	await testInfo.attach(`axe-${name}.json`, {
		body: JSON.stringify(results.violations, null, 2),
		contentType: 'application/json'
	});
	return results.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target).join(' | ')}`);
}
