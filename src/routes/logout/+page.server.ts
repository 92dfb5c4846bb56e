import { redirect } from '@sveltejs/kit';
import { endSession } from '$lib/server/auth';
import type { Actions, PageServerLoad } from './$types';

/** Signing out changes state, so it takes a POST; a plain visit goes home. */
export const load: PageServerLoad = () => {
	redirect(303, '/');
};

export const actions: Actions = {
	/** End the session, close the sockets it opened (other tabs, on every node), go to sign-in. */
	default: async ({ cookies, locals }) => {
		const sessionId = await endSession(locals.store.db, cookies);
		if (sessionId) await locals.store.endSession(sessionId);
		redirect(303, '/login');
	}
};
