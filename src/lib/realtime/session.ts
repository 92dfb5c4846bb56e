/**
 * Sending a tab whose session ended to the sign-in page, and that page saying why. Pure, shared
 * by the browser (which builds the link) and the sign-in page (which reads it back).
 */

/** Why the sign-in page was opened, as `?reason=` carries it. */
export const SIGN_IN_REASONS = {
	'session-ended':
		'Your session ended (you signed out in another tab, or it expired). Sign in again to continue.'
} as const;

export type SignInReason = keyof typeof SIGN_IN_REASONS;

/** "/login?redirectTo=%2Fnotifications&reason=session-ended" for the page at `url`. */
export function signInPath(url: URL, reason: SignInReason): `/login?${string}` {
	const params = new URLSearchParams({ redirectTo: url.pathname + url.search, reason });
	return `/login?${params}`;
}

/** The sentence for a `?reason=` value, or null for none or an unknown one. */
export function signInMessage(reason: string | null): string | null {
	return reason !== null && Object.hasOwn(SIGN_IN_REASONS, reason)
		? SIGN_IN_REASONS[reason as SignInReason]
		: null;
}
