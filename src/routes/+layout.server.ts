import { env } from '$env/dynamic/private';
import { SESSION_COOKIE } from '$lib/server/auth';
import { countNewRecommendations } from '$lib/server/domain/jobs';
import { unreadCount } from '$lib/server/domain/notifications';
import { isSimulateEnabled } from '$lib/server/domain/simulate';
import { tabKey } from '$lib/server/tab-key';
import type { LayoutServerLoad } from './$types';

/**
 * The signed-in user and the badge counts for the navigation, on every page, and the user's
 * latest event seq: the realtime client resumes from it, so the server replays only what happens
 * after this render. All three are read in one snapshot, so they agree. And the name of the
 * session's tab group: its tabs share one socket.
 */
export const load: LayoutServerLoad = async ({ locals, depends, cookies }) => {
	depends('app:counts');
	const simulateEnabled = isSimulateEnabled(env.SIMULATE);
	const { user, store } = locals;
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
	const counts = await store.db
		.transaction()
		.setIsolationLevel('repeatable read')
		.execute(async (tx) => ({
			lastSeq: await store.latestSeq(tx, user.id),
			unreadCount: await unreadCount(tx, user.id),
			newRecommendations: await countNewRecommendations(tx, user.id)
		}));
	return { user, ...counts, tabKey: tabKey(user.id, cookies.get(SESSION_COOKIE)), simulateEnabled };
};
