import { getDb } from '$lib/server/db';
import { requireUser } from '$lib/server/domain/http';
import { listJobs, markRecommendationsSeen } from '$lib/server/domain/jobs';
import type { PageServerLoad } from './$types';

/** Every job with the user's match; opening the page marks their recommendations seen. */
export const load: PageServerLoad = ({ locals }) => {
	const user = requireUser(locals);
	const db = getDb();
	// List first: `is_new` must reflect what the user had not seen before this visit.
	const jobs = listJobs(db, user.id);
	markRecommendationsSeen(db, user.id);
	return { jobs };
};
