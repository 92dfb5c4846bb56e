/**
 * The client address the per-address limits count, with adapter-node's ADDRESS_HEADER and
 * XFF_DEPTH: the socket's peer by default (a forwarded header is ignored, so nobody can spread
 * their connections over made-up addresses), the configured header behind a proxy, the
 * `xffDepth`-th X-Forwarded-For entry from the right, and 1008 for a request without the header.
 * The real-proxy version (100 addresses through nginx) is tests/cluster/proxy-address.test.ts.
 */
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/lib/server/db';
import { EventStore } from '../../src/lib/server/outbox/event-store';
import { clientAddress } from '../../src/lib/server/realtime/handshake';
import { hubOptionsFromEnv } from '../../src/lib/server/realtime/hub';
import { resolveHubOptions } from '../../src/lib/server/realtime/options';
import { startRealtimeTestServer, type RealtimeTestServer } from '../support/server-harness';
import { TestClient } from '../support/server-client';

function request(headers: Record<string, string | string[]>, peer = '192.0.2.7'): IncomingMessage {
	return { headers, socket: { remoteAddress: peer } } as unknown as IncomingMessage;
}

describe('clientAddress()', () => {
	const socketOnly = { addressHeader: '', xffDepth: 1 };
	const xff = (xffDepth: number) => ({ addressHeader: 'x-forwarded-for', xffDepth });

	it('is the socket peer by default, whatever the request claims', () => {
		expect(clientAddress(request({ 'x-forwarded-for': '203.0.113.1' }), socketOnly)).toBe(
			'192.0.2.7'
		);
	});

	it('counts X-Forwarded-For from the right, xffDepth entries deep', () => {
		const req = request({ 'x-forwarded-for': '198.51.100.1, 203.0.113.5 ,10.0.0.2' });
		expect(clientAddress(req, xff(1))).toBe('10.0.0.2');
		expect(clientAddress(req, xff(2))).toBe('203.0.113.5');
		expect(clientAddress(req, xff(3))).toBe('198.51.100.1');
		expect(clientAddress(req, xff(4))).toBeUndefined();
	});

	it('takes any other header as it is', () => {
		const options = { addressHeader: 'x-real-ip', xffDepth: 1 };
		expect(clientAddress(request({ 'x-real-ip': ' 203.0.113.9 ' }), options)).toBe('203.0.113.9');
	});

	it('has no address when the header is missing or empty', () => {
		expect(clientAddress(request({}), xff(1))).toBeUndefined();
		expect(clientAddress(request({ 'x-forwarded-for': ' ' }), xff(1))).toBeUndefined();
		expect(clientAddress(request({ 'x-forwarded-for': '203.0.113.1, ' }), xff(1))).toBeUndefined();
	});
});

describe('ADDRESS_HEADER and XFF_DEPTH options', () => {
	it('are read from the environment with adapter-node names', () => {
		expect(hubOptionsFromEnv({ ADDRESS_HEADER: 'X-Forwarded-For', XFF_DEPTH: '2' })).toEqual({
			addressHeader: 'X-Forwarded-For',
			xffDepth: 2
		});
		expect(() => hubOptionsFromEnv({ XFF_DEPTH: '0' })).toThrow(/XFF_DEPTH/);
	});

	it('are checked: a bad one throws a TypeError naming it', () => {
		const required = {
			store: new EventStore({ db: {} as Db, engine: 'sqlite' }),
			authenticate: async () => null
		};
		expect(() => resolveHubOptions({ ...required, xffDepth: 0 })).toThrow(
			'hub option xffDepth must'
		);
		expect(() => resolveHubOptions({ ...required, addressHeader: 'X Forwarded' })).toThrow(
			'hub option addressHeader must'
		);
		expect(resolveHubOptions({ ...required, addressHeader: 'X-Forwarded-For' }).addressHeader).toBe(
			'x-forwarded-for'
		);
	});
});

describe('per-address connection limit behind a proxy', () => {
	let server: RealtimeTestServer | undefined;
	const clients: TestClient[] = [];

	afterEach(async () => {
		for (const client of clients.splice(0)) client.close();
		await server?.close();
		server = undefined;
	});

	function open(token: string, forwardedFor?: string): TestClient {
		const headers: Record<string, string> = forwardedFor ? { 'x-forwarded-for': forwardedFor } : {};
		const client = new TestClient(server!.url, { token, headers });
		clients.push(client);
		return client;
	}

	/** Welcomed, or closed without a frame (refused). */
	function admitted(client: TestClient): Promise<boolean> {
		return client.next().then(
			(frame) => frame.type === 'welcome',
			() => false
		);
	}

	it('gives every forwarded address a bucket of its own, and refuses a request without one', async () => {
		server = await startRealtimeTestServer({
			hub: { addressHeader: 'X-Forwarded-For', connectionRate: { burst: 1, perSecond: 0.001 } }
		});
		const token = await server.makeToken(await server.createUser());
		expect(await admitted(open(token, '10.1.0.1'))).toBe(true);
		expect(await admitted(open(token, '10.1.0.2'))).toBe(true);
		// The same client again, and a client that prepends a made-up address: the proxy's entry counts.
		const again = open(token, '10.1.0.1');
		expect(await admitted(again)).toBe(false);
		expect((await again.closed).code).toBe(4429);
		const spoofing = open(token, '10.9.9.9, 10.1.0.2');
		expect(await admitted(spoofing)).toBe(false);
		expect((await spoofing.closed).code).toBe(4429);
		const direct = open(token);
		expect(await admitted(direct)).toBe(false);
		expect(await direct.closed).toEqual({
			code: 1008,
			reason: 'no client address in x-forwarded-for'
		});
		expect(server.hub.stats().dropped).toMatchObject({ connection_rate: 2, unknown_address: 1 });
	});

	it('ignores X-Forwarded-For without ADDRESS_HEADER: the socket address counts', async () => {
		server = await startRealtimeTestServer({
			hub: { connectionRate: { burst: 1, perSecond: 0.001 } }
		});
		const token = await server.makeToken(await server.createUser());
		expect(await admitted(open(token, '10.2.0.1'))).toBe(true);
		const other = open(token, '10.2.0.2');
		expect(await admitted(other)).toBe(false);
		expect((await other.closed).code).toBe(4429);
	});
});
