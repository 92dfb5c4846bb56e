import { countByStatus } from '$lib/server/domain/applications';
import { requireUser } from '$lib/server/domain/http';
import { recentRecommendations } from '$lib/server/domain/jobs';
import { listNotifications } from '$lib/server/domain/notifications';
import type { PageServerLoad } from './$types';

/** Dashboard: applications by status, the latest recommendations and unread notifications. */
export const load: PageServerLoad = async ({ locals }) => {
	const user = requireUser(locals);
	const { db } = locals.store;
	const [counts, recommendations, notifications] = await Promise.all([
		countByStatus(db, user.id),
		recentRecommendations(db, user.id, 5),
		listNotifications(db, user.id, { unreadOnly: true, limit: 5 })
	]);
	return { counts, recommendations, notifications };
};
