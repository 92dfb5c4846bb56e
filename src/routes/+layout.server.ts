import { env } from '$env/dynamic/private';
import { getDb } from '$lib/server/db';
import { countNewRecommendations } from '$lib/server/domain/jobs';
import { unreadCount } from '$lib/server/domain/notifications';
import { isSimulateEnabled } from '$lib/server/domain/simulate';
import { getHub } from '$lib/server/realtime/hub';
import { SESSION_COOKIE } from '$lib/server/auth';
import { tabKey } from '$lib/server/tab-key';
import type { LayoutServerLoad } from './$types';

/**
 * The signed-in user and the badge counts for the navigation, on every page, and the user's
 * latest event seq: the realtime client resumes from it, so the server replays only what happens
 * after this render, and the name of the session's tab group. Read together with the counts, in one synchronous step, so they agree.
 */
export const load: LayoutServerLoad = ({ locals, depends, cookies }) => {
	depends('app:counts');
	const simulateEnabled = isSimulateEnabled(env.SIMULATE);
	const { user } = locals;
	if (!user) {
		return {
			user: null,
			unreadCount: 0,
			newRecommendations: 0,
			lastSeq: 0,
			tabKey: '',
			simulateEnabled
		};
	}
	const db = getDb();
	return {
		user,
		unreadCount: unreadCount(db, user.id),
		newRecommendations: countNewRecommendations(db, user.id),
		lastSeq: getHub().lastSeq(user.id),
		// The realtime client's tab group: this session's tabs share one socket.
		tabKey: tabKey(user.id, cookies.get(SESSION_COOKIE)),
		simulateEnabled
	};
};
