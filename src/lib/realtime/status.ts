/**
 * How the connection is shown: the status dot's tone, its label and the sentence that says why.
 * Pure, from the client's status detail, so every case is unit-tested.
 */
import type { StatusDetail, StatusReason } from 'statechart-websocket';
import { formatClock } from '$lib/format';

/** The client's four statuses plus `off` when live updates are switched off. */
export type UiStatus = StatusDetail['status'] | 'off';

/** The fields of the client's `getStatusDetail()` the dot reads. */
export type StatusDetailView = Pick<
	StatusDetail,
	'status' | 'reason' | 'attempt' | 'maxAttempts' | 'nextRetryAt'
>;

/** Dot colour: green, yellow (pulsing), red, grey. */
export type StatusTone = 'ok' | 'pending' | 'down' | 'off';

export interface StatusView {
	status: UiStatus;
	tone: StatusTone;
	/** One or two words next to the dot: "Connected", "Reconnecting", "Offline"... */
	label: string;
	/** The tooltip: why, and what happens next. */
	description: string;
	/** Whether to offer a "Retry" button (reconnecting, or disconnected for a reason it can fix). */
	canRetry: boolean;
	/** Whether the user must sign in again (offer that instead of reconnecting). */
	sessionExpired: boolean;
}

const RETRY_CAUSES: Partial<Record<StatusReason, string>> = {
	closed: 'Connection lost',
	'connect-timeout': 'The server did not answer',
	'heartbeat-timeout': 'The connection went silent',
	'rate-limited': 'Too many connections, slowing down'
};

/** The view for the dot; `off` (saying `offReason`) when live updates are switched off. */
export function describeStatus(detail: StatusDetailView, offReason?: string): StatusView {
	if (offReason !== undefined) {
		return { ...base('off', 'off', 'Live updates off', offReason), status: 'off' };
	}
	switch (detail.status) {
		case 'connected':
			return base('connected', 'ok', 'Connected', 'Connected: updates arrive live.');
		case 'connecting':
			return base('connecting', 'pending', 'Connecting', 'Connecting to live updates…');
		case 'reconnecting':
			return {
				...base('reconnecting', 'pending', 'Reconnecting', reconnecting(detail)),
				canRetry: true
			};
		case 'disconnected':
			return disconnected(detail);
	}
}

function base(status: UiStatus, tone: StatusTone, label: string, description: string): StatusView {
	return { status, tone, label, description, canRetry: false, sessionExpired: false };
}

function reconnecting(detail: StatusDetailView): string {
	const cause = (detail.reason && RETRY_CAUSES[detail.reason]) || 'Connection lost';
	const of = Number.isFinite(detail.maxAttempts) ? ` of ${detail.maxAttempts}` : '';
	const attempt = detail.attempt > 0 ? `attempt ${detail.attempt}${of}` : 'retrying';
	const next =
		detail.nextRetryAt === null ? '' : `, next try at ${formatClock(detail.nextRetryAt)}`;
	return `${cause}: ${attempt}${next}.`;
}

function disconnected(detail: StatusDetailView): StatusView {
	const down = (label: string, description: string, canRetry = true) => ({
		...base('disconnected', 'down', label, description),
		canRetry
	});
	switch (detail.reason) {
		case 'offline':
			return down('Offline', 'Offline: reconnects by itself when the network is back.', false);
		case 'unauthorized':
		case 'forbidden':
			return {
				...down('Session expired', 'Session expired: sign in again.', false),
				sessionExpired: true
			};
		case 'manual':
			return down('Disconnected', 'Disconnected: live updates are paused.');
		case 'policy':
			return down('Disconnected', 'The server refused the connection.');
		case 'max-attempts':
			return down('Disconnected', `Could not reconnect after ${detail.attempt} attempts.`);
		default:
			return down('Disconnected', 'Not connected.');
	}
}
