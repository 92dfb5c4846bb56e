/**
 * How the connection is shown: the status dot's tone, its label and the sentence that says why.
 * Pure, from the client's status detail, so every case is unit-tested.
 */
import { CloseCode } from '$machines/protocol';
import { formatClock } from '$lib/format';

/** The client's four statuses plus `off` when PUBLIC_ENABLE_WEBSOCKETS=false. */
export type UiStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'off';

/** The fields of the client's `getStatusDetail()` the UI reads. */
export interface StatusDetailView {
	status: Exclude<UiStatus, 'off'>;
	reason: string | null;
	attempt: number;
	maxAttempts: number;
	nextRetryAt: number | null;
	closeCode: number | null;
}

/** Dot colour: green, yellow (pulsing), red, grey. */
export type StatusTone = 'ok' | 'pending' | 'down' | 'off';

export interface StatusView {
	status: UiStatus;
	tone: StatusTone;
	/** One or two words next to the dot: "Connected", "Reconnecting", "Offline"... */
	label: string;
	/** The tooltip and screen-reader sentence: why, and what happens next. */
	description: string;
	/** Whether to offer a "Reconnect" button. */
	canReconnect: boolean;
	/** Whether the user must sign in again. */
	sessionExpired: boolean;
}

const SESSION_CODES: ReadonlySet<number> = new Set([CloseCode.UNAUTHORIZED, CloseCode.FORBIDDEN]);

/** The view for the dot; `off` (with `why`) when live updates are switched off. */
export function describeStatus(detail: StatusDetailView | null, off?: string): StatusView {
	if (off !== undefined || detail === null) {
		return {
			status: 'off',
			tone: 'off',
			label: 'Live updates off',
			description: off || 'Live updates are off: reload the page to see changes.',
			canReconnect: false,
			sessionExpired: false
		};
	}
	switch (detail.status) {
		case 'connected':
			return view(detail, 'ok', 'Connected', 'Connected: updates arrive live.');
		case 'connecting':
			return view(detail, 'pending', 'Connecting', 'Connecting to live updates…');
		case 'reconnecting':
			return view(detail, 'pending', 'Reconnecting', reconnectingSentence(detail));
		case 'disconnected':
			return disconnected(detail);
	}
}

function view(
	detail: StatusDetailView,
	tone: StatusTone,
	label: string,
	description: string
): StatusView {
	return {
		status: detail.status,
		tone,
		label,
		description,
		canReconnect: detail.status === 'disconnected',
		sessionExpired: false
	};
}

function reconnectingSentence(detail: StatusDetailView): string {
	const of = Number.isFinite(detail.maxAttempts) ? ` of ${detail.maxAttempts}` : '';
	const attempt = detail.attempt > 0 ? `attempt ${detail.attempt}${of}` : 'retrying';
	const next = detail.nextRetryAt ? `, next try at ${formatClock(detail.nextRetryAt)}` : '';
	return `Connection lost: ${attempt}${next}.`;
}

function disconnected(detail: StatusDetailView): StatusView {
	if (detail.reason === 'offline') {
		return view(detail, 'down', 'Offline', 'Offline: reconnects when the network is back.');
	}
	if (detail.closeCode !== null && SESSION_CODES.has(detail.closeCode)) {
		return {
			...view(detail, 'down', 'Session expired', 'Session expired: sign in again.'),
			sessionExpired: true
		};
	}
	if (detail.reason === 'manual') {
		return view(detail, 'down', 'Disconnected', 'Disconnected: live updates are paused.');
	}
	const gaveUp =
		Number.isFinite(detail.maxAttempts) && detail.attempt >= detail.maxAttempts
			? ` after ${detail.attempt} attempts`
			: '';
	const why = detail.reason ? ` (${detail.reason})` : '';
	return view(detail, 'down', 'Disconnected', `Could not connect${gaveUp}${why}.`);
}
