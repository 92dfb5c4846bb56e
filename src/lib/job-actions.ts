/**
 * Save and Apply: where each moves the user's one application for a job. Shared by the server,
 * which applies it, and the buttons, which offer only the actions that would do something.
 */
import type { ApplicationStatus } from '$lib/protocol';

export type JobAction = 'save' | 'apply';

/**
 * The status `action` moves an application in `from` (null: there is none yet) to, or null when
 * it leaves it alone: Save only creates; Apply creates, or moves a saved or withdrawn one on.
 */
export function jobActionTarget(
	action: JobAction,
	from: ApplicationStatus | null
): ApplicationStatus | null {
	if (action === 'save') return from === null ? 'saved' : null;
	return from === null || from === 'saved' || from === 'withdrawn' ? 'applied' : null;
}

export const JOB_ACTION_LABELS: Record<JobAction, { idle: string; pending: string }> = {
	save: { idle: 'Save', pending: 'Saving…' },
	apply: { idle: 'Apply', pending: 'Applying…' }
};
