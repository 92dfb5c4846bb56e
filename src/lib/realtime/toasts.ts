/**
 * Live toasts: turns events and status changes into toasts on the deck (at most three on screen,
 * repeats grouped), following the policy in toast-policy.ts and network-toasts.ts and the user's
 * preferences (muted categories, sound). One happening announced twice raises one toast; the
 * network toasts share one slot and replace one another.
 */
import type {
	ApplicationStatusChange,
	JobRecommendation,
	Notification,
	NotificationCategory
} from '$lib/protocol';
import { allowsCategory, type NotificationPreferences } from './preferences';
import { beep } from './sound';
import { ToastDeck, type DeckToast } from './toast-deck';
import {
	applicationKey,
	applicationStatusKind,
	applicationStatusMessage,
	jobKey,
	jobMatchMessage,
	notificationSubjectKey,
	TwinAnnouncements
} from './toast-policy';
import {
	initialEpisode,
	NETWORK_TOASTS,
	networkStep,
	type NetworkEpisode,
	type NetworkInput
} from './network-toasts';

/** How long a live toast stays (ms), unless hovered, focused or closed. */
export const TOAST_DURATION = 6000;
const NETWORK_DURATION = { loading: Infinity, success: 4000, error: 8000 } as const;

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

export class LiveToasts {
	#twins = new TwinAnnouncements();
	#episode: NetworkEpisode = initialEpisode;

	/**
	 * `attention` says whether this tab plays the sound for the event being shown: with tabs
	 * sharing one connection every tab shows the toast, but only one of them beeps.
	 */
	constructor(
		private readonly preferences: () => NotificationPreferences,
		private readonly deck = new ToastDeck(),
		private readonly attention: () => boolean = () => true
	) {}

	/** "Senior Software Engineer at Tech Corp (95% match)" with a View action. */
	jobMatch(rec: JobRecommendation): void {
		if (!this.#admit('job_alert', jobKey(rec.job.id))) return;
		this.#show({
			group: 'job-match',
			kind: 'success',
			title: jobMatchMessage(rec),
			detail: rec.reason,
			href: '/jobs',
			actionLabel: 'View',
			testid: 'toast-job-match',
			countTitle: (n) => plural(n, 'new job match', 'new job matches')
		});
	}

	/** "Software Engineer at Tech Corp → Interview": success, error or info by status. */
	statusChange(change: ApplicationStatusChange): void {
		if (!this.#admit('application', applicationKey(change.application_id, change.new_status))) {
			return;
		}
		const kind = applicationStatusKind(change.new_status);
		this.#show({
			group: `application-${kind}`,
			kind,
			title: applicationStatusMessage(change),
			testid: `toast-application-${kind}`,
			countTitle: (n) => plural(n, 'application update', 'application updates')
		});
	}

	/** A notification, unless its category is muted or its event already raised a toast. */
	notification(n: Notification): void {
		const twin = notificationSubjectKey(n.metadata);
		if (!allowsCategory(this.preferences(), n.category)) return;
		if (twin !== null && !this.#twins.first(twin)) return;
		this.#show({
			group: `notification-${n.category}`,
			kind: 'info',
			title: n.title,
			detail: n.description,
			href: n.actionUrl,
			actionLabel: n.actionLabel,
			testid: `toast-notification-${n.category}`,
			countTitle: (count) => plural(count, 'new notification', 'new notifications')
		});
	}

	/** Network toasts for a status change: one slot, each message replacing the last. */
	network(input: NetworkInput): void {
		const step = networkStep(this.#episode, input);
		const ended = this.#episode.open && !step.episode.open;
		this.#episode = step.episode;
		// Disconnected on purpose mid-episode: "Reconnecting…" would otherwise stay for good.
		if (!step.message && ended) this.deck.dismissGroup('network');
		if (!step.message) return;
		const { text, kind } = NETWORK_TOASTS[step.message];
		this.deck.show({
			group: 'network',
			kind,
			title: text,
			testid: `toast-network-${step.message}`,
			duration: NETWORK_DURATION[kind],
			sticky: true
		});
	}

	/** Whether to toast: the category is on and the happening's twin has not toasted already. */
	#admit(category: NotificationCategory, key: string): boolean {
		return allowsCategory(this.preferences(), category) && this.#twins.first(key);
	}

	#show(t: Omit<DeckToast, 'duration'>): void {
		this.deck.show({ ...t, duration: TOAST_DURATION });
		if (this.preferences().sound && this.attention()) beep();
	}
}
