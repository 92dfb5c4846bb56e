/**
 * What to say, and how, for each live event: pure functions, so the policy is unit-tested without
 * a browser. `toasts.ts` turns these decisions into svelte-french-toast calls.
 */
import type { ApplicationStatus, ApplicationStatusChange, JobRecommendation } from '$lib/protocol';

export type ToastKind = 'success' | 'error' | 'info';

const SUCCESS_STATUSES: ReadonlySet<ApplicationStatus> = new Set([
	'offer',
	'accepted',
	'interview'
]);
const ERROR_STATUSES: ReadonlySet<ApplicationStatus> = new Set(['rejected', 'declined']);

/** "interview" → "Interview". */
export function statusLabel(status: string): string {
	return status.charAt(0).toUpperCase() + status.slice(1);
}

/** "Senior Software Engineer at Tech Corp (95% match)"; the score part only when known. */
export function jobMatchMessage({ job, match_score }: JobRecommendation): string {
	const score = typeof match_score === 'number' ? ` (${Math.round(match_score)}% match)` : '';
	return `${job.title} at ${job.company}${score}`;
}

/** Good news is a success, a closed door an error, every other step plain information. */
export function applicationStatusKind(status: ApplicationStatus): ToastKind {
	if (SUCCESS_STATUSES.has(status)) return 'success';
	if (ERROR_STATUSES.has(status)) return 'error';
	return 'info';
}

/** The one arrow the app writes between two steps (toasts, notifications, lists). */
export const ARROW = '→';

/** "Software Engineer at Tech Corp → Interview" (the job part falls back to the application id). */
export function applicationStatusMessage(change: ApplicationStatusChange): string {
	const subject =
		change.job_title && change.company
			? `${change.job_title} at ${change.company}`
			: (change.job_title ?? `Application #${change.application_id}`);
	return `${subject} ${ARROW} ${statusLabel(change.new_status)}`;
}

/**
 * One happening announced twice (a job recommendation and its `job_alert` notification, a status
 * change and its `application` notification) raises one toast: the first of the pair to arrive
 * toasts and leaves its key here, the second finds the key, takes it away and stays quiet. So a
 * later happening with the same key (an application moved back to a status it had before) toasts
 * again. Bounded, for twins that never arrive (a muted category, a lost frame).
 */
export class TwinAnnouncements {
	#waiting = new Set<string>();
	constructor(private readonly limit = 200) {}

	/** True when `key`'s twin has not been announced: toast it (and expect the twin). */
	first(key: string): boolean {
		if (this.#waiting.delete(key)) return false;
		this.#waiting.add(key);
		if (this.#waiting.size > this.limit) {
			this.#waiting.delete(this.#waiting.values().next().value as string);
		}
		return true;
	}
}

/** The subject key of a job recommendation. */
export function jobKey(jobId: string | number): string {
	return `job:${jobId}`;
}

/** The subject key of one application status step. */
export function applicationKey(applicationId: string | number, status: string): string {
	return `application:${applicationId}:${status}`;
}

/**
 * The subject key a notification shares with the event it announces, read from its metadata
 * (`job_id`, or `application_id` with `new_status`/`status`); `null` when it stands alone.
 */
export function notificationSubjectKey(metadata: Record<string, unknown> | undefined) {
	if (!metadata) return null;
	const { job_id: jobId, application_id: applicationId } = metadata;
	const status = metadata.new_status ?? metadata.status;
	if (isId(applicationId) && typeof status === 'string')
		return applicationKey(applicationId, status);
	if (isId(jobId)) return jobKey(jobId);
	return null;
}

function isId(value: unknown): value is string | number {
	return typeof value === 'string' || typeof value === 'number';
}
