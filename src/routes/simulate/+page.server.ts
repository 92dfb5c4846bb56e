import { error } from '@sveltejs/kit';
import * as v from 'valibot';
import { env } from '$env/dynamic/private';
import { APPLICATION_STATUSES, NOTIFICATION_CATEGORIES } from '$lib/protocol';
import { listApplications, statusLabel } from '$lib/server/domain/applications';
import { idField, parseForm, requireUser, runAction } from '$lib/server/domain/http';
import {
	isSimulateEnabled,
	simulateApplicationMove,
	simulateJob,
	simulateNotification
} from '$lib/server/domain/simulate';
import type { Actions, PageServerLoad } from './$types';

/** The signed-in user, or 404 when the simulate page is switched off (SIMULATE=false). */
function simulatingUser(locals: App.Locals) {
	if (!isSimulateEnabled(env.SIMULATE)) error(404, 'Not found');
	return requireUser(locals);
}

export const load: PageServerLoad = async ({ locals }) => {
	const user = simulatingUser(locals);
	return {
		applications: await listApplications(locals.store.db, user.id),
		categories: NOTIFICATION_CATEGORIES
	};
};

const ApplicationForm = v.object({
	id: v.optional(idField),
	status: v.optional(v.picklist(APPLICATION_STATUSES, 'Unknown status'))
});
const NotificationForm = v.object({
	category: v.picklist(NOTIFICATION_CATEGORIES, 'Choose a notification category')
});

/** Every action answers `{ message }` saying what it did, or fails with `{ message }`. */
export const actions: Actions = {
	job: async ({ locals }) => {
		const user = simulatingUser(locals);
		const { job, matches } = await simulateJob(locals.store, user.id);
		return {
			message: `Posted ${job.title} at ${job.company}; recommended to ${matches.length} user(s).`
		};
	},
	application: async ({ request, locals }) => {
		const user = simulatingUser(locals);
		return runAction(async () => {
			const change = await simulateApplicationMove(
				locals.store,
				user.id,
				await parseForm(request, ApplicationForm)
			);
			const { job_title, company, status } = change.application;
			return {
				message: change.changed
					? `${job_title} at ${company}: ${statusLabel(change.old_status)} → ${statusLabel(status)}.`
					: `${job_title} at ${company} is already ${statusLabel(status)}.`
			};
		});
	},
	notification: async ({ request, locals }) => {
		const user = simulatingUser(locals);
		return runAction(async () => {
			const { category } = await parseForm(request, NotificationForm);
			const notification = await simulateNotification(locals.store, user.id, category);
			return { message: `Sent "${notification.title}".` };
		});
	},
	drop: async ({ locals }) => {
		const user = simulatingUser(locals);
		await locals.store.dropUser(user.id);
		return { message: 'Closed your connections; they will reconnect.' };
	},
	restart: async ({ locals }) => {
		simulatingUser(locals);
		await locals.store.restartSockets();
		return { message: 'Restarted the socket layer; every client will reconnect.' };
	}
};
