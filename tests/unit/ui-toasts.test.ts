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
		text: typeof t.message === 'string' ? t.message : String(t.props?.title),
		testid: t.props?.testid
	}));
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
			['blank', 'Software Engineer at Tech Corp -> Screening'],
			['error', 'Software Engineer at Tech Corp -> Rejected'],
			['success', 'Software Engineer at Tech Corp -> Interview']
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

	it('shows one network toast at a time, each message once per episode', () => {
		const input = { offline: false, intentional: false };
		live.network({ ...input, status: 'connected' });
		for (let i = 0; i < 5; i++) {
			live.network({ ...input, status: 'reconnecting' });
			live.network({ ...input, status: 'connecting' });
		}
		live.network({ ...input, status: 'connected' });
		const texts = shown().map((t) => [t.text, t.visible]);
		expect(texts).toEqual([
			['Reconnected', true],
			['Reconnecting...', false]
		]);
	});
});
