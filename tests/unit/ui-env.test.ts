import { describe, expect, it } from 'vitest';
import { readFlag, wsUrl } from '../../src/lib/realtime/env';

describe('wsUrl', () => {
	it('defaults to /ws on this origin', () => {
		expect(wsUrl(undefined)).toBe('/ws');
		expect(wsUrl('  ')).toBe('/ws');
	});

	it('passes a configured URL through, trimmed, for the client to validate', () => {
		expect(wsUrl(' wss://push.example/ws ')).toBe('wss://push.example/ws');
	});
});

describe('readFlag', () => {
	it('uses the fallback when unset', () => {
		expect(readFlag('X', undefined, true)).toBe(true);
		expect(readFlag('X', '', false)).toBe(false);
	});

	it.each([
		['true', true],
		['TRUE', true],
		['1', true],
		['on', true],
		['false', false],
		[' False ', false],
		['0', false],
		['off', false]
	])('reads %j as %s', (value, expected) => {
		expect(readFlag('X', value, !expected)).toBe(expected);
	});

	it('throws a TypeError naming the setting for anything else', () => {
		expect(() => readFlag('PUBLIC_ENABLE_WEBSOCKETS', 'maybe', true)).toThrow(
			/PUBLIC_ENABLE_WEBSOCKETS/
		);
	});
});
