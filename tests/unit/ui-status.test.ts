import { describe, expect, it } from 'vitest';
import { describeStatus, type StatusDetailView } from '../../src/lib/realtime/status';
import { formatClock } from '../../src/lib/format';

const detail = (over: Partial<StatusDetailView>): StatusDetailView => ({
	status: 'connected',
	reason: null,
	attempt: 0,
	maxAttempts: Infinity,
	nextRetryAt: null,
	...over
});

describe('describeStatus', () => {
	it('is green when connected, yellow while connecting', () => {
		expect(describeStatus(detail({}))).toMatchObject({ tone: 'ok', label: 'Connected' });
		expect(describeStatus(detail({ status: 'connecting' }))).toMatchObject({
			tone: 'pending',
			label: 'Connecting',
			canRetry: false
		});
	});

	it('says which attempt of how many, and when the next one starts', () => {
		const at = new Date(2025, 0, 1, 14, 2, 5).getTime();
		const view = describeStatus(
			detail({
				status: 'reconnecting',
				reason: 'closed',
				attempt: 3,
				maxAttempts: 10,
				nextRetryAt: at
			})
		);
		expect(view.tone).toBe('pending');
		expect(view.description).toBe(
			`Connection lost: attempt 3 of 10, next try at ${formatClock(at)}.`
		);
		expect(formatClock(at)).toBe('2:02:05 PM');
		expect(formatClock(at + 7, true)).toBe('2:02:05.007 PM');
	});

	it('leaves out an infinite maximum and names the cause', () => {
		expect(
			describeStatus(detail({ status: 'reconnecting', reason: 'heartbeat-timeout', attempt: 2 }))
				.description
		).toBe('The connection went silent: attempt 2.');
		expect(
			describeStatus(detail({ status: 'reconnecting', reason: 'rate-limited', attempt: 0 }))
				.description
		).toBe('Too many connections, slowing down: retrying.');
	});

	it('is red and offers Reconnect when disconnected on purpose or given up', () => {
		for (const reason of ['manual', 'max-attempts', 'policy', 'idle'] as const) {
			const view = describeStatus(detail({ status: 'disconnected', reason, attempt: 5 }));
			expect(view).toMatchObject({ tone: 'down', canRetry: true, sessionExpired: false });
		}
		expect(
			describeStatus(detail({ status: 'disconnected', reason: 'max-attempts', attempt: 5 }))
				.description
		).toBe('Could not reconnect after 5 attempts.');
	});

	it('says Offline without a Reconnect button while the browser is offline', () => {
		expect(describeStatus(detail({ status: 'disconnected', reason: 'offline' }))).toMatchObject({
			tone: 'down',
			label: 'Offline',
			canRetry: false
		});
	});

	it('asks to sign in again after the session expired', () => {
		for (const reason of ['unauthorized', 'forbidden'] as const) {
			expect(describeStatus(detail({ status: 'disconnected', reason }))).toMatchObject({
				label: 'Session expired',
				sessionExpired: true,
				canRetry: false
			});
		}
	});

	it('is grey with the given reason when live updates are off', () => {
		expect(describeStatus(detail({}), 'Switched off.')).toMatchObject({
			status: 'off',
			tone: 'off',
			label: 'Live updates off',
			description: 'Switched off.'
		});
	});
});
