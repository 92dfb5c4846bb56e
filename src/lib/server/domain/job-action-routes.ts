/**
 * The Save and Apply form actions, shared by the Jobs list and a job's page: each reads the job
 * id (the route's, or the form's `job_id`), acts, and answers a plain POST with a redirect back
 * to the page it came from (its URL without the action), so a reload does not post again.
 */
import { redirect, type Actions, type RequestEvent } from '@sveltejs/kit';
import * as v from 'valibot';
import { idField, parseForm, requireUser, runAction } from './http';
import type { JobAction } from '$lib/job-actions';
import { actOnJob } from './job-applications';
import { parseInput } from './validate';

const JobForm = v.object({ job_id: idField });

/** The page the action was posted to, without the `/action` parameter. */
function backTo(url: URL): string {
	const params = new URLSearchParams();
	for (const [name, value] of url.searchParams)
		if (!name.startsWith('/')) params.append(name, value);
	const query = params.toString();
	return query ? `${url.pathname}?${query}` : url.pathname;
}

function jobAction(action: JobAction) {
	return async ({ request, locals, params, url }: RequestEvent) => {
		const user = requireUser(locals);
		const result = await runAction(async () => {
			const jobId =
				params.id === undefined
					? (await parseForm(request, JobForm)).job_id
					: parseInput(idField, params.id);
			await actOnJob(locals.store, user.id, jobId, action);
		});
		if (result) return result;
		redirect(303, backTo(url));
	};
}

/** `save` and `apply`, for a route's `actions`. */
export const jobActions = {
	save: jobAction('save'),
	apply: jobAction('apply')
} satisfies Actions;
