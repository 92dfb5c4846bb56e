import { get } from 'svelte/store';
import { useToasterStore } from 'svelte-french-toast';
import toast from 'svelte-french-toast';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
	defaultPreferences,
	type NotificationPreferences
} from '../../src/lib/realtime/preferences';
import { LiveToasts } from '../../src/lib/realtime/toasts';

/** The toasts in svelte-french-toast's own store: kind, visible and the text they show. */
function shown() {
	return get(useToasterStore().toasts).map((t) => ({
		type: t.type,
		visible: t.visible,
		text: String(t.props?.title),
		testid: t.props?.testid
	}));
}

/** The toasts on screen, newest first: their title, detail and count. */
function onScreen() {
	return get(useToasterStore().toasts)
		.filter((t) => t.visible)
		.map((t) => ({ title: t.props?.title, detail: t.props?.detail, count: t.props?.count }));
}

const job = { id: 41, title: 'Senior Software Engineer', company: 'Tech Corp' };
const change = {
	application_id: 3,
	old_status: 'applied' as const,
	new_status: 'interview' as const,
	job_title: 'Software Engineer',
	company: 'Tech Corp'
};
const note = (over: Record<string, unknown> = {}) => ({
	id: 'n1',
	category: 'system' as const,
	title: 'Maintenance tonight',
	description: 'Read-only from 02:00.',
	timestamp: '2026-01-01T00:00:00.000Z',
	...over
});

/** Counts beeps: Web Audio does not exist in Node, so a minimal stand-in records the calls. */
class CountingAudioContext {
	static oscillators = 0;
	state = 'running';
	currentTime = 0;
	destination = {};
	resume = async () => undefined;
	createOscillator() {
		CountingAudioContext.oscillators += 1;
		return {
			type: '',
			frequency: { setValueAtTime() {} },
			connect: (n: unknown) => n,
			start() {},
			stop() {}
		};
	}
	createGain() {
		const node = { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} } };
		return { ...node, connect: (n: unknown) => n };
	}
}

describe('LiveToasts', () => {
	let prefs: NotificationPreferences;
	let live: LiveToasts;

	beforeEach(() => {
		toast.remove();
		prefs = defaultPreferences();
		live = new LiveToasts(() => prefs);
		CountingAudioContext.oscillators = 0;
		(globalThis as { AudioContext?: unknown }).AudioContext = CountingAudioContext;
	});

	afterEach(() => {
		delete (globalThis as { AudioContext?: unknown }).AudioContext;
	});

	it('shows a job match with its score, once even when its notification follows', () => {
		live.jobMatch({ job, match_score: 95 });
		live.notification(note({ category: 'job_alert', metadata: { job_id: 41 } }));
		expect(shown()).toEqual([
			{
				type: 'success',
				visible: true,
				text: 'Senior Software Engineer at Tech Corp (95% match)',
				testid: 'toast-job-match'
			}
		]);
	});

	it('colours status changes by outcome', () => {
		live.statusChange(change);
		live.statusChange({ ...change, new_status: 'rejected' });
		live.statusChange({ ...change, new_status: 'screening' });
		expect(shown().map((t) => [t.type, t.text])).toEqual([
			['blank', 'Software Engineer at Tech Corp → Screening'],
			['error', 'Software Engineer at Tech Corp → Rejected'],
			['success', 'Software Engineer at Tech Corp → Interview']
		]);
	});

	it('toasts a move back to a status the application had before, its notification still once', () => {
		const moves = [
			['applied', 'screening'],
			['screening', 'applied']
		] as const;
		for (const [old_status, new_status] of moves) {
			live.statusChange({ ...change, old_status, new_status });
			live.notification(
				note({
					id: new_status,
					category: 'application',
					title: new_status,
					metadata: { application_id: 3, old_status, new_status }
				})
			);
		}
		live.statusChange({ ...change, old_status: 'applied', new_status: 'screening' });
		// Three moves of one kind (info): one toast that counts them, the latest move as its detail.
		expect(onScreen()).toEqual([
			{
				title: '3 application updates',
				detail: 'Software Engineer at Tech Corp → Screening',
				count: 3
			}
		]);
	});

	it('keeps at most three toasts on screen and groups repeats under a burst of 20', () => {
		for (let i = 1; i <= 20; i++) {
			const category = (['social', 'system', 'recommendation', 'social'] as const)[i % 4];
			live.notification(note({ id: `n${i}`, category, title: `Note ${i}` }));
			expect(onScreen().length).toBeLessThanOrEqual(3);
		}
		live.jobMatch({ job, match_score: 90 });
		expect(onScreen()).toEqual([
			{ title: 'Senior Software Engineer at Tech Corp (90% match)', detail: undefined, count: 1 },
			{ title: '10 new notifications', detail: 'Note 20', count: 10 },
			{ title: '5 new notifications', detail: 'Note 18', count: 5 }
		]);
	});

	it('keeps a muted category quiet and lets the others through', () => {
		prefs.categories.social = false;
		live.notification(note({ id: 'a', category: 'social', title: 'Endorsed' }));
		live.notification(note({ id: 'b', category: 'system', title: 'Maintenance' }));
		expect(shown().map((t) => t.text)).toEqual(['Maintenance']);
	});

	it('beeps only when sound is on', () => {
		live.notification(note({ id: 'quiet' }));
		expect(CountingAudioContext.oscillators).toBe(0);
		prefs.sound = true;
		live.notification(note({ id: 'loud' }));
		expect(CountingAudioContext.oscillators).toBe(1);
	});

	it('shows one network toast at a time, each message once per episode, replacing the last', () => {
		const input = { offline: false, intentional: false };
		live.network({ ...input, status: 'connected' });
		for (let i = 0; i < 5; i++) {
			live.network({ ...input, status: 'reconnecting' });
			live.network({ ...input, status: 'connecting' });
			expect(onScreen().map((t) => t.title)).toEqual(['Reconnecting…']);
		}
		live.network({ ...input, status: 'connected' });
		expect(shown().map((t) => [t.text, t.visible])).toEqual([['Reconnected', true]]);
		live.network({ ...input, status: 'reconnecting' });
		live.network({ ...input, status: 'disconnected', intentional: true });
		expect(onScreen()).toEqual([]);
	});
});
