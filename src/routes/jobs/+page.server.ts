import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { requireUser } from '$lib/server/domain/http';
import { jobActions } from '$lib/server/domain/job-action-routes';
import { listJobSkills, searchJobs } from '$lib/server/domain/job-search';
import { countNewRecommendations, markRecommendationsSeen } from '$lib/server/domain/jobs';
import { jobSearchQuery, parseJobSearch } from '$lib/job-search';
import type { Actions, PageServerLoad } from './$types';

/**
 * One page of the search in the URL, with the user's match; opening the page marks their
 * recommendations seen. A URL with stray or default parameters (a plain GET form sends every
 * field) is answered with a redirect to its tidy form, so shared links stay short.
 */
export const load: PageServerLoad = async ({ locals, url, request }) => {
	const user = requireUser(locals);
	const search = parseJobSearch(url.searchParams);
	if (request.method === 'GET' && url.search !== jobSearchQuery(search)) {
		redirect(302, resolve('/jobs') + jobSearchQuery(search));
	}
	const { db } = locals.store;
	// Read first: `is_new` and the count must reflect what the user had not seen before this visit.
	const [results, skills, fresh, totals] = await Promise.all([
		searchJobs(db, user.id, search),
		listJobSkills(db),
		countNewRecommendations(db, user.id),
		db
			.selectFrom('jobs')
			.select((eb) => [
				eb.fn.countAll<number>().as('jobs'),
				eb
					.selectFrom('recommendations')
					.select((inner) => inner.fn.countAll<number>().as('n'))
					.where('user_id', '=', user.id)
					.as('matched')
			])
			.executeTakeFirstOrThrow()
	]);
	await markRecommendationsSeen(db, user.id);
	return {
		search,
		...results,
		skills,
		fresh,
		totalJobs: Number(totals.jobs),
		matched: Number(totals.matched ?? 0)
	};
};

export const actions: Actions = jobActions;
