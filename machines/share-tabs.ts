/**
 * `statechart-websocket/tabs`: the tabs of one origin and one session share a single connection
 * (see tabs.ts for the election and the relay). An app that shares imports `shareTabs` from here
 * and passes `tabSharing: shareTabs({ key })`; one that does not never ships this code, and its
 * client stands alone (the chart's role region goes straight to `standalone`).
 *
 * What it plugs in is the chart's tab part: the role region's actors (the Web Lock and the
 * BroadcastChannel), and the guards and actions of following, leading and relaying, which the
 * main chart names (so the Stately visualizer and /inspect show the whole chart) but implements
 * as a client standing alone: no group, nothing to relay.
 */
import { assertEvent, or, setup, stateIn, type Snapshot } from 'xstate';
import type { ConnectionContext, ConnectionEmitted, ConnectionEvent, TabGroup } from './connection';
import { newFrames } from './frames';
import type { TabSharing } from './options';
import { acceptsMessage, pending, serializeMessage } from './queue';
import { statusDetailOf, type ConnectionSnapshot } from './status';
import {
	platformTabs,
	tabChannelActor,
	tabGroupName,
	tabLockActor,
	type LeaderState,
	type TabsIO
} from './tabs';

export {
	CATCH_UP_FRAMES,
	platformTabs,
	tabChannelActor,
	tabGroupName,
	tabLockActor,
	type BroadcastChannelConstructor,
	type BroadcastChannelLike,
	type LeaderState,
	type LockManagerLike,
	type TabMessage,
	type TabsCommand,
	type TabsEvent,
	type TabsIO,
	type VisibilitySource
} from './tabs';

/**
 * The tab group of `shareTabs`: `key` names it. Tabs share a connection only with tabs of the
 * same origin and key, so give it the signed-in session's identity (a user id and a hash of the
 * session, not the session secret itself): tabs of another user or session never share, nor see
 * each other's events. Default key: the client's url. `locks`, `BroadcastChannel` and `document`
 * replace the page's own (tests).
 */
export type ShareTabsOptions = { key?: string } & Partial<TabsIO>;

/**
 * Share one connection between the tabs of a browser: the client's `tabSharing` option. Where the
 * browser lacks Web Locks or BroadcastChannel (and in Node) the client stands alone all the same.
 * Throws a `TypeError` naming a bad option.
 */
export function shareTabs(options: ShareTabsOptions = {}): TabSharing {
	const { key, locks, BroadcastChannel } = options;
	if (key !== undefined && (typeof key !== 'string' || key === '')) {
		throw new TypeError('tabSharing key must be a non-empty string');
	}
	if (locks !== undefined && typeof locks?.request !== 'function') {
		throw new TypeError('tabSharing locks must be a LockManager (request)');
	}
	if (BroadcastChannel !== undefined && typeof BroadcastChannel !== 'function') {
		throw new TypeError('tabSharing BroadcastChannel must be a constructor');
	}
	return {
		join(url) {
			const platform = platformTabs();
			const io = {
				locks: locks ?? platform?.locks,
				BroadcastChannel: BroadcastChannel ?? platform?.BroadcastChannel,
				document: options.document ?? platform?.document
			};
			if (!io.locks || !io.BroadcastChannel) return false;
			return { name: tabGroupName(key ?? url), implementations: tabImplementations(io as TabsIO) };
		}
	};
}

/** Typed helpers for the chart's tab actions (the machine's own types, as `setup` gives them). */
const chart = setup({
	types: {} as { context: ConnectionContext; events: ConnectionEvent; emitted: ConnectionEmitted }
});

/** A leader's connection as followers tell it apart: its tab and that tab's connection count. */
function connectionKey(state: LeaderState): string {
	return `${state.id}:${state.epoch}`;
}

const isLeaderConnected = (context: ConnectionContext) =>
	context.tabs?.leader?.status === 'connected';

/** The chart's tab part on the browser APIs `io`. */
function tabImplementations(io: TabsIO): TabGroup['implementations'] {
	return {
		actors: {
			tabLock: tabLockActor(io.locks),
			tabChannel: tabChannelActor(io, leaderStateOf)
		},
		guards: {
			isFollowing: or([
				stateIn({ role: { member: 'electing' } }),
				stateIn({ role: { member: 'follower' } })
			]),
			isLeading: stateIn({ role: { member: 'leader' } }),
			hasLeader: ({ context }) => context.tabs?.leader != null,
			canRelay: ({ context }) =>
				acceptsMessage(context.queue.length, context.config) && isLeaderConnected(context),
			canRelayNow: ({ context }) =>
				!context.config.enableMessageQueue && isLeaderConnected(context),
			isNewLeaderConnection: ({ context, event }) => {
				assertEvent(event, 'TABS.LEADER');
				const { state } = event;
				return state.status === 'connected' && connectionKey(state) !== context.tabs?.sentThrough;
			},
			isTakeover: ({ context, event }) => {
				assertEvent(event, 'TABS.LEADER');
				const { state } = event;
				const through = context.tabs?.sentThrough ?? null;
				return (
					state.status === 'connected' &&
					through !== null &&
					through.slice(0, through.lastIndexOf(':')) !== state.id
				);
			},
			isRelayedMessage: ({ context, event }) => {
				assertEvent(event, ['SERVER.ACK', 'SERVER.ERROR']);
				return event.id !== undefined && context.tabs?.routes[event.id] !== undefined;
			}
		},
		actions: {
			// The role region: joining, leading and leaving the tab group.
			joinTabs: chart.sendTo('tabChannel', ({ context }) => ({
				type: 'JOIN' as const,
				lastSeq: context.lastSeq
			})),
			leaveTabs: chart.sendTo('tabChannel', { type: 'LEAVE' }),
			leadTabs: chart.sendTo('tabChannel', { type: 'LEAD' }),
			takeLead: chart.assign({
				tabs: ({ context }) =>
					context.tabs && {
						...context.tabs,
						attention: context.tabs.id,
						leader: null,
						sentThrough: null,
						routes: {}
					}
			}),
			trackAttention: chart.assign({
				tabs: ({ context, event }) => {
					assertEvent(event, 'TABS.VISIBILITY');
					const tabs = context.tabs!;
					if (event.visible) return { ...tabs, attention: event.from };
					return event.from === tabs.attention ? { ...tabs, attention: tabs.id } : tabs;
				}
			}),
			forgetTab: chart.assign({
				tabs: ({ context, event }) => {
					assertEvent(event, 'TABS.BYE');
					const tabs = context.tabs!;
					return event.from === tabs.attention ? { ...tabs, attention: tabs.id } : tabs;
				}
			}),
			runTabCommand: chart.raise(({ event }) => {
				assertEvent(event, 'TABS.COMMAND');
				return { type: event.command };
			}),

			// A leader relays what followers must see, and routes their messages' answers back.
			countConnection: chart.assign({
				tabs: ({ context }) => context.tabs && { ...context.tabs, epoch: context.tabs.epoch + 1 }
			}),
			relayEvents: chart.sendTo('tabChannel', ({ context, event }) => {
				assertEvent(event, 'SERVER.EVENTS');
				return {
					type: 'POST' as const,
					message: { kind: 'events' as const, frames: newFrames(event.frames, context.lastSeq) }
				};
			}),
			relayResync: chart.sendTo('tabChannel', ({ event }) => {
				assertEvent(event, ['SERVER.RESYNC', 'SERVER.WELCOME']);
				return {
					type: 'POST' as const,
					message: { kind: 'resync' as const, lastSeq: event.lastSeq }
				};
			}),
			routeMessages: chart.assign({
				tabs: ({ context, event }) => {
					assertEvent(event, 'TABS.SEND');
					const routes = { ...context.tabs!.routes };
					for (const message of event.messages) routes[message.id] = event.from;
					return { ...context.tabs!, routes };
				}
			}),
			transmitRelayed: chart.sendTo('socket', ({ event }) => {
				assertEvent(event, 'TABS.SEND');
				return { type: 'SEND' as const, frames: event.messages.map(serializeMessage) };
			}),
			forwardAck: chart.sendTo('tabChannel', ({ context, event }) => {
				assertEvent(event, 'SERVER.ACK');
				const to = context.tabs!.routes[event.id];
				return { type: 'POST' as const, message: { kind: 'ack' as const, to, id: event.id } };
			}),
			forwardRefusal: chart.sendTo('tabChannel', ({ context, event }) => {
				assertEvent(event, 'SERVER.ERROR');
				const { type: _type, ...error } = event;
				const to = context.tabs!.routes[event.id!];
				return { type: 'POST' as const, message: { kind: 'refused' as const, to, error } };
			}),
			forgetRoute: chart.assign({
				tabs: ({ context, event }) => {
					assertEvent(event, ['SERVER.ACK', 'SERVER.ERROR']);
					const { [event.id!]: _answered, ...routes } = context.tabs!.routes;
					return { ...context.tabs!, routes };
				}
			}),
			// The connection is gone: followers resend what is unacked through the next one.
			forgetRoutes: chart.assign({
				tabs: ({ context }) => context.tabs && { ...context.tabs, routes: {} }
			}),

			// A follower shows the leader's state and sends its outbox through it.
			recordLeader: chart.assign({
				tabs: ({ context, event }) => {
					assertEvent(event, 'TABS.LEADER');
					const { state } = event;
					return {
						...context.tabs!,
						leader: state,
						group: state.group,
						attention: state.attention
					};
				}
			}),
			markSentThrough: chart.assign({
				tabs: ({ context, event }) => {
					assertEvent(event, 'TABS.LEADER');
					return { ...context.tabs!, sentThrough: connectionKey(event.state) };
				}
			}),
			relayPending: chart.sendTo('tabChannel', ({ context }) => ({
				type: 'POST' as const,
				message: {
					kind: 'send' as const,
					to: context.tabs!.leader!.id,
					messages: pending(context)
				}
			})),
			relayMessage: chart.sendTo('tabChannel', ({ context, event }) => {
				assertEvent(event, 'SEND');
				const to = context.tabs!.leader!.id;
				return {
					type: 'POST' as const,
					message: { kind: 'send' as const, to, messages: [event.message] }
				};
			}),
			forwardCommand: chart.sendTo('tabChannel', ({ context, event }) => {
				assertEvent(event, ['CONNECT', 'RETRY_NOW']);
				const to = context.tabs!.leader!.id;
				return {
					type: 'POST' as const,
					message: { kind: 'command' as const, to, command: event.type }
				};
			}),
			emitLeaderConnected: chart.emit(({ context, event }) => {
				assertEvent(event, 'TABS.LEADER');
				return {
					type: 'realtime.connected' as const,
					heartbeatInterval: context.config.heartbeatInterval,
					lastSeq: event.state.lastSeq
				};
			})
		}
	};
}

/** What a leader tells its followers, from its own snapshot (see tabs.ts). */
export function leaderStateOf(snapshot: Snapshot<unknown>): LeaderState {
	const leader = snapshot as ConnectionSnapshot;
	const detail = statusDetailOf(leader);
	const tabs = leader.context.tabs!;
	return {
		id: tabs.id,
		group: tabs.group,
		epoch: tabs.epoch,
		status: detail.status,
		reason: detail.reason,
		attempt: detail.attempt,
		maxAttempts: detail.maxAttempts,
		nextRetryAt: detail.nextRetryAt,
		droppedFrames: detail.droppedFrames,
		closeCode: detail.closeCode,
		lastSeq: detail.lastSeq,
		attention: tabs.attention
	};
}
