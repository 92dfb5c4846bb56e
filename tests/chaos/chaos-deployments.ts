/**
 * What a chaos run runs against, behind one interface: a single node on a SQLite file, or three
 * nodes on one PostgreSQL database behind nginx. The run (chaos-run.ts) drives clients, load and
 * faults the same way on both; a deployment says where sockets go, which node takes a request,
 * how a node (or PostgreSQL) fails, and reads the ground truth (the event log, recorded message
 * ids, read notifications) from its database.
 */
import Database from 'better-sqlite3';
import { addUsers, sessionCookie } from '../support/chaos-auth';
import { ServerProcess, type Exit } from '../support/chaos-server';
import { Cluster } from '../support/cluster';
import { pick } from '../support/chaos-random';

export interface ChaosUser {
	id: number;
	email: string;
}

/** What the database says about client messages and notifications at the end of a run. */
export interface MessageTruth {
	/** How many times each (user, message id) is recorded in client_messages. */
	recorded(userId: number, messageId: string): number;
	/** Notification ids of the user that are read. */
	read(userId: number): ReadonlySet<string>;
}

export interface ChaosDeployment {
	/** For the report: 'single node (SQLite)' or '3 nodes (PostgreSQL, nginx)'. */
	readonly name: string;
	/** Where the fault proxy forwards the clients' sockets (the node, or nginx). */
	readonly target: { port: number };
	/** Where users sign in (through the proxy in front of the nodes, if any). */
	readonly loginOrigin: string;
	/** Every server process, for exits and stderr. */
	readonly nodes: readonly ServerProcess[];
	/** Faults only this deployment has, injected with `injectExtra`. */
	readonly extraFaults: readonly string[];
	/** A running node to send a request to; undefined while none is (or the database is down). */
	pickNode(random: () => number): ServerProcess | undefined;
	/**
	 * Incremented whenever something a request needs goes down (a node, PostgreSQL): a request that
	 * saw it change was refused "while down", not failed.
	 */
	readonly outages: number;
	/** Whether a line a node wrote at `at` (ms) was written while PostgreSQL was down or recovering. */
	duringDatabaseOutage(at: number): boolean;
	/** Create users (each with two applications) and return them. */
	addUsers(count: number): Promise<ChaosUser[]>;
	/** Application ids of a user (for status moves). */
	applicationIds(userId: number): Promise<number[]>;
	/** Log rows of a user after `seq`, in seq order. */
	eventsAfter(userId: number, seq: number): Promise<{ seq: number; id: string }[]>;
	messageTruth(userIds: number[]): Promise<MessageTruth>;
	/** kill -9 or SIGTERM a node, wait `downMs`, start it again. */
	restartNode(how: 'kill9' | 'sigterm', random: () => number, downMs: number): Promise<Exit>;
	/** SIGSTOP a node for `ms`, then SIGCONT. */
	freezeNode(random: () => number, ms: number): Promise<void>;
	injectExtra(fault: string, random: () => number): Promise<void>;
	/** Start every node (and the database) that is down. */
	heal(): Promise<void>;
	stop(): Promise<void>;
}

export interface DeploymentOptions {
	serverEnv: Record<string, string>;
	log: (line: string) => void;
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Everything but the database: which node, restarts and freezes over a list of nodes. */
abstract class NodesDeployment {
	outages = 0;
	abstract readonly nodes: readonly ServerProcess[];

	pickNode(random: () => number): ServerProcess | undefined {
		const up = this.nodes.filter((node) => node.running);
		return up.length && this.databaseUp() ? pick(random, up) : undefined;
	}

	protected databaseUp(): boolean {
		return true;
	}

	async restartNode(how: 'kill9' | 'sigterm', random: () => number, downMs: number) {
		const up = this.nodes.filter((node) => node.running);
		const node = pick(random, up.length ? up : [...this.nodes]);
		this.outages++;
		const exit = how === 'kill9' ? await node.kill9() : await node.sigterm();
		await sleep(downMs);
		await node.start();
		return exit;
	}

	async freezeNode(random: () => number, ms: number): Promise<void> {
		const node = pick(random, [...this.nodes]);
		this.outages++;
		node.freeze();
		await sleep(ms);
		node.thaw();
	}

	async heal(): Promise<void> {
		await Promise.all(this.nodes.filter((node) => !node.running).map((node) => node.start()));
	}
}

/** One node of the built server on a temporary SQLite file. */
class SingleNode extends NodesDeployment implements ChaosDeployment {
	readonly name = 'single node (SQLite)';
	readonly extraFaults = [];
	readonly nodes: ServerProcess[];
	readonly #truth: Database.Database;

	constructor(readonly server: ServerProcess) {
		super();
		this.nodes = [server];
		this.#truth = new Database(server.databasePath, { readonly: true, fileMustExist: true });
	}

	get target() {
		return { port: this.server.port };
	}

	get loginOrigin() {
		return this.server.origin;
	}

	duringDatabaseOutage(): boolean {
		return false;
	}

	async addUsers(count: number): Promise<ChaosUser[]> {
		const users = await addUsers(this.server.databasePath, count);
		const writer = new Database(this.server.databasePath);
		try {
			writer.pragma('busy_timeout = 5000');
			const jobIds = writer.prepare('SELECT id FROM jobs ORDER BY id LIMIT 2').pluck().all();
			const add = writer.prepare(
				"INSERT INTO applications (user_id, job_id, status, created_at, updated_at) VALUES (?, ?, 'saved', ?, ?)"
			);
			const now = new Date().toISOString();
			for (const user of users) for (const jobId of jobIds) add.run(user.id, jobId, now, now);
		} finally {
			writer.close();
		}
		return users;
	}

	async applicationIds(userId: number): Promise<number[]> {
		return this.#truth
			.prepare<[number], number>('SELECT id FROM applications WHERE user_id = ?')
			.pluck()
			.all(userId);
	}

	async eventsAfter(userId: number, seq: number) {
		return this.#truth
			.prepare<[number, number], { seq: number; id: string }>(
				'SELECT seq, id FROM event_log WHERE user_id = ? AND seq > ? ORDER BY seq'
			)
			.all(userId, seq);
	}

	async messageTruth(userIds: number[]): Promise<MessageTruth> {
		const rows = this.#truth
			.prepare<[], { user_id: number; id: string }>('SELECT user_id, id FROM client_messages')
			.all();
		const readRows = this.#truth
			.prepare<[], { user_id: number; id: string }>(
				'SELECT user_id, id FROM notifications WHERE read = 1'
			)
			.all();
		return truthFrom(userIds, rows, readRows);
	}

	async injectExtra(): Promise<void> {}

	async stop(): Promise<void> {
		this.#truth.close();
		await this.server.stop();
	}
}

function truthFrom(
	userIds: number[],
	recordedRows: { user_id: number; id: string }[],
	readRows: { user_id: number; id: string }[]
): MessageTruth {
	const recorded = new Map<string, number>();
	for (const row of recordedRows) {
		const key = `${row.user_id}/${row.id}`;
		recorded.set(key, (recorded.get(key) ?? 0) + 1);
	}
	const read = new Map<number, Set<string>>(userIds.map((id) => [id, new Set()]));
	for (const row of readRows) read.get(Number(row.user_id))?.add(String(row.id));
	return {
		recorded: (userId, messageId) => recorded.get(`${userId}/${messageId}`) ?? 0,
		read: (userId) => read.get(userId) ?? new Set()
	};
}

/** How long after PostgreSQL is back its clients may still log the outage. */
const DATABASE_RECOVERY_MS = 5_000;

/** Three nodes on one PostgreSQL (this run's own cluster, restartable) behind nginx. */
class ThreeNodes extends NodesDeployment implements ChaosDeployment {
	readonly name = '3 nodes (PostgreSQL, nginx)';
	readonly extraFaults = ['postgres-restart'] as const;
	readonly nodes: ServerProcess[];
	/** [down at, up again at] of every PostgreSQL outage. */
	readonly #databaseOutages: [number, number][] = [];

	constructor(
		readonly cluster: Cluster,
		private readonly log: (line: string) => void
	) {
		super();
		this.nodes = cluster.nodes;
	}

	get target() {
		return { port: this.cluster.nginx.port };
	}

	get loginOrigin() {
		return this.cluster.origin;
	}

	protected databaseUp(): boolean {
		return this.cluster.postgres!.running;
	}

	duringDatabaseOutage(at: number): boolean {
		return this.#databaseOutages.some(
			([down, up]) => at >= down && at <= (up || Number.POSITIVE_INFINITY) + DATABASE_RECOVERY_MS
		);
	}

	async addUsers(count: number): Promise<ChaosUser[]> {
		const users = await this.cluster.addUsers(count, 'chaos');
		const { rows } = await this.cluster.db.query<{ id: number }>(
			'SELECT id FROM jobs ORDER BY id LIMIT 2'
		);
		const now = new Date().toISOString();
		for (const user of users) {
			for (const job of rows) {
				await this.cluster.db.query(
					"INSERT INTO applications (user_id, job_id, status, created_at, updated_at) VALUES ($1, $2, 'saved', $3, $4)",
					[user.id, job.id, now, now]
				);
			}
		}
		return users;
	}

	async applicationIds(userId: number): Promise<number[]> {
		const { rows } = await this.cluster.db.query<{ id: number }>(
			'SELECT id FROM applications WHERE user_id = $1',
			[userId]
		);
		return rows.map((row) => Number(row.id));
	}

	async eventsAfter(userId: number, seq: number) {
		const { rows } = await this.cluster.db.query<{ seq: number; id: string }>(
			'SELECT seq, id FROM event_log WHERE user_id = $1 AND seq > $2 ORDER BY seq',
			[userId, seq]
		);
		return rows.map((row) => ({ seq: Number(row.seq), id: row.id }));
	}

	async messageTruth(userIds: number[]): Promise<MessageTruth> {
		const recorded = await this.cluster.db.query<{ user_id: number; id: string }>(
			'SELECT user_id, id FROM client_messages WHERE user_id = ANY($1)',
			[userIds]
		);
		const read = await this.cluster.db.query<{ user_id: number; id: string }>(
			'SELECT user_id, id FROM notifications WHERE read = 1 AND user_id = ANY($1)',
			[userIds]
		);
		return truthFrom(userIds, recorded.rows, read.rows);
	}

	async injectExtra(fault: string, random: () => number): Promise<void> {
		if (fault !== 'postgres-restart') throw new Error(`unknown fault ${fault}`);
		const postgres = this.cluster.postgres!;
		// Half of them a crash (recovery on start), half a clean restart; down for 0.2-1.7 s.
		const mode = random() < 0.5 ? 'immediate' : 'fast';
		const outage: [number, number] = [Date.now(), 0];
		this.#databaseOutages.push(outage);
		this.outages++;
		await postgres.down(mode);
		await sleep(200 + random() * 1500);
		await postgres.startServer();
		outage[1] = Date.now();
		this.log(`[chaos] postgres ${mode} restart: down ${outage[1] - outage[0]} ms`);
	}

	async heal(): Promise<void> {
		if (!this.cluster.postgres!.running) await this.cluster.postgres!.startServer();
		await super.heal();
	}

	async stop(): Promise<void> {
		await this.cluster.stop();
	}
}

/** Start the deployment a run asked for. */
export async function startDeployment(
	kind: 'single' | 'cluster',
	options: DeploymentOptions
): Promise<ChaosDeployment> {
	if (kind === 'single') {
		return new SingleNode(await ServerProcess.start({ env: options.serverEnv }));
	}
	return new ThreeNodes(await Cluster.start({ nodes: 3, env: options.serverEnv }), options.log);
}

/** The `session=…` cookie of a user, signed in through the deployment's login origin. */
export function signIn(deployment: ChaosDeployment, email: string): Promise<string> {
	return sessionCookie(deployment.loginOrigin, email);
}
