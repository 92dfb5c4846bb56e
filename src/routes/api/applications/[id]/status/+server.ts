import * as v from 'valibot';
import { setApplicationStatus } from '$lib/server/domain/applications';
import { idField, parseJson, requireUser, runJson } from '$lib/server/domain/http';
import { parseInput, text } from '$lib/server/domain/validate';
import type { RequestHandler } from './$types';

const StatusBody = v.object({ status: text('Status', 32) });

/**
 * Move one of the user's applications to another status: body `{ "status": "interview" }`.
 * Answers `{ application, old_status, changed }`, or `{ message }` with 400 / 404.
 */
export const POST: RequestHandler = ({ params, request, locals }) => {
	const user = requireUser(locals);
	return runJson(async () => {
		const id = parseInput(idField, params.id);
		const { status } = await parseJson(request, StatusBody);
		const change = await setApplicationStatus(locals.store, user.id, id, status);
		return {
			application: change.application,
			old_status: change.old_status,
			changed: change.changed
		};
	});
};
