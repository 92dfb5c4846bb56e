/**
 * The connection as an app shows it: four statuses and a reason, read from a snapshot of the
 * chart. Pure, so a Svelte store can derive it with `useSelector(actor, statusDetailOf)`.
 */
import type { SnapshotFrom } from 'xstate';
import type { ConnectionMachine, FailureReason, RetryCause } from './connection';
import { CloseCode } from './protocol';
import type { LeaderState } from './tabs';

export type ConnectionSnapshot = SnapshotFrom<ConnectionMachine>;

/** `offline`, `failed` and `idle` all show as `disconnected`, told apart by the reason. */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/**
 * Why the status is what it is: `idle` (never connected), `offline` (the browser is offline),
 * `manual` (`disconnect()` was called), a `FailureReason` (`failed`), or while reconnecting the
 * `RetryCause` or `rate-limited` (closed with 4429). `null` while connecting or connected.
 */
export type StatusReason =
	'idle' | 'offline' | 'manual' | 'rate-limited' | FailureReason | RetryCause;

export interface StatusDetail {
	status: ConnectionStatus;
	reason: StatusReason | null;
	/** Reconnect attempts since the last open. */
	attempt: number;
	maxAttempts: number;
	/** When the next attempt starts (epoch ms), while waiting to retry. */
	nextRetryAt: number | null;
	/** Messages not acked yet (queued or sent). */
	queueLength: number;
	lastSeq: number;
	droppedFrames: number;
	closeCode: number | null;
}

/**
 * The state of a snapshot's connection region: `idle`, `connected`, `reconnecting`... or `shared`
 * (a follower tab, served by its leader's socket).
 */
export function topState(snapshot: ConnectionSnapshot): string {
	const value = snapshot.value.connection;
	return typeof value === 'string' ? value : Object.keys(value)[0];
}

/**
 * The tab's role in its tab group (see tabs.ts): `standalone` (no sharing), `detached` (sharing,
 * not connected), `electing`, `follower`, `leader`, or `parked` (hidden in the back/forward cache).
 */
export type TabRole = 'standalone' | 'detached' | 'electing' | 'follower' | 'leader' | 'parked';

export function roleOf(snapshot: ConnectionSnapshot): TabRole {
	const role = snapshot.value.role;
	return typeof role === 'string' ? role : role.member;
}

/** What a follower shows: its leader's state; while it knows no leader yet, connecting. */
function leaderOf(snapshot: ConnectionSnapshot): LeaderState | null {
	return topState(snapshot) === 'shared' ? (snapshot.context.tabs?.leader ?? null) : null;
}

/** The status of a snapshot: three states are statuses of their own, the rest disconnected. */
export function statusOf(snapshot: ConnectionSnapshot): ConnectionStatus {
	const state = topState(snapshot);
	if (state === 'shared') return leaderOf(snapshot)?.status ?? 'connecting';
	return state === 'connecting' || state === 'connected' || state === 'reconnecting'
		? state
		: 'disconnected';
}

/** The reason of a snapshot's status (see `StatusReason`). */
export function reasonOf(snapshot: ConnectionSnapshot): StatusReason | null {
	const { context } = snapshot;
	switch (topState(snapshot)) {
		case 'shared':
			return leaderOf(snapshot)?.reason ?? null;
		case 'idle':
			return 'idle';
		case 'offline':
			return 'offline';
		case 'disconnected':
			return 'manual';
		case 'failed':
			return context.failureReason;
		case 'reconnecting':
			return context.closeCode === CloseCode.RATE_LIMITED ? 'rate-limited' : context.retryCause;
		default:
			return null;
	}
}

/** Everything a status indicator shows, from one snapshot. */
export function statusDetailOf(snapshot: ConnectionSnapshot): StatusDetail {
	const { context } = snapshot;
	const leader = leaderOf(snapshot);
	// A follower shows its leader's connection; the outbox and the seq are this tab's own.
	const { attempt, nextRetryAt, droppedFrames, closeCode } = leader ?? context;
	return {
		status: statusOf(snapshot),
		reason: reasonOf(snapshot),
		attempt,
		maxAttempts: leader ? leader.maxAttempts : context.config.maxReconnectAttempts,
		nextRetryAt,
		queueLength: context.queue.length,
		lastSeq: context.lastSeq,
		droppedFrames,
		closeCode
	};
}
