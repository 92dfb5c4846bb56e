/**
 * The built production server (`node build/server.js`) as a child process for the browser tests:
 * a fresh SQLite file (seeded with the demo users on first start), a free port on 127.0.0.1 and
 * SIMULATE=true. A server can be stopped (SIGTERM, as an operator would) and started again on the
 * same port and database, and a second one can share the database. Every process runs in its own
 * process group and is killed when the test process exits, so a failing test leaves none behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HubStats } from '../../src/lib/server/realtime/hub';
import { copyBuild, freePort, killGroup } from './processes';

/** Where global setup puts its private copy of build/ (so a rebuild mid-run cannot break it). */
export const BUILD_DIR_ENV = 'E2E_BUILD_DIR';

/** How long a server may take to print "Listening on" or to exit after SIGTERM. */
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

const running = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of running) killGroup(child, 'SIGKILL');
});

/** Copy build/ for the browser tests' servers (see copyBuild). */
export function copyE2EBuild(from = 'build'): string {
	return copyBuild(from, 'career-copilot-e2e');
}

export interface ServerOptions {
	/** SQLite file; default app.db in a fresh temporary directory (removed by `dispose`). */
	databasePath?: string;
	/** Default: a free port. */
	port?: number;
	/** More environment for the process, e.g. REALTIME_RETAINED_EVENTS. */
	env?: Record<string, string>;
}

/** One production server: its URL, database and output; start/stop keep port and database. */
export class E2EServer {
	readonly url: string;
	/** Everything the process printed, across restarts (attached to failing tests). */
	output = '';
	#child: ChildProcess | null = null;
	#exited: Promise<void> = Promise.resolve();
	#statsRequests = 0;

	private constructor(
		readonly port: number,
		readonly databasePath: string,
		private readonly tempDir: string | null,
		private readonly env: Record<string, string>
	) {
		this.url = `http://127.0.0.1:${port}`;
	}

	/** Start a server and wait until it listens. */
	static async start(options: ServerOptions = {}): Promise<E2EServer> {
		const tempDir = options.databasePath
			? null
			: mkdtempSync(path.join(os.tmpdir(), 'career-copilot-e2e-'));
		const server = new E2EServer(
			options.port ?? (await freePort()),
			options.databasePath ?? path.join(tempDir!, 'app.db'),
			tempDir,
			options.env ?? {}
		);
		try {
			await server.start();
		} catch (error) {
			await server.dispose();
			throw error;
		}
		return server;
	}

	get running(): boolean {
		return this.#child !== null;
	}

	/** (Re)start the process on the same port and database; resolves once it listens. */
	async start(): Promise<void> {
		if (this.#child) throw new Error(`server on port ${this.port} is already running`);
		const buildDir = process.env[BUILD_DIR_ENV] ?? 'build';
		const child = spawn(process.execPath, [path.join(buildDir, 'server.js')], {
			detached: true,
			// The IPC channel serves hubStats() (server/index.ts answers on it only when asked to).
			stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
			env: {
				...process.env,
				...this.env,
				PORT: String(this.port),
				HOST: '127.0.0.1',
				DATABASE_PATH: this.databasePath,
				SIMULATE: 'true',
				REALTIME_STATS_IPC: 'true'
			}
		});
		this.#child = child;
		running.add(child);
		this.#exited = new Promise((resolve) => {
			child.once('exit', (code, signal) => {
				this.output += `[exit code=${code} signal=${signal}]\n`;
				running.delete(child);
				if (this.#child === child) this.#child = null;
				resolve();
			});
		});
		const listening = new Promise<void>((resolve, reject) => {
			const timer = setTimeout(
				() => reject(new Error(`server did not listen within ${START_TIMEOUT_MS} ms`)),
				START_TIMEOUT_MS
			);
			const onData = (chunk: Buffer) => {
				this.output += chunk.toString();
				if (this.output.includes(`Listening on ${this.url}`)) {
					clearTimeout(timer);
					resolve();
				}
			};
			child.stdout!.on('data', onData);
			child.stderr!.on('data', onData);
			void this.#exited.then(() => {
				clearTimeout(timer);
				reject(new Error(`server exited before listening:\n${this.output}`));
			});
		});
		try {
			await listening;
		} catch (error) {
			await this.stop();
			throw error;
		}
	}

	/**
	 * The hub's counters as the server counts them (sockets held now, the most one user held at
	 * once), read over the child's IPC channel, which nothing but this process can reach.
	 */
	async hubStats(): Promise<HubStats> {
		const child = this.#child;
		if (!child) throw new Error(`server on port ${this.port} is not running`);
		const id = ++this.#statsRequests;
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				child.off('message', onMessage);
				reject(new Error('the server did not answer hub-stats within 5 s'));
			}, 5_000);
			const onMessage = (message: { type?: string; id?: number; stats?: HubStats }) => {
				if (message?.type !== 'hub-stats' || message.id !== id || !message.stats) return;
				clearTimeout(timer);
				child.off('message', onMessage);
				resolve(message.stats);
			};
			child.on('message', onMessage);
			child.send({ type: 'hub-stats', id });
		});
	}

	/** SIGTERM and wait for the exit (SIGKILL if it hangs). */
	async stop(): Promise<void> {
		const child = this.#child;
		if (!child) return;
		killGroup(child, 'SIGTERM');
		const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_TIMEOUT_MS);
		await this.#exited;
		clearTimeout(timer);
	}

	/** Stop and remove the temporary database directory, if this server made one. */
	async dispose(): Promise<void> {
		await this.stop();
		if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
	}
}
