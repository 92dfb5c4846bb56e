/**
 * The Content-Security-Policy comes from `kit.csp` in svelte.config.js, fixed at build time, with
 * `connect-src 'self'`. PUBLIC_WS_URL is read at run time and may name another origin (a socket
 * server of its own); without it in connect-src the browser would block the socket before it
 * reaches the network. This adds that origin to the header SvelteKit wrote, and nothing else.
 */

/** The origin a socket URL connects to, as CSP matches it (`wss://host:port`), if absolute. */
export function socketOrigin(wsUrl: string | undefined): string | null {
	const configured = wsUrl?.trim();
	if (!configured) return null;
	let url: URL;
	try {
		url = new URL(configured);
	} catch {
		// A path such as /ws: this origin, which 'self' already allows.
		return null;
	}
	const protocol = { 'http:': 'ws:', 'https:': 'wss:' }[url.protocol] ?? url.protocol;
	if (protocol !== 'ws:' && protocol !== 'wss:') return null;
	return `${protocol}//${url.host}`;
}

/** `policy` with `origin` added to its connect-src (created if the policy has none). */
export function allowConnectTo(policy: string, origin: string | null): string {
	if (!origin) return policy;
	const directives = policy
		.split(';')
		.map((directive) => directive.trim())
		.filter(Boolean);
	const index = directives.findIndex((directive) => /^connect-src(\s|$)/i.test(directive));
	if (index === -1) return [...directives, `connect-src 'self' ${origin}`].join('; ');
	if (directives[index].split(/\s+/).includes(origin)) return policy;
	directives[index] = `${directives[index]} ${origin}`;
	return directives.join('; ');
}
