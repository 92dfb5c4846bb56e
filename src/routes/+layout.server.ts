import { env } from '$env/dynamic/private';
import { getDb } from '$lib/server/db';
import { countNewRecommendations } from '$lib/server/domain/jobs';
import { unreadCount } from '$lib/server/domain/notifications';
import { isSimulateEnabled } from '$lib/server/domain/simulate';
import type { LayoutServerLoad } from './$types';

/** The signed-in user and the badge counts for the navigation, on every page. */
export const load: LayoutServerLoad = ({ locals, depends }) => {
	depends('app:counts');
	const simulateEnabled = isSimulateEnabled(env.SIMULATE);
	const { user } = locals;
	if (!user) return { user: null, unreadCount: 0, newRecommendations: 0, simulateEnabled };
	const db = getDb();
	return {
		user,
		unreadCount: unreadCount(db, user.id),
		newRecommendations: countNewRecommendations(db, user.id),
		simulateEnabled
	};
};
