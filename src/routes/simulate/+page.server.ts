import { error } from '@sveltejs/kit';
import * as v from 'valibot';
import { env } from '$env/dynamic/private';
import { APPLICATION_STATUSES, NOTIFICATION_CATEGORIES } from '$lib/protocol';
import { getDb } from '$lib/server/db';
import { listApplications, statusLabel } from '$lib/server/domain/applications';
import { idField, parseForm, requireUser, runAction } from '$lib/server/domain/http';
import {
	isSimulateEnabled,
	simulateApplicationMove,
	simulateJob,
	simulateNotification
} from '$lib/server/domain/simulate';
import { getHub } from '$lib/server/realtime/hub';
import type { Actions, PageServerLoad } from './$types';

/** The signed-in user, or 404 when the simulate page is switched off (SIMULATE=false). */
function simulatingUser(locals: App.Locals) {
	if (!isSimulateEnabled(env.SIMULATE)) error(404, 'Not found');
	return requireUser(locals);
}

export const load: PageServerLoad = ({ locals }) => {
	const user = simulatingUser(locals);
	return {
		applications: listApplications(getDb(), user.id),
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
	job: ({ locals }) => {
		const user = simulatingUser(locals);
		const { job, matches } = simulateJob(getDb(), user.id);
		return {
			message: `Posted ${job.title} at ${job.company}; recommended to ${matches.length} user(s).`
		};
	},
	application: async ({ request, locals }) => {
		const user = simulatingUser(locals);
		return runAction(async () => {
			const change = simulateApplicationMove(
				getDb(),
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
			const notification = simulateNotification(getDb(), user.id, category);
			return { message: `Sent "${notification.title}".` };
		});
	},
	drop: ({ locals }) => {
		const user = simulatingUser(locals);
		getHub().dropUser(user.id);
		return { message: 'Closed your connections; they will reconnect.' };
	},
	restart: ({ locals }) => {
		simulatingUser(locals);
		getHub().restart();
		return { message: 'Restarted the socket layer; every client will reconnect.' };
	}
};
