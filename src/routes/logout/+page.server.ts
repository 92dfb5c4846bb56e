import { redirect } from '@sveltejs/kit';
import { endSession } from '$lib/server/auth';
import { getHub } from '$lib/server/realtime/hub';
import type { Actions, PageServerLoad } from './$types';

/** Signing out changes state, so it takes a POST; a plain visit goes home. */
export const load: PageServerLoad = () => {
	redirect(303, '/');
};

export const actions: Actions = {
	/** End the session, close the sockets it opened (other tabs), and go to the sign-in page. */
	default: ({ cookies }) => {
		const sessionId = endSession(cookies);
		if (sessionId) getHub().endSession(sessionId);
		redirect(303, '/login');
	}
};
