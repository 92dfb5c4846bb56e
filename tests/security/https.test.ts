/**
 * Over https (ORIGIN=https://…, or a proxy's PROTOCOL_HEADER saying https), against the built
 * server: the session cookie is Secure and every answer carries Strict-Transport-Security, the
 * static files adapter-node serves before the app's hooks included. Over plain http neither, and
 * a PROTOCOL_HEADER saying http is believed too.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, DEMO_USERS } from '../support/chaos-auth';
import { ServerProcess } from '../support/chaos-server';

const ORIGIN = 'https://jobs.example';

/** Answers of one server to a page, a redirect, a static file, and a sign-in. */
async function answers(server: ServerProcess, headers: Record<string, string>, origin: string) {
	const get = async (path: string) => {
		const response = await fetch(`${server.origin}${path}`, { redirect: 'manual', headers });
		const body = await response.text();
		return { response, body };
	};
	const page = await get('/login');
	const asset = /\/_app\/immutable\/[^"]+\.js/.exec(page.body)?.[0];
	expect(asset, 'the sign-in page loads a built script').toBeDefined();
	const signIn = await login(server.origin, DEMO_USERS[0], undefined, {
		originHeader: origin,
		headers
	});
	expect(signIn.status, 'sign-in answers 303').toBe(303);
	return {
		page: page.response,
		redirect: (await get('/jobs')).response,
		asset: (await get(asset!)).response,
		favicon: (await get('/favicon.svg')).response,
		sessionCookie: signIn.setCookie.find((line) => line.startsWith('session='))!
	};
}

function isSecure(cookie: string): boolean {
	return cookie
		.split(';')
		.map((attribute) => attribute.trim().toLowerCase())
		.includes('secure');
}

const HSTS = 'strict-transport-security';

describe('over https', () => {
	let behindOrigin: ServerProcess;
	let behindProxy: ServerProcess;

	beforeAll(async () => {
		if (!existsSync('build/server.js')) throw new Error('build/server.js missing: npm run build');
		[behindOrigin, behindProxy] = await Promise.all([
			ServerProcess.start({ env: { ORIGIN } }),
			ServerProcess.start({ env: { PROTOCOL_HEADER: 'x-forwarded-proto' } })
		]);
	}, 60_000);
	afterAll(async () => {
		await Promise.all([behindOrigin?.stop(), behindProxy?.stop()]);
	});

	it('ORIGIN=https://…: Secure cookie, HSTS on pages, redirects and static files', async () => {
		const seen = await answers(behindOrigin, {}, ORIGIN);
		expect(isSecure(seen.sessionCookie)).toBe(true);
		for (const [what, response] of Object.entries(seen)) {
			if (typeof response === 'string') continue;
			expect(response.headers.get(HSTS), what).toBe('max-age=15552000');
		}
	});

	it('PROTOCOL_HEADER saying https: the same', async () => {
		const seen = await answers(
			behindProxy,
			{ 'x-forwarded-proto': 'https' },
			`https://127.0.0.1:${behindProxy.port}`
		);
		expect(isSecure(seen.sessionCookie)).toBe(true);
		for (const response of [seen.page, seen.redirect, seen.asset, seen.favicon]) {
			expect(response.headers.get(HSTS)).toBe('max-age=15552000');
		}
	});

	it('PROTOCOL_HEADER saying http: no Secure cookie, no HSTS', async () => {
		const seen = await answers(
			behindProxy,
			{ 'x-forwarded-proto': 'http' },
			`http://127.0.0.1:${behindProxy.port}`
		);
		expect(isSecure(seen.sessionCookie)).toBe(false);
		for (const response of [seen.page, seen.redirect, seen.asset, seen.favicon]) {
			expect(response.headers.get(HSTS)).toBeNull();
		}
	});
});

describe('over plain http (no ORIGIN, no PROTOCOL_HEADER)', () => {
	let server: ServerProcess;

	beforeAll(async () => {
		server = await ServerProcess.start();
	}, 60_000);
	afterAll(async () => {
		await server?.stop();
	});

	it('no Secure cookie and no HSTS, even when a client claims https', async () => {
		const seen = await answers(server, { 'x-forwarded-proto': 'https' }, server.origin);
		expect(isSecure(seen.sessionCookie)).toBe(false);
		for (const response of [seen.page, seen.redirect, seen.asset, seen.favicon]) {
			expect(response.headers.get(HSTS)).toBeNull();
		}
	});
});
