/**
 * A system server program (nginx, PgBouncer) run for one test: in the foreground, in its own
 * process group, with its config, pid file and log in a temporary folder of its own. `start()`
 * returns once it accepts connections on its port of 127.0.0.1; `stop()` and, failing that, an
 * exit hook end the whole group, and `stop()` removes the folder, so nothing is left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { waitFor } from './chaos-wait';
import { acceptsConnections, cleanUpOnExit, killGroup } from './processes';

export interface ForegroundServerOptions {
	/** What to call it in errors. */
	name: string;
	command: string;
	args: readonly string[];
	/** The port of 127.0.0.1 it listens on. */
	port: number;
	/** Its temporary folder, removed on stop. */
	dir: string;
	/** The log file it writes besides its output, read by `log()`. */
	logFile: string;
}

export class ForegroundServer {
	private child: ChildProcess | null;
	private output = '';

	private constructor(
		private readonly options: ForegroundServerOptions,
		child: ChildProcess
	) {
		this.child = child;
	}

	/** Start the program and wait (up to 10 s) until it accepts connections. */
	static async start(options: ForegroundServerOptions): Promise<ForegroundServer> {
		const child = spawn(options.command, options.args, {
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe']
		});
		const forget = cleanUpOnExit(() => killGroup(child, 'SIGKILL'));
		const server = new ForegroundServer(options, child);
		const record = (chunk: Buffer) => (server.output += chunk.toString());
		child.stdout!.on('data', record);
		child.stderr!.on('data', record);
		child.once('exit', () => {
			forget();
			server.child = null;
		});
		try {
			await waitFor(
				async () => {
					if (!server.child) throw new Error(`${options.name} exited on start:\n${server.log()}`);
					return acceptsConnections(options.port);
				},
				`${options.name} on port ${options.port}`,
				10_000,
				25
			);
		} catch (error) {
			await server.stop();
			throw error;
		}
		return server;
	}

	/** What the program printed and logged (attach it to a failing test). */
	log(): string {
		let logged = '';
		try {
			logged = readFileSync(this.options.logFile, 'utf8');
		} catch {
			// Not written yet.
		}
		return `${this.output}${logged}`;
	}

	/** Stop the program (SIGTERM, SIGKILL after 5 s) and remove its folder. */
	async stop(): Promise<void> {
		const child = this.child;
		if (child) {
			const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
			killGroup(child, 'SIGTERM');
			const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
			await exited;
			clearTimeout(timer);
		}
		rmSync(this.options.dir, { recursive: true, force: true });
	}
}
