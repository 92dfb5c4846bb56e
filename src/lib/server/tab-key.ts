/**
 * The name of a session's tab group (the realtime client's `tabSharing.key`): the tabs of one
 * signed-in session share one connection, and no tab of another user or session joins it. Made
 * from the user id and a hash of the session token, so the page can carry it without carrying the
 * token itself (the cookie stays httpOnly), and a new sign-in (a new token) makes a new group.
 */
import { createHash } from 'node:crypto';

export function tabKey(userId: number, sessionToken: string | undefined): string {
	const session = createHash('sha256')
		.update(sessionToken ?? '')
		.digest('base64url')
		.slice(0, 22);
	return `user-${userId}:${session}`;
}
