import * as v from 'valibot';
import { parseForm, requireUser, runAction } from '$lib/server/domain/http';
import {
	countNotifications,
	listNotifications,
	markAllRead,
	markRead,
	notificationIdField
} from '$lib/server/domain/notifications';
import { notFound } from '$lib/server/domain/errors';
import { NOTIFICATIONS_PAGE_SIZE, parseNotificationQuery } from '$lib/notification-filter';
import { pageCount, pageOffset } from '$lib/paging';
import type { Actions, PageServerLoad } from './$types';

/**
 * One page of the user's notifications, newest first; `?category=` narrows them to one category
 * and `?page=` picks the page. A category that does not exist is answered with a page that says
 * so (and lists none), not an error.
 */
export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireUser(locals);
	const query = parseNotificationQuery(url.searchParams);
	if (query.kind === 'unknown-category') {
		return {
			unknownCategory: query.category,
			category: null,
			notifications: [],
			page: 1,
			pageCount: 1,
			total: 0,
			unread: 0
		};
	}
	const { db } = locals.store;
	const { category, page } = query;
	const [counts, notifications] = await Promise.all([
		countNotifications(db, user.id, category),
		listNotifications(db, user.id, {
			category,
			limit: NOTIFICATIONS_PAGE_SIZE,
			offset: pageOffset(page, NOTIFICATIONS_PAGE_SIZE)
		})
	]);
	return {
		unknownCategory: null,
		category,
		notifications,
		page,
		pageCount: pageCount(counts.total, NOTIFICATIONS_PAGE_SIZE),
		...counts
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
