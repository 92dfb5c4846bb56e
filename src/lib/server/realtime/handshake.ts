/** Whether an upgrade request's Origin may open a socket. */
import type { IncomingMessage } from 'node:http';
import type { OriginCheck } from './options';

/**
 * Whether the upgrade's Origin may open a socket: no Origin (not a browser: it still needs a
 * valid token), the request's own host, or one of `allowed`. Browsers always send Origin on a
 * WebSocket handshake, so a page on another site is refused (cross-site WebSocket hijacking).
 */
export function isOriginAllowed(
	req: IncomingMessage,
	allowed: readonly string[] | OriginCheck
): boolean {
	const origin = req.headers.origin;
	if (origin === undefined) return true;
	if (typeof allowed === 'function') return allowed(origin, req);
	if (allowed.includes(origin)) return true;
	try {
		return new URL(origin).host === req.headers.host;
	} catch {
		return false;
	}
}
