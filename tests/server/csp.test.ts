/**
 * The CSP's connect-src follows PUBLIC_WS_URL: a socket on another origin is allowed (else the
 * browser blocks it before it reaches the network), a path stays under 'self', and nothing else in
 * the policy changes.
 */
import { describe, expect, it } from 'vitest';
import { allowConnectTo, socketOrigin } from '../../src/lib/server/csp';

const POLICY =
	"default-src 'self'; script-src 'self' 'nonce-abc'; connect-src 'self'; object-src 'none'";

describe('socketOrigin', () => {
	it.each([
		['ws://localhost:4000/ws', 'ws://localhost:4000'],
		['wss://live.example.com/socket?x=1', 'wss://live.example.com'],
		['WSS://Live.Example.com:8443/ws', 'wss://live.example.com:8443'],
		['https://live.example.com/ws', 'wss://live.example.com'],
		['http://127.0.0.1:5000/ws', 'ws://127.0.0.1:5000']
	])('%s -> %s', (url, origin) => {
		expect(socketOrigin(url)).toBe(origin);
	});

	it.each([undefined, '', '  ', '/ws', 'ws', 'javascript:alert(1)', 'ftp://example.com/ws'])(
		'%j: nothing to add',
		(url) => {
			expect(socketOrigin(url)).toBeNull();
		}
	);
});

describe('allowConnectTo', () => {
	it('adds the origin to connect-src and leaves every other directive as it was', () => {
		expect(allowConnectTo(POLICY, 'wss://live.example.com')).toBe(
			"default-src 'self'; script-src 'self' 'nonce-abc'; connect-src 'self' wss://live.example.com; object-src 'none'"
		);
	});

	it('creates connect-src when the policy has none, keeping self', () => {
		expect(allowConnectTo("default-src 'self'", 'ws://localhost:4000')).toBe(
			"default-src 'self'; connect-src 'self' ws://localhost:4000"
		);
	});

	it('changes nothing without an origin or when it is already there', () => {
		expect(allowConnectTo(POLICY, null)).toBe(POLICY);
		const once = allowConnectTo(POLICY, 'ws://localhost:4000');
		expect(allowConnectTo(once, 'ws://localhost:4000')).toBe(once);
	});
});
