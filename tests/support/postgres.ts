/**
 * PostgreSQL for tests, chaos runs and benchmarks: a fresh, uniquely named database for each
 * suite, on the server `TEST_DATABASE_URL` names when it is set, otherwise on a private cluster
 * this module starts (Debian's `postgresql` binaries, `initdb` + `pg_ctl`, in a temporary folder,
 * on a free port of 127.0.0.1, with its unix socket in that folder). As root the binaries run as the
 * `postgres` user (`runuser -u postgres`), because initdb refuses root; the folder is handed to that
 * user first.
 *
 * A private cluster is stopped and its folder removed by `stop()`, and, should a test process end
 * without calling it, by an exit hook. Only a private cluster can be restarted or taken down for a
 * while (the chaos run does both); a server named by `TEST_DATABASE_URL` is never touched beyond
 * the databases this module creates in it and drops again.
 *
 * Nothing here imports vitest: the benchmarks (tsx) use it as well. Inside vitest, use
 * `testDatabase()` from ./postgres-vitest, which shares one private cluster per run.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { cleanUpOnExit, freePort } from './processes';

/** The variable naming an existing server to create test databases in. */
export const TEST_DATABASE_URL_ENV = 'TEST_DATABASE_URL';

const execFileAsync = promisify(execFile);
const PG_ROOT = '/usr/lib/postgresql';

/**
 * The path of a PostgreSQL program: from the newest /usr/lib/postgresql/<major>/bin that has it
 * (Debian puts initdb and pg_ctl there, not on PATH), else the bare name (found on PATH).
 */
export function postgresProgram(name: 'initdb' | 'pg_ctl' | 'postgres'): string {
	if (existsSync(PG_ROOT)) {
		const majors = readdirSync(PG_ROOT)
			.filter((entry) => /^\d+$/.test(entry))
			.sort((a, b) => Number(b) - Number(a));
		for (const major of majors) {
			const candidate = path.join(PG_ROOT, major, 'bin', name);
			if (existsSync(candidate)) return candidate;
		}
	}
	return name;
}

const runningAsRoot = process.getuid?.() === 0;

/** The command line for a PostgreSQL program (or PgBouncer): as the `postgres` user when we are root. */
export function asClusterOwner(program: string, args: string[]): [string, string[]] {
	return runningAsRoot ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
}

async function runProgram(program: string, args: string[], what: string): Promise<void> {
	const [command, argv] = asClusterOwner(program, args);
	try {
		await execFileAsync(command, argv, { timeout: 60_000 });
	} catch (error) {
		const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
		throw new Error(`${what} failed: ${(error as Error).message}\n${stdout}${stderr}`, {
			cause: error
		});
	}
}

export function postgresUserIds(): { uid: number; gid: number } {
	const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
	const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
	if (uid.status !== 0 || gid.status !== 0) {
		throw new Error(
			'running as root, but there is no `postgres` user to run initdb as (apt-get install -y postgresql)'
		);
	}
	return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export interface PrivatePostgresOptions {
	/**
	 * Keep fsync and full_page_writes at their defaults, as the benchmarks need for honest figures.
	 * Default false: tests turn both off, which loses nothing when only PostgreSQL crashes or
	 * restarts (every commit is still written to the kernel before it is acknowledged), only when the
	 * whole machine does. synchronous_commit stays on either way: off, an immediate shutdown loses
	 * commits already acknowledged (the harness's own test caught that).
	 */
	durable?: boolean;
	/** max_connections; default 300 (several server nodes with pools, plus the suites' clients). */
	maxConnections?: number;
}

/** How a private cluster goes down: `fast` is a clean shutdown, `immediate` is a crash (recovery on start). */
export type ShutdownMode = 'fast' | 'immediate';

/** A PostgreSQL cluster of our own: started, restarted, taken down and removed by us. */
export class PrivatePostgres {
	/** The temporary folder (owned by the cluster's user): data/, the log and the unix socket. */
	readonly dir: string;
	readonly port: number;
	private readonly dataDir: string;
	private readonly logFile: string;
	private readonly settings: string;
	private up = false;
	/** Unregisters the exit hook that stops this cluster. */
	private forget: () => void = () => {};

	private constructor(dir: string, port: number, options: PrivatePostgresOptions) {
		this.dir = dir;
		this.port = port;
		this.dataDir = path.join(dir, 'data');
		this.logFile = path.join(dir, 'postgres.log');
		const settings = [
			`-p ${port}`,
			`-k ${dir}`,
			'-c listen_addresses=127.0.0.1',
			`-c max_connections=${options.maxConnections ?? 300}`
		];
		if (!options.durable) {
			settings.push('-c fsync=off', '-c full_page_writes=off');
		}
		this.settings = settings.join(' ');
	}

	/** initdb a new cluster in a temporary folder and start it on a free port. */
	static async start(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'career-copilot-pg-'));
		if (runningAsRoot) {
			const { uid, gid } = postgresUserIds();
			chownSync(dir, uid, gid);
		}
		const cluster = new PrivatePostgres(dir, await freePort(), options);
		cluster.forget = cleanUpOnExit(() => cluster.stopSync());
		try {
			await runProgram(
				postgresProgram('initdb'),
				[
					'-D',
					cluster.dataDir,
					'-U',
					'postgres',
					'--auth=trust',
					'--no-sync',
					'--encoding=UTF8',
					'--locale=C'
				],
				'initdb'
			);
			await cluster.startServer();
		} catch (error) {
			await cluster.stop();
			throw error;
		}
		return cluster;
	}

	/** The URL of the cluster's `postgres` database, as the superuser `postgres` (trust auth). */
	get adminUrl(): string {
		return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
	}

	/** Whether the server is running (false after `down()` until `start()`). */
	get running(): boolean {
		return this.up;
	}

	/** The server's log so far (attach it to a failing test). */
	log(): string {
		try {
			return readFileSync(this.logFile, 'utf8');
		} catch {
			return '';
		}
	}

	/** Start the server again after `down()` (same port, same data); waits until it accepts connections. */
	async startServer(): Promise<void> {
		await runProgram(
			postgresProgram('pg_ctl'),
			['-D', this.dataDir, '-l', this.logFile, '-o', this.settings, '-w', '-t', '60', 'start'],
			`pg_ctl start (log: ${this.logFile})`
		);
		this.up = true;
	}

	/** Take the server down (`immediate` = as if it crashed); every connection to it breaks. */
	async down(mode: ShutdownMode = 'fast'): Promise<void> {
		if (!this.up) return;
		this.up = false;
		await runProgram(
			postgresProgram('pg_ctl'),
			['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop'],
			'pg_ctl stop'
		);
	}

	/** Down, then up again on the same port and data. */
	async restart(mode: ShutdownMode = 'fast'): Promise<void> {
		await this.down(mode);
		await this.startServer();
	}

	/** Stop the server (as a crash: nothing here needs a clean shutdown) and remove the folder. */
	async stop(): Promise<void> {
		try {
			await this.down('immediate');
		} finally {
			rmSync(this.dir, { recursive: true, force: true });
			this.forget();
		}
	}

	/** `stop()` for an exit hook, where nothing asynchronous runs any more. */
	stopSync(): void {
		if (this.up) {
			const [command, argv] = asClusterOwner(postgresProgram('pg_ctl'), [
				'-D',
				this.dataDir,
				'-m',
				'immediate',
				'-w',
				'stop'
			]);
			spawnSync(command, argv, { stdio: 'ignore', timeout: 30_000 });
			this.up = false;
		}
		rmSync(this.dir, { recursive: true, force: true });
		this.forget();
	}
}

/** A database of its own for one suite; `drop()` removes it (and its private cluster, if it has one). */
export interface TestDatabase {
	/** postgres://… of the database, for DATABASE_URL. */
	readonly url: string;
	readonly name: string;
	/** Drop the database, ending any connection still open to it. */
	drop(): Promise<void>;
}

function quoteIdentifier(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

async function withAdmin<T>(adminUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({ connectionString: adminUrl });
	await client.connect();
	try {
		return await use(client);
	} finally {
		await client.end();
	}
}

/**
 * Create a uniquely named database on the server `adminUrl` points at (any database of it that the
 * user may connect to) and return its URL. The name carries the process id and random bits, so
 * suites running at once never share one.
 */
export async function createDatabase(adminUrl: string, prefix = 'test'): Promise<TestDatabase> {
	const name = `${prefix}_${process.pid}_${randomBytes(6).toString('hex')}`.toLowerCase();
	await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		name,
		drop: async () => {
			await withAdmin(adminUrl, async (client) => {
				await waitForSessionsToEnd(client, name);
				await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
			});
		}
	};
}

/**
 * pg's `Pool.end()` resolves once it has asked its connections to close, before the server has
 * seen them go. Dropping WITH (FORCE) at that moment terminates them mid-goodbye, and the FATAL
 * (57P01) each then receives lands on a client no pool listens to any more: an uncaught exception
 * in whichever suite runs next. So the database's sessions get a bounded moment to end by
 * themselves; FORCE ends only what is still there after it (a connection a suite left open).
 */
async function waitForSessionsToEnd(
	client: pg.Client,
	database: string,
	timeoutMs = 2_000
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { rows } = await client.query<{ sessions: number }>(
			'select count(*)::int as sessions from pg_stat_activity where datname = $1',
			[database]
		);
		if (rows[0].sessions === 0 || Date.now() > deadline) return;
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/**
 * A fresh database: in the server `TEST_DATABASE_URL` names when it is set, else in the cluster
 * `sharedAdminUrl` points at (one started for the whole run), else in a private cluster started
 * for this database alone and removed with it.
 */
export async function createTestDatabase(sharedAdminUrl?: string): Promise<TestDatabase> {
	const external = process.env[TEST_DATABASE_URL_ENV];
	if (external) return createDatabase(external);
	if (sharedAdminUrl) return createDatabase(sharedAdminUrl);
	const cluster = await PrivatePostgres.start();
	try {
		const database = await createDatabase(cluster.adminUrl);
		return { ...database, drop: () => cluster.stop() };
	} catch (error) {
		await cluster.stop();
		throw error;
	}
}
