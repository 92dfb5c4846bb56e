/**
 * Several nodes of the built server (`node build/server.js`) on one PostgreSQL database behind a
 * real nginx, as the operator runs them (see scripts/cluster.ts): every node gets the same
 * DATABASE_URL (the session-signing secret lives in it), reads the client address from
 * X-Forwarded-For (nginx appends it), and nginx spreads sockets over the nodes round robin. Nodes can be killed, stopped and
 * started again (same port, same database); with `privatePostgres` the PostgreSQL cluster is this
 * harness's own and can be restarted too. `stop()` ends everything it started, and removes it.
 */
import pg from 'pg';
import { addUsers } from './chaos-auth';
import { ServerProcess } from './chaos-server';
import { Nginx, type NginxOptions } from './nginx';
import { createDatabase, PrivatePostgres, type TestDatabase } from './postgres';
import { freePort } from './processes';

export interface ClusterOptions {
	/** How many nodes; default 3. */
	nodes?: number;
	/**
	 * The database to use (e.g. `await testDatabase()` in vitest; the caller drops it). Without one,
	 * the harness starts a private PostgreSQL cluster of its own (restartable) and removes it on stop.
	 */
	database?: TestDatabase;
	/** More environment for every node (REALTIME_*, ...). */
	env?: Record<string, string>;
	nginx?: Omit<NginxOptions, 'upstreams'>;
}

/** A user written straight into the shared database, with chaos-auth's PASSWORD. */
export interface ClusterUser {
	id: number;
	email: string;
}

export class Cluster {
	/** The nodes, in nginx's upstream order. */
	readonly nodes: ServerProcess[];
	readonly nginx: Nginx;
	readonly databaseUrl: string;
	/** The private PostgreSQL cluster, when the harness started one (restartable). */
	readonly postgres: PrivatePostgres | null;
	/** A small pool on the shared database, for the test's own reads and writes. */
	readonly db: pg.Pool;

	private constructor(parts: {
		nodes: ServerProcess[];
		nginx: Nginx;
		databaseUrl: string;
		postgres: PrivatePostgres | null;
	}) {
		this.nodes = parts.nodes;
		this.nginx = parts.nginx;
		this.databaseUrl = parts.databaseUrl;
		this.postgres = parts.postgres;
		this.db = new pg.Pool({ connectionString: parts.databaseUrl, max: 4 });
		// A PostgreSQL restart ends idle pooled connections; the pool makes new ones.
		this.db.on('error', () => {});
	}

	/**
	 * Start PostgreSQL (unless given a database), nginx in front of the nodes' ports, the first node
	 * (it migrates and seeds the database), then the others at once.
	 */
	static async start(options: ClusterOptions = {}): Promise<Cluster> {
		const count = options.nodes ?? 3;
		let postgres: PrivatePostgres | null = null;
		let databaseUrl = options.database?.url;
		let nginx: Nginx | null = null;
		const nodes: ServerProcess[] = [];
		try {
			if (!databaseUrl) {
				postgres = await PrivatePostgres.start();
				databaseUrl = (await createDatabase(postgres.adminUrl, 'cluster')).url;
			}
			const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
			nginx = await Nginx.start({ ...options.nginx, upstreams: ports });
			const env = {
				DATABASE_URL: databaseUrl,
				ADDRESS_HEADER: 'X-Forwarded-For',
				XFF_DEPTH: '1',
				...options.env
			};
			nodes.push(await ServerProcess.start({ port: ports[0], env }));
			nodes.push(
				...(await Promise.all(ports.slice(1).map((port) => ServerProcess.start({ port, env }))))
			);
			return new Cluster({ nodes, nginx, databaseUrl, postgres });
		} catch (error) {
			await Promise.allSettled(nodes.map((node) => node.stop()));
			await nginx?.stop();
			await postgres?.stop();
			throw error;
		}
	}

	/** `http://127.0.0.1:<nginx>`: where users load the app. */
	get origin(): string {
		return this.nginx.origin;
	}

	/** `ws://127.0.0.1:<nginx>/ws` */
	get wsUrl(): string {
		return this.nginx.wsUrl;
	}

	/** Which node an `X-Upstream` value (nginx's `$upstream_addr`) names; -1 if none. */
	nodeIndexOf(upstream: string | undefined): number {
		const port = Number(upstream?.split(',').at(-1)?.trim().split(':').at(-1));
		return this.nodes.findIndex((node) => node.port === port);
	}

	/** The nodes that are up. */
	running(): ServerProcess[] {
		return this.nodes.filter((node) => node.running);
	}

	/**
	 * Add `count` users (`<prefix>-<n>@example.com`, password chaos-auth's PASSWORD) with skills that
	 * match the jobs the simulate page posts; returns their ids and emails.
	 */
	addUsers(count: number, prefix = 'cluster'): Promise<ClusterUser[]> {
		return addUsers({ engine: 'postgres', url: this.databaseUrl }, count, prefix);
	}

	/** Everything the nodes printed, PostgreSQL's log and nginx's (attach to a failing test). */
	logs(): string {
		return [
			...this.nodes.map(
				(node, i) => `--- node ${i} (port ${node.port})\n${node.stdout}${node.stderr}`
			),
			`--- nginx\n${this.nginx.log()}`,
			this.postgres ? `--- postgres\n${this.postgres.log()}` : ''
		].join('\n');
	}

	/** Stop the nodes, nginx and (when it is ours) PostgreSQL; remove what was created. */
	async stop(): Promise<void> {
		await this.db.end().catch(() => {});
		await Promise.allSettled(this.nodes.map((node) => node.stop()));
		await this.nginx.stop();
		if (this.postgres) await this.postgres.stop();
	}
}
