import { redirect } from '@sveltejs/kit';
import { endSession } from '$lib/server/auth';
import type { Actions, PageServerLoad } from './$types';

/** Signing out changes state, so it takes a POST; a plain visit goes home. */
export const load: PageServerLoad = () => {
	redirect(303, '/');
};

export const actions: Actions = {
	/** End the session and go to the sign-in page. */
	default: ({ cookies }) => {
		endSession(cookies);
		redirect(303, '/login');
	}
};
