import * as v from 'valibot';
import { listApplications, setApplicationStatus } from '$lib/server/domain/applications';
import { idField, parseForm, requireUser, runAction } from '$lib/server/domain/http';
import { text } from '$lib/server/domain/validate';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const user = requireUser(locals);
	return { applications: await listApplications(locals.store.db, user.id) };
};

/** The status itself is checked by the domain, which lists the valid ones in its message. */
const StatusForm = v.object({ id: idField, status: text('Status', 32) });

export const actions: Actions = {
	/** Move one of the user's applications to another status (fields `id`, `status`). */
	status: async ({ request, locals }) => {
		const user = requireUser(locals);
		return runAction(async () => {
			const { id, status } = await parseForm(request, StatusForm);
			const change = await setApplicationStatus(locals.store, user.id, id, status);
			return { application: change.application, changed: change.changed };
		});
	}
};
