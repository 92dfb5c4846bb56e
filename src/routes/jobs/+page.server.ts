import { requireUser } from '$lib/server/domain/http';
import { listJobs, markRecommendationsSeen } from '$lib/server/domain/jobs';
import type { PageServerLoad } from './$types';

/** Every job with the user's match; opening the page marks their recommendations seen. */
export const load: PageServerLoad = async ({ locals }) => {
	const user = requireUser(locals);
	const { db } = locals.store;
	// List first: `is_new` must reflect what the user had not seen before this visit.
	const jobs = await listJobs(db, user.id);
	await markRecommendationsSeen(db, user.id);
	return { jobs };
};
