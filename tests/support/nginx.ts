/**
 * A real nginx (Debian's `/usr/sbin/nginx`) in front of server nodes, as the operator runs it:
 * an upstream of the nodes, the WebSocket upgrade headers, `X-Forwarded-For` with the client's
 * address appended, and long read timeouts for idle sockets. The config, pid file, logs and
 * temporary folders live in a temporary folder of the test's own, nginx listens on a free port of
 * 127.0.0.1 and runs in the foreground (`daemon off`) as a ForegroundServer: nothing is left behind.
 *
 * Each proxied response carries `X-Upstream` (the node's address), so a test can tell which node
 * a socket reached.
 */
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ForegroundServer } from './foreground-server';
import { freePort } from './processes';

/** Where Debian puts nginx; else the one on PATH. */
export const NGINX_BINARY = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';

export interface NginxOptions {
	/** Ports of the nodes on 127.0.0.1, in upstream order. */
	upstreams: readonly number[];
	/** The port nginx listens on (127.0.0.1); default a free one. */
	port?: number;
	/** How nginx spreads connections; default round robin (consecutive sockets go to different nodes). */
	balance?: 'round-robin' | 'least_conn';
	/** Worker processes; default 1. */
	workers?: number;
	/** Connections per worker (each proxied socket takes two); default 4096. */
	workerConnections?: number;
	/**
	 * Pass the browser's Host on to the nodes (default true). False: nodes see `Host: nodes` (the
	 * upstream's name), as behind a proxy that is not configured to pass it.
	 */
	passHost?: boolean;
}

function config(dir: string, port: number, options: NginxOptions): string {
	const workerConnections = options.workerConnections ?? 4096;
	const servers = options.upstreams
		// max_fails=0: a node that is down is skipped per attempt (proxy_next_upstream), never
		// marked down for fail_timeout, so a restarted node gets sockets again at once.
		.map((upstreamPort) => `\t\tserver 127.0.0.1:${upstreamPort} max_fails=0;`)
		.join('\n');
	return `# Written by tests/support/nginx.ts for one test run.
daemon off;
worker_processes ${options.workers ?? 1};
worker_rlimit_nofile ${workerConnections * 2 + 64};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
${process.getuid?.() === 0 ? 'user nobody nogroup;\n' : ''}
events {
	worker_connections ${workerConnections};
}

http {
	access_log off;
	client_body_temp_path ${dir}/client_body;
	proxy_temp_path ${dir}/proxy;
	fastcgi_temp_path ${dir}/fastcgi;
	uwsgi_temp_path ${dir}/uwsgi;
	scgi_temp_path ${dir}/scgi;

	map $http_upgrade $connection_upgrade {
		default upgrade;
		'' close;
	}

	upstream nodes {
		${options.balance === 'least_conn' ? 'least_conn;' : ''}
${servers}
	}

	server {
		listen 127.0.0.1:${port};

		location / {
			proxy_pass http://nodes;
			proxy_http_version 1.1;
			proxy_set_header Upgrade $http_upgrade;
			proxy_set_header Connection $connection_upgrade;
${options.passHost === false ? '' : '\t\t\tproxy_set_header Host $http_host;\n'}			proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
			proxy_set_header X-Forwarded-Proto $scheme;
			# A node that refuses the connection is skipped for the next one.
			proxy_connect_timeout 2s;
			proxy_next_upstream error timeout;
			# Idle sockets stay open: the server's own heartbeat decides when one is dead.
			proxy_read_timeout 1h;
			proxy_send_timeout 1h;
			proxy_buffering off;
			add_header X-Upstream $upstream_addr always;
		}
	}
}
`;
}

/** One nginx load balancer in front of the given nodes. */
export class Nginx {
	readonly port: number;
	readonly dir: string;
	private readonly server: ForegroundServer;

	private constructor(port: number, dir: string, server: ForegroundServer) {
		this.port = port;
		this.dir = dir;
		this.server = server;
	}

	/** Write the config, start nginx and wait until it accepts connections. */
	static async start(options: NginxOptions): Promise<Nginx> {
		if (options.upstreams.length === 0) throw new Error('nginx needs at least one upstream');
		const dir = mkdtempSync(path.join(os.tmpdir(), 'career-copilot-nginx-'));
		// Workers run as nobody when we are root: they must reach the temporary folders.
		chmodSync(dir, 0o755);
		const port = options.port ?? (await freePort());
		const configFile = path.join(dir, 'nginx.conf');
		writeFileSync(configFile, config(dir, port, options));
		const logFile = path.join(dir, 'error.log');
		const server = await ForegroundServer.start({
			name: 'nginx',
			command: NGINX_BINARY,
			args: ['-p', dir, '-c', configFile, '-e', logFile],
			port,
			dir,
			logFile
		});
		return new Nginx(port, dir, server);
	}

	/** `http://127.0.0.1:<port>`: the origin the app is served from through the proxy. */
	get origin(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** `ws://127.0.0.1:<port>/ws` */
	get wsUrl(): string {
		return `ws://127.0.0.1:${this.port}/ws`;
	}

	/** What nginx printed and logged (attach it to a failing test). */
	log(): string {
		return this.server.log();
	}

	/** Stop nginx (SIGTERM, SIGKILL after 5 s) and remove its folder. */
	stop(): Promise<void> {
		return this.server.stop();
	}
}
