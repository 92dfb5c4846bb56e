/**
 * Live toasts: turns events and status changes into svelte-french-toast calls, following the
 * policy in toast-policy.ts and network-toasts.ts and the user's preferences (muted categories,
 * sound). One happening announced twice raises one toast; network toasts come once per episode.
 */
import toast from 'svelte-french-toast';
import type {
	ApplicationStatusChange,
	JobRecommendation,
	Notification,
	NotificationCategory
} from '$lib/protocol';
import ToastContent from '$lib/components/ToastContent.svelte';
import { allowsCategory, type NotificationPreferences } from './preferences';
import { beep } from './sound';
import {
	applicationKey,
	applicationStatusKind,
	applicationStatusMessage,
	jobKey,
	jobMatchMessage,
	notificationSubjectKey,
	SeenKeys,
	type ToastKind
} from './toast-policy';
import {
	initialEpisode,
	NETWORK_TOASTS,
	networkStep,
	type NetworkEpisode,
	type NetworkInput
} from './network-toasts';

type ContentProps = {
	title: string;
	detail?: string;
	href?: string;
	actionLabel?: string;
	testid?: string;
};

/** The library types messages as legacy class components; a Svelte 5 component works the same. */
const Content = ToastContent as unknown as Parameters<typeof toast>[0];

const SHOW = {
	success: toast.success,
	error: toast.error,
	info: (message, options) => toast(message, { icon: 'ℹ️', ...options })
} satisfies Record<ToastKind, typeof toast.success>;

export class LiveToasts {
	#seen = new SeenKeys();
	#episode: NetworkEpisode = initialEpisode;
	#networkToast: string | null = null;

	/**
	 * `attention` says whether this tab plays the sound for the event being shown: with tabs
	 * sharing one connection every tab shows the toast, but only one of them beeps.
	 */
	constructor(
		private readonly preferences: () => NotificationPreferences,
		private readonly attention: () => boolean = () => true
	) {}

	/** "Senior Software Engineer at Tech Corp (95% match)" with a View action. */
	jobMatch(rec: JobRecommendation): void {
		if (!this.#admit('job_alert', jobKey(rec.job.id))) return;
		this.#show('success', {
			title: jobMatchMessage(rec),
			detail: rec.reason,
			href: '/jobs',
			actionLabel: 'View',
			testid: 'toast-job-match'
		});
	}

	/** "Software Engineer at Tech Corp -> Interview": success, error or info by status. */
	statusChange(change: ApplicationStatusChange): void {
		if (!this.#admit('application', applicationKey(change.application_id, change.new_status))) {
			return;
		}
		this.#show(applicationStatusKind(change.new_status), {
			title: applicationStatusMessage(change),
			testid: `toast-application-${applicationStatusKind(change.new_status)}`
		});
	}

	/** A notification, unless its category is muted or its event already raised a toast. */
	notification(n: Notification): void {
		if (!this.#admit(n.category, notificationSubjectKey(n.metadata) ?? `notification:${n.id}`)) {
			return;
		}
		this.#show('info', {
			title: n.title,
			detail: n.description,
			href: n.actionUrl,
			actionLabel: n.actionLabel,
			testid: `toast-notification-${n.category}`
		});
	}

	/** Network toasts for a status change: one per kind per episode, each replacing the last. */
	network(input: NetworkInput): void {
		const step = networkStep(this.#episode, input);
		this.#episode = step.episode;
		if (!step.message) return;
		if (this.#networkToast) toast.dismiss(this.#networkToast);
		const { text, kind } = NETWORK_TOASTS[step.message];
		const id = `network-${step.episode.number}-${step.message}`;
		const show =
			kind === 'loading' ? toast.loading : kind === 'success' ? toast.success : toast.error;
		show(text, { id, duration: kind === 'error' ? 8000 : undefined });
		this.#networkToast = id;
	}

	/** Whether to toast: the category is on and the subject has not been toasted yet. */
	#admit(category: NotificationCategory, key: string): boolean {
		return allowsCategory(this.preferences(), category) && this.#seen.add(key);
	}

	#show(kind: ToastKind, props: ContentProps): void {
		SHOW[kind](Content, { props, duration: 6000 });
		if (this.preferences().sound && this.attention()) beep();
	}
}
