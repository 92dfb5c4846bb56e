/**
 * Strict-Transport-Security for answers over https. Whether a request came over https is decided
 * as adapter-node decides the protocol of `event.url`: ORIGIN's scheme when it is set, else the
 * PROTOCOL_HEADER the proxy sets (adapter-node assumes https when that header is missing).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/**
 * 180 days. Not `includeSubDomains` or `preload`: those bind every other host of the domain,
 * which is the operator's decision, not the app's.
 */
export const STRICT_TRANSPORT_SECURITY = 'max-age=15552000';

/** Whether adapter-node will see this request as https (see the module comment). */
export function requestIsHttps(
	headers: IncomingHttpHeaders,
	env: Record<string, string | undefined>
): boolean {
	if (env.ORIGIN) return env.ORIGIN.trim().toLowerCase().startsWith('https:');
	const header = env.PROTOCOL_HEADER?.trim().toLowerCase();
	if (!header) return false;
	const value = headers[header];
	const protocol = (Array.isArray(value) ? value.join(', ') : value) || 'https';
	return protocol.trim().toLowerCase() === 'https';
}

/**
 * Put Strict-Transport-Security on an answer of the production server before adapter-node writes
 * it, for the answers the app's hooks never see (static files).
 */
export function addTransportSecurity(
	req: IncomingMessage,
	res: ServerResponse,
	env: Record<string, string | undefined> = process.env
): void {
	if (requestIsHttps(req.headers, env)) {
		res.setHeader('strict-transport-security', STRICT_TRANSPORT_SECURITY);
	}
}
