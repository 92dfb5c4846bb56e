/** Display names and badge colours for application statuses and notification categories. */
import type { ApplicationStatus, NotificationCategory } from '$lib/protocol';
import type { BadgeVariant } from '$lib/components/badge-variants';

export { statusLabel } from '$lib/realtime/toast-policy';

/** Where an application stands, by colour: moving on, good news, closed. */
export const STATUS_VARIANTS: Record<ApplicationStatus, BadgeVariant> = {
	saved: 'default',
	applied: 'primary',
	screening: 'info',
	interview: 'success',
	offer: 'success',
	accepted: 'success',
	rejected: 'error',
	declined: 'error',
	withdrawn: 'warning'
};

export const CATEGORY_LABELS: Record<NotificationCategory, string> = {
	system: 'System',
	job_alert: 'Job alerts',
	application: 'Applications',
	recommendation: 'Recommendations',
	social: 'Social'
};

export const CATEGORY_VARIANTS: Record<NotificationCategory, BadgeVariant> = {
	system: 'default',
	job_alert: 'primary',
	application: 'info',
	recommendation: 'success',
	social: 'warning'
};
