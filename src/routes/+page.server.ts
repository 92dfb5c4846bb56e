import { getDb } from '$lib/server/db';
import { countByStatus } from '$lib/server/domain/applications';
import { requireUser } from '$lib/server/domain/http';
import { recentRecommendations } from '$lib/server/domain/jobs';
import { listNotifications } from '$lib/server/domain/notifications';
import type { PageServerLoad } from './$types';

/** Dashboard: applications by status, the latest recommendations and unread notifications. */
export const load: PageServerLoad = ({ locals }) => {
	const user = requireUser(locals);
	const db = getDb();
	return {
		counts: countByStatus(db, user.id),
		recommendations: recentRecommendations(db, user.id, 5),
		notifications: listNotifications(db, user.id, { unreadOnly: true, limit: 5 })
	};
};
