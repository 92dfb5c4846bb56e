import { describe, expect, it } from 'vitest';
import { APPLICATION_STATUSES } from '../../src/lib/protocol';
import {
	initialEpisode,
	networkStep,
	type NetworkEpisode,
	type NetworkInput,
	type NetworkMessage
} from '../../src/lib/realtime/network-toasts';
import {
	applicationKey,
	applicationStatusKind,
	applicationStatusMessage,
	jobKey,
	jobMatchMessage,
	notificationSubjectKey,
	TwinAnnouncements
} from '../../src/lib/realtime/toast-policy';

const job = { id: 7, title: 'Senior Software Engineer', company: 'Tech Corp' };

describe('event toasts', () => {
	it('words a job match with its score', () => {
		expect(jobMatchMessage({ job, match_score: 95 })).toBe(
			'Senior Software Engineer at Tech Corp (95% match)'
		);
		expect(jobMatchMessage({ job, match_score: 87.6 })).toBe(
			'Senior Software Engineer at Tech Corp (88% match)'
		);
		expect(jobMatchMessage({ job })).toBe('Senior Software Engineer at Tech Corp');
	});

	it('words a status change', () => {
		const change = {
			application_id: 3,
			old_status: 'applied' as const,
			new_status: 'interview' as const,
			job_title: 'Software Engineer',
			company: 'Tech Corp'
		};
		expect(applicationStatusMessage(change)).toBe('Software Engineer at Tech Corp → Interview');
		expect(applicationStatusMessage({ ...change, job_title: undefined, company: undefined })).toBe(
			'Application #3 → Interview'
		);
	});

	it('makes good news a success, a closed door an error, the rest information', () => {
		const kinds = Object.fromEntries(
			APPLICATION_STATUSES.map((s) => [s, applicationStatusKind(s)])
		);
		expect(kinds).toEqual({
			saved: 'info',
			applied: 'info',
			screening: 'info',
			interview: 'success',
			offer: 'success',
			accepted: 'success',
			rejected: 'error',
			declined: 'error',
			withdrawn: 'info'
		});
	});

	it('gives a notification the key of the event it announces', () => {
		expect(notificationSubjectKey({ job_id: 7, match_score: 95 })).toBe(jobKey(7));
		expect(
			notificationSubjectKey({ application_id: 3, old_status: 'applied', new_status: 'interview' })
		).toBe(applicationKey(3, 'interview'));
		expect(notificationSubjectKey(undefined)).toBeNull();
		expect(notificationSubjectKey({ job_id: { nested: true } })).toBeNull();
	});

	it('lets one of twins through and the other not, and the next happening of a key again', () => {
		const twins = new TwinAnnouncements(2);
		expect(twins.first('a')).toBe(true); // the status change
		expect(twins.first('a')).toBe(false); // its notification
		expect(twins.first('a')).toBe(true); // a later move to the same status
		twins.first('b');
		twins.first('c'); // bounded: 'a' (never answered) is forgotten
		expect(twins.first('a')).toBe(true);
		expect(twins.first('c')).toBe(false);
	});
});

/** Feed statuses through the reducer and collect the toasts it asks for. */
function run(inputs: Partial<NetworkInput>[], start: NetworkEpisode = initialEpisode) {
	let episode = start;
	const shown: NetworkMessage[] = [];
	for (const input of inputs) {
		const step = networkStep(episode, {
			status: 'connecting',
			offline: false,
			intentional: false,
			...input
		});
		episode = step.episode;
		if (step.message) shown.push(step.message);
	}
	return { shown, episode };
}

describe('network toasts', () => {
	it('stays quiet on the first connection', () => {
		expect(run([{ status: 'connecting' }, { status: 'connected' }]).shown).toEqual([]);
	});

	it('says Reconnecting once per episode however often the client retries, then Reconnected', () => {
		const retries = Array.from({ length: 20 }, (_, i) => ({
			status: i % 2 ? ('connecting' as const) : ('reconnecting' as const)
		}));
		const { shown, episode } = run([{ status: 'connected' }, ...retries, { status: 'connected' }]);
		expect(shown).toEqual(['reconnecting', 'reconnected']);
		expect(episode).toMatchObject({ number: 1, open: false });
	});

	it('says Connection Lost when the browser goes offline, Reconnected when back', () => {
		const { shown } = run([
			{ status: 'connected' },
			{ status: 'disconnected', offline: true },
			{ status: 'disconnected', offline: true },
			{ status: 'connecting' },
			{ status: 'connected' }
		]);
		expect(shown).toEqual(['lost', 'reconnecting', 'reconnected']);
	});

	it('says Connection Issue when online but given up, once', () => {
		const { shown } = run([
			{ status: 'connected' },
			{ status: 'reconnecting' },
			{ status: 'disconnected' },
			{ status: 'reconnecting' },
			{ status: 'disconnected' }
		]);
		expect(shown).toEqual(['reconnecting', 'issue']);
	});

	it('starts a new episode after each recovery', () => {
		const loss = [{ status: 'reconnecting' as const }, { status: 'connected' as const }];
		const { shown, episode } = run([{ status: 'connected' }, ...loss, ...loss]);
		expect(shown).toEqual(['reconnecting', 'reconnected', 'reconnecting', 'reconnected']);
		expect(episode.number).toBe(2);
	});

	it('raises no alarm for a disconnect on purpose or with live updates off', () => {
		const { shown } = run([
			{ status: 'connected' },
			{ status: 'disconnected', intentional: true },
			{ status: 'connecting' },
			{ status: 'connected' },
			{ status: 'off' }
		]);
		expect(shown).toEqual([]);
	});
});
