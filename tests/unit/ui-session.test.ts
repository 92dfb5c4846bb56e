import { describe, expect, it } from 'vitest';
import { signInMessage, signInPath } from '../../src/lib/realtime/session';

describe('sign-in after a session ended', () => {
	it('links to the sign-in page with the way back and the reason', () => {
		const url = new URL('http://app.test/notifications?category=social');
		expect(signInPath(url, 'session-ended')).toBe(
			'/login?redirectTo=%2Fnotifications%3Fcategory%3Dsocial&reason=session-ended'
		);
	});

	it('says why for a known reason only', () => {
		expect(signInMessage('session-ended')).toMatch(/^Your session ended/);
		expect(signInMessage('toString')).toBeNull();
		expect(signInMessage('<script>')).toBeNull();
		expect(signInMessage(null)).toBeNull();
	});
});
