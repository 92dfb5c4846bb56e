/**
 * The server side of the app, composed once per process at start-up: the database (opened,
 * migrated, seeded), the event store with its outbox, on PostgreSQL the node's LISTEN and
 * NOTIFY connections, and the realtime hub with the app's sessions and message handlers plugged in.
 * Dependencies point one way: this module knows every part, no part knows this module.
 *
 * `serverApp()` is what the SvelteKit hooks' `init` starts; whatever serves `/ws` in the same
 * process (the Vite plugin in dev and preview, build/server.js in production) gets the same
 * instance through the hooks module's `serverApp` export.
 */
import { socketAuthenticator } from './auth';
import {
	databaseConfigFromEnv,
	openDatabase,
	sessionUrl,
	type AppDatabase,
	type DatabaseConfig
} from './db';
import { registerDomainHandlers } from './domain/handlers';
import type { DomainTransaction } from './domain/events';
import { EventStore, faultAfterCommitFromEnv } from './outbox/event-store';
import { PgListener } from './outbox/pg-listener';
import { PgNotifier } from './outbox/pg-notifier';
import { createHub, type HubOptions, type RealtimeHub } from './realtime/hub';
import { envInteger, hubOptionsFromEnv } from './realtime/options';
import { seedDemoData } from './seed';

export interface ServerApp {
	database: AppDatabase;
	store: EventStore;
	hub: RealtimeHub<DomainTransaction>;
	/** On PostgreSQL, the node's LISTEN connection. */
	listener?: PgListener;
	/** On PostgreSQL, the node's NOTIFY connection (commits are announced through it). */
	notifier?: PgNotifier;
	/** Close the hub (sockets get 1001), the LISTEN and NOTIFY connections and the database. */
	close(): Promise<void>;
}

export interface ServerAppOptions {
	database: DatabaseConfig;
	/** Seed the demo data into an empty database (the app does; tests mostly do not). */
	seed?: boolean;
	retainedEvents?: number;
	hub?: Partial<Omit<HubOptions<DomainTransaction>, 'store' | 'authenticate'>>;
	afterCommit?: () => void;
	/** The LISTEN connection's first reconnect delay (see PgListener). */
	listenRetryMs?: number;
}

/** Open and compose everything; the caller owns the result and closes it. */
export async function createServerApp(options: ServerAppOptions): Promise<ServerApp> {
	const database = await openDatabase(options.database);
	let listener: PgListener | undefined;
	// LISTEN and NOTIFY hold sessions of their own: to the server itself, past any pooler.
	const direct = options.database.engine === 'postgres' ? sessionUrl(options.database) : undefined;
	const notifier = direct ? new PgNotifier(direct) : undefined;
	try {
		if (options.seed) await seedDemoData(database.db, database.engine);
		const store = new EventStore({
			db: database.db,
			engine: database.engine,
			retainedEvents: options.retainedEvents,
			afterCommit: options.afterCommit,
			notifier
		});
		if (direct) {
			listener = new PgListener(direct, (signal) => store.receive(signal), {
				retryMinMs: options.listenRetryMs
			});
			await listener.start();
			// A node that died before notifying its last commits may be the one starting again.
			await store.announceStart();
		}
		const hub = createHub<DomainTransaction>({
			...options.hub,
			store,
			authenticate: socketAuthenticator(database.db)
		});
		registerDomainHandlers(hub);
		let closing: Promise<void> | undefined;
		return {
			database,
			store,
			hub,
			listener,
			notifier,
			close: () =>
				(closing ??= (async () => {
					await hub.close();
					await notifier?.close();
					await listener?.close();
					await database.close();
				})())
		};
	} catch (error) {
		await notifier?.close();
		await listener?.close();
		await database.close();
		throw error;
	}
}

/** The options the running app takes from its environment (see the README's settings). */
export function serverAppOptionsFromEnv(env: NodeJS.ProcessEnv): ServerAppOptions {
	return {
		database: databaseConfigFromEnv(env),
		seed: true,
		retainedEvents: envInteger(env, 'REALTIME_RETAINED_EVENTS'),
		hub: hubOptionsFromEnv(env),
		afterCommit: faultAfterCommitFromEnv(env)
	};
}

let started: Promise<ServerApp> | undefined;

/** This process's app, started from the environment on first use. */
export function serverApp(): Promise<ServerApp> {
	if (!started) {
		started = createServerApp(serverAppOptionsFromEnv(process.env));
		started.catch(() => (started = undefined));
	}
	return started;
}

/** Close this process's app if it was started (a later serverApp() starts a new one). */
export async function stopServerApp(): Promise<void> {
	const app = started;
	started = undefined;
	await (await app?.catch(() => undefined))?.close();
}
