/**
 * A real PgBouncer (Debian's `/usr/sbin/pgbouncer`) in front of a PostgreSQL server, in
 * transaction mode, as managed PostgreSQL services put one in front of theirs: each transaction
 * (or statement outside one) gets whichever server connection of the pool is free, so nothing a
 * session sets up (a prepared statement, LISTEN, SET) outlives it. Its config, pid file and log
 * live in a temporary folder of its own; it listens on a free port of 127.0.0.1 and runs in the
 * foreground as a ForegroundServer (as the `postgres` user when we are root: it refuses to run as
 * root), so nothing is left behind.
 *
 * Every database of the server is reachable through it by name, as the server URL's user, without
 * a password (`auth_type = any`): the test cluster trusts 127.0.0.1.
 */
import { chownSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ForegroundServer } from './foreground-server';
import { asClusterOwner, postgresUserIds } from './postgres';
import { freePort } from './processes';

/** Where Debian puts PgBouncer; else the one on PATH. */
export const PGBOUNCER_BINARY = existsSync('/usr/sbin/pgbouncer')
	? '/usr/sbin/pgbouncer'
	: 'pgbouncer';

export interface PgBouncerOptions {
	/** Any URL of the server (postgres://user@host:port/db): its host, port and user are used. */
	serverUrl: string;
	/** Server connections per database and user; default 2, so clients share them. */
	poolSize?: number;
}

function config(dir: string, port: number, server: URL, poolSize: number): string {
	const user = decodeURIComponent(server.username) || 'postgres';
	return `; Written by tests/support/pgbouncer.ts for one test run.
[databases]
* = host=${server.hostname} port=${server.port || 5432} user=${user}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
pidfile = ${dir}/pgbouncer.pid
logfile = ${dir}/pgbouncer.log
auth_type = any
pool_mode = transaction
default_pool_size = ${poolSize}
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 1000
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
`;
}

/** One PgBouncer in transaction mode. */
export class PgBouncer {
	readonly port: number;
	private readonly server: ForegroundServer;

	private constructor(port: number, server: ForegroundServer) {
		this.port = port;
		this.server = server;
	}

	/** Write the config, start PgBouncer and wait until it accepts connections. */
	static async start(options: PgBouncerOptions): Promise<PgBouncer> {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'career-copilot-pgbouncer-'));
		// As the postgres user it writes its log and pid file here.
		if (process.getuid?.() === 0) {
			const { uid, gid } = postgresUserIds();
			chownSync(dir, uid, gid);
		}
		const port = await freePort();
		const configFile = path.join(dir, 'pgbouncer.ini');
		writeFileSync(configFile, config(dir, port, new URL(options.serverUrl), options.poolSize ?? 2));
		const [command, args] = asClusterOwner(PGBOUNCER_BINARY, [configFile]);
		const logFile = path.join(dir, 'pgbouncer.log');
		const server = await ForegroundServer.start({
			name: 'pgbouncer',
			command,
			args,
			port,
			dir,
			logFile
		});
		return new PgBouncer(port, server);
	}

	/** The URL of `databaseUrl`'s database through this PgBouncer. */
	urlOf(databaseUrl: string): string {
		const url = new URL(databaseUrl);
		url.hostname = '127.0.0.1';
		url.port = String(this.port);
		return url.toString();
	}

	/** What PgBouncer printed and logged (attach it to a failing test). */
	log(): string {
		return this.server.log();
	}

	/** Stop PgBouncer (SIGTERM, SIGKILL after 5 s) and remove its folder. */
	stop(): Promise<void> {
		return this.server.stop();
	}
}
