import { error } from '@sveltejs/kit';
import * as v from 'valibot';
import { parseForm, requireUser, runAction } from '$lib/server/domain/http';
import {
	isNotificationCategory,
	listNotifications,
	markAllRead,
	markRead,
	notificationIdField
} from '$lib/server/domain/notifications';
import { notFound } from '$lib/server/domain/errors';
import type { Actions, PageServerLoad } from './$types';

/** The user's notifications, newest first; `?category=` narrows them to one category. */
export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireUser(locals);
	const category = url.searchParams.get('category') || null;
	if (category !== null && !isNotificationCategory(category)) {
		error(400, `Unknown notification category "${category.slice(0, 40)}"`);
	}
	return {
		notifications: await listNotifications(locals.store.db, user.id, { category }),
		category
	};
};

const ReadForm = v.object({ id: notificationIdField });

export const actions: Actions = {
	/** Mark one notification read (field `id`). */
	read: async ({ request, locals }) => {
		const user = requireUser(locals);
		return runAction(async () => {
			const { id } = await parseForm(request, ReadForm);
			if (!(await markRead(locals.store, user.id, id))) throw notFound('Notification not found');
			return { read: id };
		});
	},
	/** Mark every notification read. */
	readAll: async ({ locals }) => {
		const user = requireUser(locals);
		return { readCount: await markAllRead(locals.store, user.id) };
	}
};
