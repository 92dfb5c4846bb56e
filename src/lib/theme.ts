/**
 * Light/dark theme. The choice lives in localStorage `theme`; an inline script in app.html applies
 * it to <html> before the first paint, and these helpers keep the two in step afterwards.
 */
export type Theme = 'light' | 'dark';

/** The localStorage key, also read by the inline script in app.html. */
export const THEME_KEY = 'theme';

/** The theme currently applied to the document. */
export function appliedTheme(): Theme {
	return document.documentElement.classList.contains('dark') ? 'dark' : 'light';
}

/** Apply `theme` to the document and remember it. */
export function applyTheme(theme: Theme): void {
	document.documentElement.classList.toggle('dark', theme === 'dark');
	try {
		localStorage.setItem(THEME_KEY, theme);
	} catch {
		// Storage blocked (private mode): the theme still applies for this page.
	}
}
