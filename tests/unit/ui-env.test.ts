import { describe, expect, it } from 'vitest';
import { readFlag, resolveWsUrl } from '../../src/lib/realtime/env';

const http = { protocol: 'http:', host: '127.0.0.1:5173' };
const https = { protocol: 'https:', host: 'copilot.example' };

describe('resolveWsUrl', () => {
	it('defaults to the same origin /ws with the matching scheme', () => {
		expect(resolveWsUrl(undefined, http)).toBe('ws://127.0.0.1:5173/ws');
		expect(resolveWsUrl('  ', https)).toBe('wss://copilot.example/ws');
	});

	it('takes a path on this origin', () => {
		expect(resolveWsUrl('/realtime', https)).toBe('wss://copilot.example/realtime');
	});

	it('keeps ws(s) URLs and turns http(s) ones into ws(s)', () => {
		expect(resolveWsUrl('wss://push.example/ws', http)).toBe('wss://push.example/ws');
		expect(resolveWsUrl('http://localhost:4000/ws', https)).toBe('ws://localhost:4000/ws');
		expect(resolveWsUrl('https://push.example/ws', http)).toBe('wss://push.example/ws');
	});

	it.each(['ftp://files.example/ws', 'not a url', '//evil.example/ws', 'javascript:alert(1)'])(
		'refuses %j with a TypeError naming the setting',
		(value) => {
			expect(() => resolveWsUrl(value, http)).toThrow(TypeError);
			expect(() => resolveWsUrl(value, http)).toThrow(/PUBLIC_WS_URL/);
		}
	);
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
