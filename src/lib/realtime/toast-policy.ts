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

/** "interview" -> "Interview". */
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

/** "Software Engineer at Tech Corp -> Interview" (the job part falls back to the application id). */
export function applicationStatusMessage(change: ApplicationStatusChange): string {
	const subject =
		change.job_title && change.company
			? `${change.job_title} at ${change.company}`
			: (change.job_title ?? `Application #${change.application_id}`);
	return `${subject} -> ${statusLabel(change.new_status)}`;
}

/**
 * A bounded memory of the subjects already toasted, so that one happening announced twice (a job
 * recommendation and its `job_alert` notification, a status change and its `application`
 * notification) raises one toast.
 */
export class SeenKeys {
	#keys = new Set<string>();
	constructor(private readonly limit = 200) {}

	/** Record `key`; true the first time it is seen. */
	add(key: string): boolean {
		if (this.#keys.has(key)) return false;
		this.#keys.add(key);
		if (this.#keys.size > this.limit) {
			const oldest = this.#keys.values().next().value as string;
			this.#keys.delete(oldest);
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
