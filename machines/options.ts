/**
 * The client's options: every default in one object, and one validation pass that throws a
 * `TypeError` naming the offending option, so a typo or a wrong unit fails at construction and
 * not as a strange reconnect pattern an hour later.
 */
import { CLIENT_CONTROL_TYPES, SERVER_CONTROL_TYPES, type EventSchemas } from './protocol';
import { OVERFLOW_POLICIES, type OverflowPolicy } from './queue';
import type { TabGroup } from './connection';
import { browserStorage, memoryStorage, type StorageAdapter } from './storage';

/**
 * Sharing one connection between the tabs of a browser: `shareTabs(...)` from
 * `statechart-websocket/tabs` (see share-tabs.ts), which an app imports only if it shares, so the
 * main entry does not carry the tab group's code. `join` gives the tab group of a client of `url`,
 * or `false` where the browser cannot share (no Web Locks or BroadcastChannel, Node).
 */
export interface TabSharing {
	join(url: string): TabGroup | false;
}

/**
 * A socket event listener. Declared as a method type so that listeners of the browser's, `ws`'s
 * and a test double's own event types all fit (method parameters are bivariant).
 */
export type SocketListener = { listener(event: unknown): void }['listener'];

/** The part of the WebSocket interface the client uses; browsers' and `ws`'s both fit. */
export interface WebSocketLike {
	readonly readyState: number;
	send(data: string): void;
	close(code?: number, reason?: string): void;
	addEventListener(type: string, listener: SocketListener): void;
	removeEventListener(type: string, listener: SocketListener): void;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `WebSocket` from `ws` in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Where the client reports what it drops or what a subscriber throws. */
export interface Logger {
	warn(message: string, ...details: unknown[]): void;
	error(message: string, ...details: unknown[]): void;
}

/** Options of `createRealtimeClient`; all times in milliseconds. Only `url` is required. */
export interface ConnectionOptions<S extends EventSchemas = EventSchemas> {
	/** `ws:`/`wss:` URL; `http(s):` and, in a browser, relative URLs are converted. */
	url: string;
	/** Delay before the first reconnect attempt. Default 1000. */
	reconnectInterval?: number;
	/** Cap of the backoff delay. Default 30000. */
	maxReconnectInterval?: number;
	/** Growth factor of the delay per attempt, >= 1. Default 1.5. */
	reconnectDecay?: number;
	/** Reconnect attempts before giving up (state `failed`). Default Infinity. */
	maxReconnectAttempts?: number;
	/** Connect timeout of each attempt. Default 5000. */
	timeoutInterval?: number;
	/** Queue `send()` while not connected. Default true. */
	enableMessageQueue?: boolean;
	/** Bound of the outgoing queue (sent but unacked messages included). Default 100. */
	maxQueueSize?: number;
	/** What a full queue does with a new message. Default 'drop-oldest'. */
	queueOverflow?: OverflowPolicy;
	/** Fraction of each delay randomly taken off, in [0, 1]. Default 0.2. */
	jitter?: number;
	/** Ping after this long. Default 30000. */
	heartbeatInterval?: number;
	/** Any frame must arrive this long after a ping, or the socket is dead. Default 10000. */
	heartbeatTimeout?: number;
	/** Frames longer than this (characters) are dropped unparsed. Default 1 MiB. */
	maxFrameSize?: number;
	/** WebSocket constructor. Default `globalThis.WebSocket`. */
	WebSocket?: WebSocketConstructor;
	/**
	 * Keeps the queue across page loads. Default `sessionStorage` in a browser (per tab, survives
	 * a reload), with what a closing tab still has queued handed over through `localStorage` to
	 * the next page (see `browserStorage`); memory elsewhere. Give each running client its own
	 * storage or `storageKey`: clients sharing one key (`localStorage` in two tabs) erase each
	 * other's queued messages.
	 */
	storage?: StorageAdapter;
	/** Storage key of the queue. Default `realtime-outbox:` + url. */
	storageKey?: string;
	/** Random numbers in [0, 1) for the jitter. Default `Math.random`. */
	random?: () => number;
	/** The clock for heartbeat bookkeeping. Default `Date.now`. */
	now?: () => number;
	/** Default `console`. */
	logger?: Logger;
	/** Connect as soon as the client is created. Default true. */
	autoConnect?: boolean;
	/**
	 * The newest event `seq` the app already has, e.g. the server's seq when it rendered the
	 * page: the first `resume` asks only for what came after it, so the server does not replay
	 * old events as news. A safe integer >= 0. Default 0 (everything the server still keeps).
	 */
	lastSeq?: number;
	/**
	 * Share one connection between tabs: `shareTabs(...)` of `statechart-websocket/tabs` (see
	 * `TabSharing`). Default `false`: the client keeps its own socket.
	 */
	tabSharing?: TabSharing | false;
	/**
	 * The app's server events: name -> Standard Schema v1 of the payload (valibot, zod, arktype...,
	 * validating synchronously). Frames of other types are dropped; `subscribe` is typed from it.
	 */
	events?: S;
}

/** Options after defaults and validation. */
export type ResolvedOptions = Required<Omit<ConnectionOptions, 'events' | 'tabSharing'>> & {
	/** The tab group the client joined, or `false`: it stands alone. */
	tabSharing: TabGroup | false;
	/** The app's event schemas (`events`), `{}` when none. */
	eventSchemas: EventSchemas;
};

/** The largest delay `setTimeout` honours; longer ones fire at once. */
export const MAX_DELAY = 2 ** 31 - 1;

/** Every default, in one place. Getters because some depend on where the code runs. */
export const DEFAULT_OPTIONS = {
	reconnectInterval: 1000,
	maxReconnectInterval: 30000,
	reconnectDecay: 1.5,
	maxReconnectAttempts: Infinity,
	timeoutInterval: 5000,
	enableMessageQueue: true,
	maxQueueSize: 100,
	queueOverflow: 'drop-oldest' as OverflowPolicy,
	jitter: 0.2,
	heartbeatInterval: 30000,
	heartbeatTimeout: 10000,
	maxFrameSize: 1024 * 1024,
	// Looked up on each call, so fake clocks installed after the client was created still apply.
	random: () => Math.random(),
	now: () => Date.now(),
	logger: console as Logger,
	autoConnect: true,
	lastSeq: 0,
	tabSharing: false as TabSharing | false,
	get WebSocket(): WebSocketConstructor {
		return (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket as WebSocketConstructor;
	},
	get storage(): StorageAdapter {
		return browserStorage() ?? memoryStorage();
	}
};

type Check = [valid: (value: unknown) => boolean, requirement: string];

const isNumber = (value: unknown): value is number => typeof value === 'number' && !isNaN(value);
const isFunction = (value: unknown) => typeof value === 'function';
const isDelay = (value: unknown) => isNumber(value) && value > 0 && value <= MAX_DELAY;
const delay: Check = [isDelay, `a number of milliseconds > 0 and <= ${MAX_DELAY}`];
const flag: Check = [(value) => typeof value === 'boolean', 'a boolean'];
const fn: Check = [isFunction, 'a function'];
const hasMethods =
	(...names: string[]) =>
	(value: unknown) =>
		typeof value === 'object' &&
		value !== null &&
		names.every((name) => isFunction((value as Record<string, unknown>)[name]));

const CHECKS: Record<Exclude<keyof ConnectionOptions, 'url' | 'events'>, Check> = {
	reconnectInterval: delay,
	maxReconnectInterval: delay,
	reconnectDecay: [(value) => isNumber(value) && value >= 1 && value < Infinity, 'a number >= 1'],
	maxReconnectAttempts: [
		(value) => value === Infinity || (Number.isInteger(value) && (value as number) >= 0),
		'an integer >= 0 or Infinity'
	],
	timeoutInterval: delay,
	enableMessageQueue: flag,
	maxQueueSize: [(value) => Number.isInteger(value) && (value as number) >= 1, 'an integer >= 1'],
	queueOverflow: [
		(value) => OVERFLOW_POLICIES.includes(value as OverflowPolicy),
		`one of ${OVERFLOW_POLICIES.map((policy) => `'${policy}'`).join(', ')}`
	],
	jitter: [(value) => isNumber(value) && value >= 0 && value <= 1, 'a number between 0 and 1'],
	heartbeatInterval: delay,
	heartbeatTimeout: delay,
	maxFrameSize: [(value) => Number.isInteger(value) && (value as number) >= 1, 'an integer >= 1'],
	WebSocket: [
		isFunction,
		'a WebSocket constructor (none on globalThis here: pass one, e.g. WebSocket from the ws package)'
	],
	storage: [
		hasMethods('getItem', 'setItem', 'removeItem'),
		'an object with getItem, setItem and removeItem'
	],
	storageKey: [(value) => typeof value === 'string' && value.length > 0, 'a non-empty string'],
	random: fn,
	now: fn,
	logger: [hasMethods('warn', 'error'), 'an object with warn and error methods'],
	autoConnect: flag,
	lastSeq: [
		(value) => Number.isSafeInteger(value) && (value as number) >= 0,
		'a safe integer >= 0 (an event seq)'
	],
	tabSharing: [
		(value) => value === false || hasMethods('join')(value),
		'false or shareTabs(...) from statechart-websocket/tabs'
	]
};

const KNOWN_OPTIONS = new Set(['url', 'events', ...Object.keys(CHECKS)]);
const RESERVED_EVENT_NAMES = new Set([...SERVER_CONTROL_TYPES, ...CLIENT_CONTROL_TYPES]);

/**
 * Apply the defaults and validate. Throws a `TypeError` naming the first invalid option, e.g.
 * `TypeError: reconnectDecay must be a number >= 1`.
 */
export function resolveOptions(options: ConnectionOptions): ResolvedOptions {
	if (typeof options !== 'object' || options === null) {
		throw new TypeError('options must be an object with at least a url');
	}
	for (const name of Object.keys(options)) {
		if (!KNOWN_OPTIONS.has(name)) throw new TypeError(`${name} is not an option of the client`);
	}
	const defined = Object.fromEntries(
		Object.entries(options).filter(([, value]) => value !== undefined)
	) as ConnectionOptions;
	const url = resolveUrl(defined.url);
	const merged = { storageKey: `realtime-outbox:${url}`, ...DEFAULT_OPTIONS, ...defined, url };
	for (const [name, [valid, requirement]] of Object.entries(CHECKS)) {
		if (!valid(merged[name as keyof typeof CHECKS])) {
			throw new TypeError(`${name} must be ${requirement}`);
		}
	}
	if (merged.maxReconnectInterval < merged.reconnectInterval) {
		throw new TypeError('maxReconnectInterval must be >= reconnectInterval');
	}
	const { events, tabSharing, ...rest } = merged;
	return {
		...rest,
		tabSharing: tabSharing && tabSharing.join(url),
		eventSchemas: checkEvents(events)
	};
}

/** The WebSocket URL: absolute, with a `ws:` or `wss:` scheme. */
function resolveUrl(url: unknown): string {
	const requirement = 'url must be a ws:, wss:, http: or https: URL';
	if (typeof url !== 'string' || url.length === 0) throw new TypeError(requirement);
	let parsed: URL;
	try {
		parsed = new URL(url, (globalThis as { location?: { href: string } }).location?.href);
	} catch {
		throw new TypeError(`${requirement} (relative URLs only in a browser)`);
	}
	const scheme = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' }[
		parsed.protocol
	];
	if (!scheme) throw new TypeError(requirement);
	parsed.protocol = scheme;
	return parsed.href;
}

function checkEvents(events: unknown): EventSchemas {
	if (events === undefined) return {};
	if (typeof events !== 'object' || events === null || Array.isArray(events)) {
		throw new TypeError('events must be an object mapping event names to Standard Schemas');
	}
	for (const [name, schema] of Object.entries(events)) {
		if (RESERVED_EVENT_NAMES.has(name)) {
			throw new TypeError(`events.${name} is a control frame's type`);
		}
		if (!isStandardSchema(schema)) {
			throw new TypeError(
				`events.${name} must be a Standard Schema v1 (valibot, zod, arktype...: '~standard' with version 1 and validate)`
			);
		}
	}
	return { ...events } as EventSchemas;
}

/** Whether `value` implements Standard Schema v1 (`~standard.version` 1 and a `validate`). */
function isStandardSchema(value: unknown): boolean {
	// Schemas may be functions (arktype's are), so any object or function with the property.
	if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
	const standard = (value as { '~standard'?: { version?: unknown; validate?: unknown } })[
		'~standard'
	];
	return standard?.version === 1 && typeof standard.validate === 'function';
}
