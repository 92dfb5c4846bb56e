import { fail } from '@sveltejs/kit';
import { requireUser } from '$lib/server/domain/http';
import { getProfile, updateProfile } from '$lib/server/domain/profile';
import { profileFormValues, validateProfileForm } from '$lib/server/domain/profile-form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const user = requireUser(locals);
	return { profile: await getProfile(locals.store.db, user.id) };
};

export const actions: Actions = {
	/**
	 * Save the profile. Every field is checked first: a bad one answers 400 with a message per
	 * field and what was typed, and nothing is stored.
	 */
	save: async ({ request, locals }) => {
		const user = requireUser(locals);
		let form: FormData;
		try {
			form = await request.formData();
		} catch {
			return fail(400, { message: 'Expected form data' });
		}
		const checked = validateProfileForm(profileFormValues(form));
		if (!checked.ok) return fail(400, { values: checked.values, errors: checked.errors });
		const { newMatches } = await updateProfile(locals.store, user.id, checked.profile);
		return { saved: true, newMatches: newMatches.length };
	}
};
