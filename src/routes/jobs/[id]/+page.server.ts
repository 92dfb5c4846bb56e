import { error } from '@sveltejs/kit';
import { idField, requireUser } from '$lib/server/domain/http';
import { jobActions } from '$lib/server/domain/job-action-routes';
import { getJobForUser } from '$lib/server/domain/job-search';
import { safeParse } from 'valibot';
import type { Actions, PageServerLoad } from './$types';

/** One job with the user's match and application; 404 for an id that is not a job. */
export const load: PageServerLoad = async ({ locals, params }) => {
	const user = requireUser(locals);
	const id = safeParse(idField, params.id);
	const found = id.success ? await getJobForUser(locals.store.db, user.id, id.output) : undefined;
	if (!found) error(404, 'Job not found');
	return found;
};

export const actions: Actions = jobActions;
