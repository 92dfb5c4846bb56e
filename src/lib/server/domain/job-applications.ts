/**
 * Save and Apply: the user's single application for a job, created or moved by one of the two,
 * announced to every tab and device of the user as `application:status_change` (written to the
 * outbox in the same transaction). Save only creates (a job already saved or applied to stays as
 * it is); Apply creates, or moves a saved or withdrawn application to applied.
 */
import type { ApplicationStatus } from '$lib/protocol';
import { jobActionTarget, type JobAction } from '$lib/job-actions';
import type { ApplicationSummary } from './applications';
import { notFound } from './errors';
import { emitEvent, type DomainStore, type DomainTransaction } from './events';

/** What an action did. */
export interface JobActionResult {
	application: ApplicationSummary;
	/** null when the action created the application. */
	old_status: ApplicationStatus | null;
	/** False when the application already was where the action would put it: nothing was sent. */
	changed: boolean;
}

async function findApplication(
	tx: DomainTransaction,
	userId: number,
	jobId: number
): Promise<ApplicationSummary | undefined> {
	const row = await tx.db
		.selectFrom('applications as a')
		.innerJoin('jobs as j', 'j.id', 'a.job_id')
		.select(['a.id', 'a.job_id', 'j.title as job_title', 'j.company', 'a.status', 'a.updated_at'])
		.where('a.user_id', '=', userId)
		.where('a.job_id', '=', jobId)
		.executeTakeFirst();
	return (
		row && {
			...row,
			id: Number(row.id),
			job_id: Number(row.job_id),
			status: row.status as ApplicationStatus
		}
	);
}

/**
 * Save or apply to a job for the user. 404 when the job does not exist. Safe against a double
 * submit or two tabs at once: the (user, job) pair is unique, so a second insert does nothing
 * and the action then sees the application the first one made.
 */
export async function actOnJob(
	store: DomainStore,
	userId: number,
	jobId: number,
	action: JobAction
): Promise<JobActionResult> {
	return store.transaction(async (tx) => {
		const job = await tx.db
			.selectFrom('jobs')
			.select(['id', 'title', 'company'])
			.where('id', '=', jobId)
			.executeTakeFirst();
		if (!job) throw notFound('Job not found');
		const now = new Date().toISOString();
		let existing = await findApplication(tx, userId, jobId);
		let old_status: ApplicationStatus | null = null;
		if (!existing) {
			const inserted = await tx.db
				.insertInto('applications')
				.values({
					user_id: userId,
					job_id: jobId,
					status: jobActionTarget(action, null) ?? 'saved',
					created_at: now,
					updated_at: now
				})
				.onConflict((conflict) => conflict.columns(['user_id', 'job_id']).doNothing())
				.returning('id')
				.executeTakeFirst();
			// Not inserted: another request made it first (and committed); act on that one.
			if (!inserted) existing = await findApplication(tx, userId, jobId);
		}
		if (existing) {
			const target = jobActionTarget(action, existing.status);
			if (target === null)
				return { application: existing, old_status: existing.status, changed: false };
			old_status = existing.status;
			await tx.db
				.updateTable('applications')
				.set({ status: target, updated_at: now })
				.where('id', '=', existing.id)
				.execute();
		}
		const application = (await findApplication(tx, userId, jobId))!;
		await emitEvent(tx, userId, 'application:status_change', {
			application_id: application.id,
			old_status,
			new_status: application.status,
			application: { ...application },
			job_title: application.job_title,
			company: application.company
		});
		return { application, old_status, changed: true };
	});
}
