/**
 * The hub's options: defaults, validation (a bad option throws a TypeError naming it), and the
 * environment variables that override them in the running app.
 */
import type { IncomingMessage } from 'node:http';
import { WS_PATH } from './global';
import type { HubSession, HubStore } from './store';

/** A token bucket: `burst` at once, refilled at `perSecond`. */
export interface RateLimit {
	burst: number;
	perSecond: number;
}

/** Decides whether a browser Origin may open a socket. */
export type OriginCheck = (origin: string, req: IncomingMessage) => boolean;

/** Where the hub reports the first frame of each dropped kind and its own troubles. */
export type HubLogger = Pick<Console, 'info' | 'warn' | 'error'>;

/**
 * Who an upgrade request belongs to (the app's sessions plug in here): its session, or null to
 * refuse the socket with 4401. Called once per socket, before it is accepted.
 */
export type Authenticate = (req: IncomingMessage) => Promise<HubSession | null>;

export interface HubOptions<Tx = unknown> {
	/** The event log, client message ids and signals (see store.ts). */
	store: HubStore<Tx>;
	authenticate: Authenticate;
	/** Upgrade path. Default `/ws`. */
	path: string;
	/** Milliseconds between server pings; a socket that has not answered by the next is dropped. */
	heartbeatInterval: number;
	/** Largest accepted frame in bytes; a bigger one closes the socket with 1009. */
	maxPayload: number;
	/** Open sockets per user; one more is closed with 4429. */
	maxSocketsPerUser: number;
	/** Messages per socket; `closeAfter` messages over the limit in a row close it with 4429. */
	messageRate: RateLimit & { closeAfter: number };
	/** New sockets per client address (see `addressHeader`); over it, the socket is closed with 4429. */
	connectionRate: RateLimit;
	/**
	 * The header holding the client's address when a proxy sits in front (adapter-node's
	 * ADDRESS_HEADER, e.g. `X-Forwarded-For`; any case). Empty (default): the socket's peer address.
	 * A socket whose request lacks the header is closed with 1008.
	 */
	addressHeader: string;
	/**
	 * With `addressHeader` X-Forwarded-For: which address counts, from the right (adapter-node's
	 * XFF_DEPTH): the number of trusted proxies in front of the server. Default 1.
	 */
	xffDepth: number;
	/**
	 * Browser Origins allowed besides the request's own host, or a function that decides alone.
	 * A socket without an Origin header (not a browser) is not checked here; it still needs a token.
	 */
	allowedOrigins: readonly string[] | OriginCheck;
	/** A socket with more unsent bytes than this is cut (it resumes from the log when back). */
	maxBufferedBytes: number;
	/** How long close() waits for clients to finish the closing handshake before cutting them. */
	closeTimeout: number;
	/**
	 * Milliseconds between sweeps: one read of the latest seq of every user with a socket here,
	 * and those behind are caught up from the log. The bound on how late an event arrives when
	 * its notification was lost (its node died after the commit, or the notification failed).
	 */
	sweepInterval: number;
	/** How long a client message id is remembered for dedupe, in milliseconds. */
	dedupeRetention: number;
	logger: HubLogger;
}

export const DEFAULT_HUB_OPTIONS: Omit<HubOptions, 'store' | 'authenticate'> = {
	path: WS_PATH,
	heartbeatInterval: 30_000,
	maxPayload: 64 * 1024,
	maxSocketsPerUser: 20,
	// A client flushes up to 100 queued messages at once on reconnect; allow that burst.
	messageRate: { burst: 200, perSecond: 20, closeAfter: 50 },
	connectionRate: { burst: 50, perSecond: 10 },
	addressHeader: '',
	xffDepth: 1,
	allowedOrigins: [],
	maxBufferedBytes: 4 * 1024 * 1024,
	closeTimeout: 5_000,
	sweepInterval: 1_000,
	dedupeRetention: 7 * 24 * 60 * 60 * 1000,
	logger: console
};

function positive(name: string, value: unknown, integer = true): void {
	const ok =
		typeof value === 'number' &&
		value > 0 &&
		(integer ? Number.isSafeInteger(value) : isFinite(value));
	if (!ok) {
		throw new TypeError(`hub option ${name} must be a positive ${integer ? 'integer' : 'number'}`);
	}
}

/** Fill in defaults and check every option; throws a TypeError naming the first bad one. */
export function resolveHubOptions<Tx>(
	options: Partial<HubOptions<Tx>> & Pick<HubOptions<Tx>, 'store' | 'authenticate'>
): HubOptions<Tx> {
	const resolved: HubOptions<Tx> = { ...DEFAULT_HUB_OPTIONS, ...options };
	if (typeof resolved.addressHeader !== 'string' || /[^\w-]/.test(resolved.addressHeader)) {
		throw new TypeError('hub option addressHeader must be a header name (or empty)');
	}
	// Node lower-cases the names in req.headers.
	resolved.addressHeader = resolved.addressHeader.toLowerCase();
	const store = resolved.store as Partial<HubStore<Tx>> | undefined;
	const storeMethods = [
		'append',
		'bounds',
		'latestSeqs',
		'eventsAfter',
		'applyOnce',
		'pruneMessages',
		'subscribe'
	];
	if (!store || storeMethods.some((name) => typeof store[name as keyof HubStore] !== 'function')) {
		throw new TypeError(`hub option store must implement ${storeMethods.join(', ')}`);
	}
	if (typeof resolved.authenticate !== 'function') {
		throw new TypeError('hub option authenticate must be a function');
	}
	if (typeof resolved.path !== 'string' || !resolved.path.startsWith('/')) {
		throw new TypeError('hub option path must be a string starting with /');
	}
	for (const name of [
		'heartbeatInterval',
		'maxPayload',
		'maxSocketsPerUser',
		'maxBufferedBytes',
		'closeTimeout',
		'sweepInterval',
		'dedupeRetention',
		'xffDepth'
	] as const) {
		positive(name, resolved[name]);
	}
	positive('messageRate.burst', resolved.messageRate?.burst);
	positive('messageRate.perSecond', resolved.messageRate?.perSecond, false);
	positive('messageRate.closeAfter', resolved.messageRate?.closeAfter);
	positive('connectionRate.burst', resolved.connectionRate?.burst);
	positive('connectionRate.perSecond', resolved.connectionRate?.perSecond, false);
	const origins = resolved.allowedOrigins;
	if (
		typeof origins !== 'function' &&
		!(Array.isArray(origins) && origins.every((origin) => typeof origin === 'string'))
	) {
		throw new TypeError('hub option allowedOrigins must be an array of origins or a function');
	}
	if (
		['info', 'warn', 'error'].some(
			(level) => typeof resolved.logger?.[level as 'info'] !== 'function'
		)
	) {
		throw new TypeError('hub option logger must have info, warn and error methods');
	}
	return resolved;
}

/** A positive integer from the environment, undefined when unset; a TypeError naming it otherwise. */
export function envInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
	const raw = env[name];
	if (raw === undefined || raw === '') return undefined;
	const value = Number(raw);
	if (!Number.isSafeInteger(value) || value <= 0) {
		throw new TypeError(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
	}
	return value;
}

/**
 * The options the running app takes from its environment: REALTIME_HEARTBEAT_MS,
 * REALTIME_MAX_SOCKETS_PER_USER, REALTIME_SWEEP_MS and REALTIME_ALLOWED_ORIGINS (comma-separated), plus
 * adapter-node's ORIGIN (the origin the app is served from, allowed as well), ADDRESS_HEADER and
 * XFF_DEPTH (the client address the per-address limits count).
 */
export function hubOptionsFromEnv(env: NodeJS.ProcessEnv): Partial<HubOptions> {
	const options: Partial<HubOptions> = {};
	const heartbeatInterval = envInteger(env, 'REALTIME_HEARTBEAT_MS');
	const maxSocketsPerUser = envInteger(env, 'REALTIME_MAX_SOCKETS_PER_USER');
	if (heartbeatInterval) options.heartbeatInterval = heartbeatInterval;
	if (maxSocketsPerUser) options.maxSocketsPerUser = maxSocketsPerUser;
	const sweepInterval = envInteger(env, 'REALTIME_SWEEP_MS');
	if (sweepInterval) options.sweepInterval = sweepInterval;
	const xffDepth = envInteger(env, 'XFF_DEPTH');
	if (env.ADDRESS_HEADER) options.addressHeader = env.ADDRESS_HEADER.trim();
	if (xffDepth) options.xffDepth = xffDepth;
	const origins = [env.ORIGIN ?? '', ...(env.REALTIME_ALLOWED_ORIGINS ?? '').split(',')]
		.map((origin) => origin.trim())
		.filter(Boolean)
		.map(toOrigin);
	if (origins.length > 0) options.allowedOrigins = origins;
	return options;
}

/** `https://example.com/` -> `https://example.com`, as browsers send it in the Origin header. */
function toOrigin(url: string): string {
	try {
		return new URL(url).origin;
	} catch {
		throw new TypeError(
			`ORIGIN and REALTIME_ALLOWED_ORIGINS must hold URLs, got ${JSON.stringify(url)}`
		);
	}
}
