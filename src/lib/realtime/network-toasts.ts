/**
 * Network toasts as a small reducer over status changes. An episode starts when the connection is
 * lost and ends when it is back; within one episode each message is shown at most once, so a
 * client cycling through backoff and attempts raises no toast storm.
 */
import type { UiStatus } from './status';

export type NetworkMessage = 'reconnecting' | 'reconnected' | 'lost' | 'issue';

/** Text and kind of each network toast. */
export const NETWORK_TOASTS: Record<
	NetworkMessage,
	{ text: string; kind: 'loading' | 'success' | 'error' }
> = {
	reconnecting: { text: 'Reconnecting…', kind: 'loading' },
	reconnected: { text: 'Reconnected', kind: 'success' },
	lost: { text: 'Connection Lost', kind: 'error' },
	issue: { text: 'Connection Issue', kind: 'error' }
};

export interface NetworkEpisode {
	/** Episodes counted from 1; 0 before the first loss. Part of each toast id. */
	number: number;
	/** True between a loss and the next connection. */
	open: boolean;
	/** Messages already shown in this episode. */
	shown: readonly NetworkMessage[];
}

export const initialEpisode: NetworkEpisode = {
	number: 0,
	open: false,
	shown: []
};

/** What the status module reports, reduced to what the toasts need. */
export interface NetworkInput {
	status: UiStatus;
	/** The browser is offline (or the client says so). */
	offline: boolean;
	/** The user or the app disconnected on purpose, or live updates are off: no alarm. */
	intentional: boolean;
}

export interface NetworkStep {
	episode: NetworkEpisode;
	/** The toast to show now, if any. */
	message: NetworkMessage | null;
}

/** The next episode and the toast to show (if any) for a new status. */
export function networkStep(episode: NetworkEpisode, input: NetworkInput): NetworkStep {
	if (input.status === 'connected') {
		const message = episode.open ? 'reconnected' : null;
		return { episode: { ...episode, open: false, shown: [] }, message };
	}
	if (input.intentional || input.status === 'off') {
		return { episode: { ...episode, open: false, shown: [] }, message: null };
	}
	const wanted = pick(input, episode);
	if (!wanted) return { episode, message: null };
	const opened = episode.open ? episode : { ...episode, number: episode.number + 1, open: true };
	if (opened.shown.includes(wanted)) return { episode: opened, message: null };
	return { episode: { ...opened, shown: [...opened.shown, wanted] }, message: wanted };
}

function pick(input: NetworkInput, episode: NetworkEpisode): NetworkMessage | null {
	if (input.offline) return 'lost';
	if (input.status === 'disconnected') return 'issue';
	if (input.status === 'reconnecting') return 'reconnecting';
	// A fresh attempt after a loss (e.g. back online) is a reconnect too; the very first is not.
	return episode.open ? 'reconnecting' : null;
}
