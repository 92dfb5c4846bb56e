/**
 * `npm run cluster`: the app as three nodes of the production server (`node build/server.js`) on
 * one PostgreSQL database behind nginx, on this machine, until Ctrl-C. Open the URL it prints.
 *
 * - PostgreSQL: the server `DATABASE_URL` names, or else a private one started for the run
 *   (initdb/pg_ctl in a temporary folder; removed when the script ends).
 * - Nodes: 127.0.0.1 on PORT+1 … PORT+CLUSTER_NODES, each with the same DATABASE_URL,
 *   ADDRESS_HEADER=X-Forwarded-For and XFF_DEPTH=1 (nginx appends the client's address); any other
 *   variable you set (SESSION_SECRET, REALTIME_*, ORIGIN, SIMULATE, ...) reaches every node. The
 *   session-signing secret is otherwise made once and kept in the shared database.
 * - nginx: 127.0.0.1:PORT (default 8080), round robin over the nodes, WebSocket upgrade headers,
 *   X-Forwarded-For; its config is printed so you can copy it.
 *
 * Needs `npm run build` first (the script runs it when build/server.js is missing), and Debian's
 * `postgresql` and `nginx` packages.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Nginx } from '../tests/support/nginx';
import { createDatabase, PrivatePostgres } from '../tests/support/postgres';

const nodeCount = Number(process.env.CLUSTER_NODES ?? 3);
const port = Number(process.env.PORT ?? 8080);
if (!Number.isSafeInteger(nodeCount) || nodeCount < 1)
	throw new TypeError('CLUSTER_NODES must be a positive integer');
if (!Number.isSafeInteger(port) || port < 1 || port + nodeCount > 65535)
	throw new TypeError('PORT must be a port number');

if (!existsSync('build/server.js')) {
	console.log('[cluster] build/server.js is missing: npm run build');
	if (spawnSync('npm', ['run', 'build'], { stdio: 'inherit' }).status !== 0) process.exit(1);
}

let postgres: PrivatePostgres | null = null;
let nginx: Nginx | null = null;
const nodes: ChildProcess[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
	if (!stopping) {
		stopping = true;
		console.log('[cluster] stopping');
		// SIGTERM: each node closes its sockets with 1001 (clients go elsewhere and resume) and exits.
		await Promise.all(
			nodes.map(
				(child) =>
					new Promise<void>((resolve) => {
						if (child.exitCode !== null || child.signalCode !== null) return resolve();
						child.once('exit', () => resolve());
						child.kill('SIGTERM');
					})
			)
		);
		await nginx?.stop();
		await postgres?.stop();
	}
	process.exit(code);
}
// Ctrl-C reaches this process twice (from the terminal and relayed by tsx): stop once, ignore the
// repeat rather than die half-way through stopping (nothing would remove PostgreSQL's folder).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stopAll(0));

function waitForListening(child: ChildProcess, name: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const prefix = (chunk: Buffer) =>
			chunk
				.toString()
				.split('\n')
				.filter(Boolean)
				.map((line) => `[${name}] ${line}`)
				.join('\n');
		child.stdout!.on('data', (chunk: Buffer) => {
			console.log(prefix(chunk));
			if (chunk.toString().includes('Listening on')) resolve();
		});
		child.stderr!.on('data', (chunk: Buffer) => console.error(prefix(chunk)));
		child.once('exit', (code, signal) => {
			if (!stopping) {
				console.error(`[cluster] ${name} exited (${code ?? signal})`);
				reject(new Error(`${name} exited`));
			}
		});
	});
}

try {
	let databaseUrl = process.env.DATABASE_URL;
	if (!databaseUrl) {
		postgres = await PrivatePostgres.start({ durable: true });
		databaseUrl = (await createDatabase(postgres.adminUrl, 'cluster')).url;
		console.log(
			`[cluster] private PostgreSQL on port ${postgres.port} (removed at exit): ${databaseUrl}`
		);
	} else {
		console.log(`[cluster] PostgreSQL: DATABASE_URL`);
	}
	const ports = Array.from({ length: nodeCount }, (_, i) => port + 1 + i);
	nginx = await Nginx.start({ upstreams: ports, port });
	console.log(`[cluster] nginx config (${path.join(nginx.dir, 'nginx.conf')}):\n`);
	console.log(readFileSync(path.join(nginx.dir, 'nginx.conf'), 'utf8'));
	const env = {
		...process.env,
		NODE_ENV: 'production',
		HOST: '127.0.0.1',
		DATABASE_URL: databaseUrl,
		ADDRESS_HEADER: process.env.ADDRESS_HEADER ?? 'X-Forwarded-For',
		XFF_DEPTH: process.env.XFF_DEPTH ?? '1'
	};
	// The first node migrates and seeds the database; the others start once it listens.
	for (const [i, nodePort] of ports.entries()) {
		const child = spawn(process.execPath, ['build/server.js'], {
			env: { ...env, PORT: String(nodePort) },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		nodes.push(child);
		const listening = waitForListening(child, `node${i + 1}`);
		if (i === 0) await listening;
		else listening.catch(() => undefined);
	}
	console.log(
		`\n[cluster] ${nodeCount} nodes behind http://127.0.0.1:${port} (sign in as alex@example.com / password123). Ctrl-C stops everything.`
	);
} catch (error) {
	console.error(`[cluster] ${String(error)}`);
	await stopAll(1);
}
