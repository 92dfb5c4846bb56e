/**
 * Every guard of the chart, both ways, called as the chart calls it. The list is checked against
 * the machine's own guards, so a new guard without a case here fails this file.
 */
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import {
	connectionInput,
	connectionIO,
	connectionMachine,
	provideIO,
	type ConnectionContext,
	type ConnectionEvent
} from '../../machines/connection';
import { resolveOptions } from '../../machines/options';
import { shareTabs } from '../../machines/share-tabs';
import { eventFrame, fakeSockets } from '../support/connection-fakes';

const NOW = 1_000_000;

const given = { url: 'ws://127.0.0.1:9/ws', WebSocket: fakeSockets().WebSocket, now: () => NOW };
const standalone = resolveOptions(given);
/** A member of a tab group (statechart-websocket/tabs plugged in), on APIs that do nothing. */
const options = resolveOptions({
	...given,
	tabSharing: shareTabs({
		locks: { request: () => new Promise<unknown>(() => {}) },
		BroadcastChannel: class {} as never
	})
});
/** The chart as a client runs it: bound to that client's clock and tab group. */
const machine = provideIO(connectionMachine, connectionIO(options));

function baseContext(): ConnectionContext {
	return createActor(machine, { input: connectionInput(options) }).getSnapshot().context;
}

type Guard = (args: { context: ConnectionContext; event: ConnectionEvent }) => boolean;
const allGuards = machine.implementations.guards as unknown as Record<string, unknown>;
/**
 * Guards written as functions of context and event; the others are xstate's own combinators
 * over the chart's state (`stateIn`, `or`): the model paths take both ways of each.
 */
const STATE_GUARDS = ['isFollowing', 'isLeading'];
const guards = Object.fromEntries(
	Object.entries(allGuards).filter(([name]) => !STATE_GUARDS.includes(name))
) as Record<string, Guard>;

const tabs = {
	name: 'g',
	id: 'me',
	group: 'grp',
	epoch: 0,
	attention: 'me',
	routes: { m9: 'other' },
	leader: null,
	sentThrough: null
};
const leaderState = (status: 'connected' | 'reconnecting', epoch = 1) => ({
	id: 'lead',
	group: 'grp',
	epoch,
	status,
	reason: null,
	attempt: 0,
	maxAttempts: Infinity,
	nextRetryAt: null,
	droppedFrames: 0,
	closeCode: null,
	lastSeq: 0,
	attention: 'lead'
});

const frames = (...seqs: number[]) => ({
	type: 'SERVER.EVENTS' as const,
	frames: seqs.map((seq) => eventFrame(seq))
});
const closed = (code: number) => ({ type: 'SOCKET.CLOSED' as const, code, reason: '' });
const badFrame = { type: 'SOCKET.BAD_FRAME' as const, reason: 'json' as const, detail: '' };
const welcome = (lastSeq: number) => ({
	type: 'SERVER.WELCOME' as const,
	heartbeatInterval: 30000,
	lastSeq
});
const any = { type: 'VISIBLE' as const };

type Case = [context: Partial<ConnectionContext>, event: ConnectionEvent, expected: boolean];
const config = baseContext().config;

const cases: Record<string, Case[]> = {
	isOffline: [
		[{ online: false }, any, true],
		[{ online: true }, any, false]
	],
	isFatalClose: [
		[{}, closed(4401), true],
		[{}, closed(4403), true],
		[{}, closed(1008), true],
		[{}, closed(4429), false],
		[{}, closed(1006), false],
		[{}, closed(1000), false]
	],
	attemptsExhausted: [
		[{ attempt: 3, config: { ...config, maxReconnectAttempts: 3 } }, any, true],
		[{ attempt: 2, config: { ...config, maxReconnectAttempts: 3 } }, any, false],
		[{ attempt: 1e9 }, any, false]
	],
	isQueueDisabled: [
		[{ config: { ...config, enableMessageQueue: false } }, any, true],
		[{}, any, false]
	],
	canQueue: [
		[{}, any, true],
		[{ queue: Array(100).fill({ id: 'a', type: 't' }) }, any, true],
		[
			{
				queue: Array(100).fill({ id: 'a', type: 't' }),
				config: { ...config, queueOverflow: 'reject' }
			},
			any,
			false
		],
		[{ config: { ...config, enableMessageQueue: false } }, any, false]
	],
	hasNewEvents: [
		[{ lastSeq: 4 }, frames(3, 4, 5), true],
		[{ lastSeq: 5 }, frames(3, 4, 5), false]
	],
	isServerBehind: [
		[{ lastSeq: 10 }, welcome(3), true],
		[{ lastSeq: 10 }, welcome(10), false],
		[{ lastSeq: 10 }, welcome(12), false]
	],
	isMessageRefusal: [
		[{}, { type: 'SERVER.ERROR', code: 'bad_payload', message: 'no', id: 'm1' }, true],
		[{}, { type: 'SERVER.ERROR', code: 'rate_limited', message: 'slow down' }, false]
	],
	isStandalone: [
		[{ tabs: null }, any, true],
		[{ tabs }, any, false]
	],
	hasLeader: [
		[{ tabs: { ...tabs, leader: leaderState('reconnecting') } }, any, true],
		[{ tabs }, any, false],
		[{ tabs: null }, any, false]
	],
	canRelay: [
		[{ tabs: { ...tabs, leader: leaderState('connected') } }, any, true],
		[{ tabs: { ...tabs, leader: leaderState('reconnecting') } }, any, false],
		[{ tabs }, any, false],
		[
			{
				tabs: { ...tabs, leader: leaderState('connected') },
				config: { ...baseContext().config, enableMessageQueue: false }
			},
			any,
			false
		]
	],
	canRelayNow: [
		[
			{
				tabs: { ...tabs, leader: leaderState('connected') },
				config: { ...baseContext().config, enableMessageQueue: false }
			},
			any,
			true
		],
		[{ tabs: { ...tabs, leader: leaderState('connected') } }, any, false],
		[
			{
				tabs: { ...tabs, leader: leaderState('reconnecting') },
				config: { ...baseContext().config, enableMessageQueue: false }
			},
			any,
			false
		]
	],
	isNewLeaderConnection: [
		[{ tabs }, { type: 'TABS.LEADER', state: leaderState('connected') }, true],
		[
			{ tabs: { ...tabs, sentThrough: 'lead:1' } },
			{ type: 'TABS.LEADER', state: leaderState('connected', 2) },
			true
		],
		[
			{ tabs: { ...tabs, sentThrough: 'lead:1' } },
			{ type: 'TABS.LEADER', state: leaderState('connected') },
			false
		],
		[{ tabs }, { type: 'TABS.LEADER', state: leaderState('reconnecting') }, false]
	],
	isTakeover: [
		[
			{ tabs: { ...tabs, sentThrough: 'old:3' } },
			{ type: 'TABS.LEADER', state: leaderState('connected') },
			true
		],
		[
			{ tabs: { ...tabs, sentThrough: 'lead:1' } },
			{ type: 'TABS.LEADER', state: leaderState('connected', 2) },
			false
		],
		[{ tabs }, { type: 'TABS.LEADER', state: leaderState('connected') }, false],
		[
			{ tabs: { ...tabs, sentThrough: 'old:3' } },
			{ type: 'TABS.LEADER', state: leaderState('reconnecting') },
			false
		]
	],
	isRelayedMessage: [
		[{ tabs }, { type: 'SERVER.ACK', id: 'm9' }, true],
		[{ tabs }, { type: 'SERVER.ERROR', code: 'bad_payload', message: 'no', id: 'm9' }, true],
		[{ tabs }, { type: 'SERVER.ACK', id: 'mine' }, false],
		[{ tabs }, { type: 'SERVER.ERROR', code: 'rate_limited', message: 'slow down' }, false],
		[{ tabs: null }, { type: 'SERVER.ACK', id: 'm9' }, false]
	],
	isFirstDropOfReason: [
		[{}, badFrame, true],
		[{ droppedByReason: { ...baseContext().droppedByReason, json: 1 } }, badFrame, false]
	],
	isSilent: [
		[{ lastFrameAt: NOW - 30_000 }, any, true],
		[{ lastFrameAt: NOW - 29_999 }, any, false]
	],
	isProbeAnswered: [
		[{ pingSentAt: NOW - 5, lastFrameAt: NOW - 2 }, any, true],
		[{ pingSentAt: NOW - 5, lastFrameAt: NOW - 5 }, any, true],
		[{ pingSentAt: NOW - 5, lastFrameAt: NOW - 9 }, any, false],
		[{ pingSentAt: null, lastFrameAt: NOW }, any, false]
	],
	isProbeOverdue: [
		[{ pingSentAt: NOW - 10_000, lastFrameAt: NOW - 40_000 }, any, true],
		[{ pingSentAt: NOW - 9_999, lastFrameAt: NOW - 40_000 }, any, false],
		[{ pingSentAt: NOW - 10_000, lastFrameAt: NOW - 1 }, any, false],
		[{ pingSentAt: null, lastFrameAt: NOW - 40_000 }, any, false]
	]
};

describe('guards', () => {
	it('covers every guard of the machine', () => {
		expect(Object.keys(cases).sort()).toEqual(Object.keys(guards).sort());
		expect(
			Object.keys(allGuards)
				.filter((name) => !(name in guards))
				.sort()
		).toEqual(STATE_GUARDS);
	});

	it('of a client standing alone (no statechart-websocket/tabs): no group, no leader, no relay', () => {
		const alone = provideIO(connectionMachine, connectionIO(standalone)).implementations
			.guards as unknown as Record<string, Guard>;
		const context = { ...baseContext(), tabs: { ...tabs, leader: leaderState('connected') } };
		const events: ConnectionEvent[] = [
			{ type: 'TABS.LEADER', state: leaderState('connected') },
			{ type: 'SERVER.ACK', id: 'm9' }
		];
		for (const name of [...STATE_GUARDS, 'hasLeader', 'canRelay', 'canRelayNow']) {
			expect(alone[name]({ context, event: any }), name).toBe(false);
		}
		for (const name of ['isNewLeaderConnection', 'isTakeover', 'isRelayedMessage']) {
			for (const event of events) expect(alone[name]({ context, event }), name).toBe(false);
		}
	});

	for (const [name, list] of Object.entries(cases)) {
		it.each(list)(`${name} %#`, (overrides, event, expected) => {
			const context = { ...baseContext(), ...overrides };
			expect(guards[name]({ context, event })).toBe(expected);
		});
	}
});
