import { describe, expect, it } from 'vitest';
import { NOTIFICATION_CATEGORIES } from '../../src/lib/protocol';
import {
	allowsCategory,
	defaultPreferences,
	parsePreferences,
	serializePreferences
} from '../../src/lib/realtime/preferences';

describe('notification preferences', () => {
	it('defaults to sound off and every category on', () => {
		const prefs = defaultPreferences();
		expect(prefs.sound).toBe(false);
		for (const category of NOTIFICATION_CATEGORIES) expect(prefs.categories[category]).toBe(true);
	});

	it('round-trips through its stored text', () => {
		const prefs = defaultPreferences();
		prefs.sound = true;
		prefs.categories.social = false;
		expect(parsePreferences(serializePreferences(prefs))).toEqual(prefs);
	});

	it.each([null, '', 'not json', '[]', '42', 'null', '"text"'])(
		'falls back to the defaults for %j',
		(text) => {
			expect(parsePreferences(text)).toEqual(defaultPreferences());
		}
	);

	it('repairs bad fields one by one and keeps the good ones', () => {
		const prefs = parsePreferences(
			JSON.stringify({ sound: 'yes', categories: { social: false, system: 'no', extra: true } })
		);
		expect(prefs.sound).toBe(false);
		expect(prefs.categories.social).toBe(false);
		expect(prefs.categories.system).toBe(true);
		expect(prefs.categories.job_alert).toBe(true);
		expect(Object.keys(prefs.categories).sort()).toEqual([...NOTIFICATION_CATEGORIES].sort());
	});

	it('replaces a categories value that is not an object', () => {
		expect(parsePreferences('{"sound":true,"categories":5}')).toEqual({
			...defaultPreferences(),
			sound: true
		});
	});

	it('lets a switched-off category raise no toast', () => {
		const prefs = defaultPreferences();
		prefs.categories.job_alert = false;
		expect(allowsCategory(prefs, 'job_alert')).toBe(false);
		expect(allowsCategory(prefs, 'system')).toBe(true);
	});
});
