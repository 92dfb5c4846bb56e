import type { Handle, RequestEvent, ServerInit } from '@sveltejs/kit';
import { env } from '$env/dynamic/public';
import { serverApp, stopServerApp } from '$lib/server/app';
import { SESSION_COOKIE, userFromToken } from '$lib/server/auth';
import { allowConnectTo, socketOrigin } from '$lib/server/csp';
import { STRICT_TRANSPORT_SECURITY } from '$lib/server/https';
import { withRefusalStatus } from '$lib/server/signin';

/**
 * At start-up: open (migrate, seed) the database and create the store and the hub, so the first
 * socket finds everything ready and a broken database fails the start, not the first request.
 */
export const init: ServerInit = async () => {
	await serverApp();
};

/**
 * The process's app, for what serves `/ws` next to SvelteKit (the Vite plugin in preview,
 * build/server.js): it imports this module, the one SvelteKit's own server loads, so both use
 * one instance and no module exists twice.
 */
export { serverApp, stopServerApp };
/** HSTS for the production server's answers that never reach `handle` (static files). */
export { addTransportSecurity } from '$lib/server/https';

/**
 * Paths a signed-out visitor may reach: the sign-in page, the app's built assets, and /ws (the
 * hub answers its upgrades itself, with 4401 when there is no session).
 */
function isPublic(pathname: string): boolean {
	return (
		pathname === '/login' ||
		pathname === '/ws' ||
		pathname.startsWith('/_app/') ||
		pathname === '/favicon.svg'
	);
}

/** The request's session token: the cookie, or `Authorization: Bearer` for non-browser clients. */
function sessionToken(event: RequestEvent): string | undefined {
	const bearer = /^Bearer\s+(\S+)\s*$/i.exec(event.request.headers.get('authorization') ?? '');
	return bearer?.[1] ?? event.cookies.get(SESSION_COOKIE);
}

/**
 * Headers every answer carries. The Content-Security-Policy itself comes from `kit.csp` in
 * svelte.config.js (so SvelteKit can add nonces to its own inline scripts); `withSocketOrigin`
 * adds PUBLIC_WS_URL's origin to it.
 */
function securityHeaders(url: URL): Record<string, string> {
	return {
		'x-content-type-options': 'nosniff',
		'x-frame-options': 'DENY',
		'referrer-policy': 'strict-origin-when-cross-origin',
		'cross-origin-opener-policy': 'same-origin',
		'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
		...(url.protocol === 'https:' ? { 'strict-transport-security': STRICT_TRANSPORT_SECURITY } : {})
	};
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
	try {
		for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
		return response;
	} catch {
		// A response with immutable headers (e.g. one passed through from fetch): copy it.
		const copy = new Response(response.body, response);
		for (const [name, value] of Object.entries(headers)) copy.headers.set(name, value);
		return copy;
	}
}

/** A page's CSP with the socket's origin in connect-src when PUBLIC_WS_URL names another. */
function withSocketOrigin(response: Response): Response {
	const policy = response.headers.get('content-security-policy');
	const origin = socketOrigin(env.PUBLIC_WS_URL);
	if (!policy || !origin) return response;
	return withHeaders(response, { 'content-security-policy': allowConnectTo(policy, origin) });
}

function isSignIn(event: RequestEvent): boolean {
	return event.request.method === 'POST' && event.url.pathname === '/login';
}

/** Who is signed in, and the sign-in wall: signed-out visitors go to /login?redirectTo=… */
export const handle: Handle = async ({ event, resolve }) => {
	const { store } = await serverApp();
	event.locals.store = store;
	event.locals.user = await userFromToken(store.db, sessionToken(event));
	const headers = securityHeaders(event.url);
	if (!event.locals.user && !isPublic(event.url.pathname)) {
		if (event.url.pathname.startsWith('/api/')) {
			return withHeaders(Response.json({ message: 'Sign in first' }, { status: 401 }), headers);
		}
		const redirectTo = encodeURIComponent(event.url.pathname + event.url.search);
		return withHeaders(
			new Response(null, { status: 303, headers: { location: `/login?redirectTo=${redirectTo}` } }),
			headers
		);
	}
	const response = withSocketOrigin(await resolve(event));
	// A signed-in answer is never stored: Back after signing out asks the server again (and gets
	// the sign-in page) instead of showing someone's dashboard from the cache.
	const signedIn = event.locals.user && !event.url.pathname.startsWith('/_app/');
	return withHeaders(isSignIn(event) ? withRefusalStatus(response) : response, {
		...headers,
		...(signedIn ? { 'cache-control': 'no-store' } : {})
	});
};
