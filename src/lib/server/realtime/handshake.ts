/**
 * What the hub reads from an upgrade request: the client's address and whether its Origin may
 * connect (who the socket belongs to is the app's `authenticate`).
 */
import type { IncomingMessage } from 'node:http';
import type { HubOptions, OriginCheck } from './options';

/**
 * The client's address, read as adapter-node reads it for `event.getClientAddress()`: the socket's
 * peer when `addressHeader` is empty (the default); otherwise that header's value, and for
 * `X-Forwarded-For` the `xffDepth`-th address from the right (1 is the one the proxy in front of
 * this server appended, 2 the one the proxy before it appended, and so on). Undefined when the
 * header is missing, empty, or holds fewer addresses than `xffDepth` (adapter-node fails such a
 * request as well): the request did not come through the proxy that was promised.
 */
export function clientAddress(
	req: IncomingMessage,
	{ addressHeader, xffDepth }: Pick<HubOptions, 'addressHeader' | 'xffDepth'>
): string | undefined {
	if (!addressHeader) return req.socket.remoteAddress;
	const raw = req.headers[addressHeader];
	const value = (Array.isArray(raw) ? raw.join(',') : raw)?.trim();
	if (!value) return undefined;
	if (addressHeader !== 'x-forwarded-for') return value;
	const addresses = value.split(',');
	if (xffDepth > addresses.length) return undefined;
	return addresses[addresses.length - xffDepth].trim() || undefined;
}

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
