/** Relative times of the Notifications page ("2 h ago"). */
import { describe, expect, it } from 'vitest';
import { formatRelative } from '../../src/lib/format';

const NOW = Date.parse('2026-12-01T21:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const MIN = 60_000;

describe('formatRelative', () => {
	it('counts minutes, hours and days', () => {
		expect(formatRelative(ago(10_000), NOW)).toBe('just now');
		expect(formatRelative(ago(5 * MIN), NOW)).toBe('5 min ago');
		expect(formatRelative(ago(59 * MIN), NOW)).toBe('59 min ago');
		expect(formatRelative(ago(2 * 60 * MIN + 59 * MIN), NOW)).toBe('2 h ago');
		expect(formatRelative(ago(3 * 24 * 60 * MIN), NOW)).toBe('3 d ago');
	});

	it('gives the date past a week, with the year when it is another year', () => {
		expect(formatRelative('2026-11-02T12:00:00Z', NOW)).toBe('Nov 2');
		expect(formatRelative('2025-11-02T12:00:00Z', NOW)).toBe('Nov 2, 2025');
	});

	it('reads a time slightly in the future as just now, and keeps unparsable input', () => {
		expect(formatRelative(ago(-30_000), NOW)).toBe('just now');
		expect(formatRelative('not a date', NOW)).toBe('not a date');
		expect(formatRelative(NOW - 90 * MIN, NOW)).toBe('1 h ago');
	});
});
