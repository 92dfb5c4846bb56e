/**
 * Svelte stores over the connection actor, through @xstate/svelte's `useSelector`: each follows
 * one selection of the actor's snapshot and subscribes to the actor only while something reads it
 * (a component's `$store`), so /inspect's stores cost nothing once it is closed. Without a client
 * (server rendering, signed out, live updates off) they hold the value a page shows before one
 * starts.
 */
import { useSelector } from '@xstate/svelte';
import { readable, type Readable } from 'svelte/store';
import {
	statusDetailOf,
	statusOf,
	type ConnectionMachine,
	type ConnectionSnapshot,
	type StatusDetail
} from 'statechart-websocket';
import type { ActorRefFrom } from 'xstate';
import { describeStatus, type StatusView } from './status';

export type ConnectionActor = ActorRefFrom<ConnectionMachine>;

/** What the dot shows before the client reports (and in the server-rendered page). */
export const CONNECTING: StatusDetail = {
	status: 'connecting',
	reason: null,
	attempt: 0,
	maxAttempts: Infinity,
	nextRetryAt: null,
	queueLength: 0,
	lastSeq: 0,
	droppedFrames: 0,
	closeCode: null
};

/** Whether two objects have the same own values, key by key (one level deep). */
export function shallowEqual<T extends object>(a: T, b: T): boolean {
	const keys = Object.keys(a) as (keyof T)[];
	return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** The status dot's view: `off` with `offReason`, else the actor's status, else connecting. */
export function statusViewStore(
	actor: ConnectionActor | null,
	offReason?: string
): Readable<StatusView> {
	if (!actor || offReason !== undefined) return readable(describeStatus(CONNECTING, offReason));
	return useSelector(actor, (snapshot) => describeStatus(statusDetailOf(snapshot)), shallowEqual);
}

/** The status detail (attempt, next retry, queue, lastSeq...), for /inspect's context table. */
export function statusDetailStore(actor: ConnectionActor | null): Readable<StatusDetail> {
	if (!actor) return readable(CONNECTING);
	return useSelector(actor, statusDetailOf, shallowEqual);
}

/** The whole snapshot, for the drawn chart (null without a client). */
export function snapshotStore(actor: ConnectionActor | null): Readable<ConnectionSnapshot | null> {
	if (!actor) return readable(null);
	return useSelector(actor, (snapshot): ConnectionSnapshot | null => snapshot);
}

/**
 * Whether the counts on the badges are live: true while connected. Otherwise they show what the
 * last page load said and may be out of date (the badges say so).
 */
export function liveStore(actor: ConnectionActor | null): Readable<boolean> {
	if (!actor) return readable(false);
	// A follower tab is live while its leader's connection is (statusOf reads it).
	return useSelector(actor, (snapshot) => statusOf(snapshot) === 'connected');
}
