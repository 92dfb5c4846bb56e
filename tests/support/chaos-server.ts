/**
 * The production server (`node build/server.js`) as a child process the chaos, security and soak
 * suites can start, kill -9, SIGTERM and restart on the same SQLite file and port. Every process is
 * started in its own process group and killed (group-wide) on stop and when the test process exits,
 * so a failing test never leaves a server behind. The server runs from a private copy of build/,
 * so a rebuild in the working tree during a long run cannot pull the files away under it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from './chaos-wait';
import { cleanUpOnExit, copyBuild, freePort, killGroup } from './processes';

export interface ServerOptions {
	/** SQLite file; default a fresh temp dir's app.db. Kept across restarts. */
	databasePath?: string;
	/** Port; default a free ephemeral port, kept across restarts. */
	port?: number;
	/** SIMULATE env; default 'true' (the /simulate actions emit events). */
	simulate?: boolean;
	/** Extra env for the server process. */
	env?: Record<string, string>;
	/** Extra node flags, e.g. ['--expose-gc']. */
	nodeArgs?: string[];
	/** The built app directory to run (a private copy is made of it); default build. */
	buildDir?: string;
}

/** How one run of the process ended. */
export interface Exit {
	code: number | null;
	signal: NodeJS.Signals | null;
}

/** Text written to stderr that means a process hit an error it did not handle. */
export const CRASH_PATTERN =
	/unhandled ?rejection|uncaught ?exception|UnhandledPromiseRejection|\bat .+:\d+:\d+\)?\s*$|^\w*Error\b/im;

/** The production server as a restartable child process. */
export class ServerProcess {
	readonly databasePath: string;
	readonly port: number;
	/** Everything the process wrote to stderr, across restarts. */
	stderr = '';
	/** The same, chunk by chunk with when it arrived (ms), to tell when a line was written. */
	readonly stderrChunks: { at: number; text: string }[] = [];
	stdout = '';
	/** How each finished run ended, in order. */
	readonly exits: Exit[] = [];
	private child: ChildProcess | null = null;
	private ready = false;
	private readonly tempDir: string | null;
	/** A private copy of the build, so a rebuild in the working tree cannot pull it away mid-run. */
	private buildCopy: string | null = null;
	private forgetBuildCopy: () => void = () => {};

	private constructor(
		private readonly options: ServerOptions,
		port: number
	) {
		this.tempDir = options.databasePath
			? null
			: mkdtempSync(path.join(os.tmpdir(), 'career-copilot-chaos-'));
		this.databasePath = options.databasePath ?? path.join(this.tempDir!, 'app.db');
		this.port = port;
	}

	/** Start a server and wait until it answers HTTP. */
	static async start(options: ServerOptions = {}): Promise<ServerProcess> {
		const server = new ServerProcess(options, options.port ?? (await freePort()));
		await server.start();
		return server;
	}

	get origin(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	get pid(): number | undefined {
		return this.child?.pid;
	}

	/** Started and answering HTTP (false while booting and after an exit). */
	get running(): boolean {
		return this.child !== null && this.ready;
	}

	/** Start (or restart) the process on the same port and database. */
	async start(): Promise<void> {
		if (this.child) throw new Error('server already running');
		const env: NodeJS.ProcessEnv = {
			...process.env,
			NODE_ENV: 'production',
			HOST: '127.0.0.1',
			PORT: String(this.port),
			DATABASE_PATH: this.databasePath,
			SIMULATE: this.options.simulate === false ? 'false' : 'true',
			...this.options.env
		};
		if (!this.buildCopy) {
			const copy = copyBuild(this.options.buildDir ?? 'build', 'career-copilot-chaos');
			this.buildCopy = copy;
			this.forgetBuildCopy = cleanUpOnExit(() => rmSync(copy, { recursive: true, force: true }));
		}
		const child = spawn(
			process.execPath,
			[...(this.options.nodeArgs ?? []), path.join(this.buildCopy, 'server.js')],
			{ env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }
		);
		this.child = child;
		// A frozen (SIGSTOP) server must be thawed before it can die.
		const forget = cleanUpOnExit(() => {
			killGroup(child, 'SIGCONT');
			killGroup(child, 'SIGKILL');
		});
		child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
		child.stderr!.on('data', (chunk: Buffer) => {
			const text = chunk.toString();
			this.stderr += text;
			this.stderrChunks.push({ at: Date.now(), text });
		});
		child.once('exit', (code, signal) => {
			forget();
			this.exits.push({ code, signal });
			if (this.child === child) {
				this.child = null;
				this.ready = false;
			}
		});
		await waitFor(
			async () => {
				if (this.child !== child) throw new Error(`server exited on start:\n${this.stderr}`);
				return this.answers();
			},
			`server on port ${this.port}`,
			30_000,
			50
		);
		this.ready = true;
	}

	/** kill -9 the process group and wait for the exit. */
	async kill9(): Promise<Exit> {
		return this.stopWith('SIGKILL');
	}

	/** SIGTERM and wait for the exit (bounded; SIGKILL after `graceMs`). */
	async sigterm(graceMs = 10_000): Promise<Exit> {
		return this.stopWith('SIGTERM', graceMs);
	}

	/** Freeze the process (SIGSTOP): sockets stay open, nothing answers, as in a long GC or VM stall. */
	freeze(): void {
		if (this.child) killGroup(this.child, 'SIGSTOP');
	}

	/** Let a frozen process run again (SIGCONT). */
	thaw(): void {
		if (this.child) killGroup(this.child, 'SIGCONT');
	}

	/** Stop the process (SIGTERM, then SIGKILL) and delete the temp database dir if we made it. */
	async stop(): Promise<void> {
		if (this.child) await this.stopWith('SIGTERM', 5_000);
		if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
		if (this.buildCopy) {
			rmSync(this.buildCopy, { recursive: true, force: true });
			this.forgetBuildCopy();
		}
	}

	private async stopWith(signal: NodeJS.Signals, graceMs = 0): Promise<Exit> {
		const child = this.child;
		if (!child) throw new Error('server not running');
		// From the signal on it is going away (a graceful stop stops listening at once).
		this.ready = false;
		// A frozen process cannot act on SIGTERM.
		killGroup(child, 'SIGCONT');
		const exited = new Promise<Exit>((resolve) =>
			child.once('exit', (code, sig) => resolve({ code, signal: sig }))
		);
		killGroup(child, signal);
		const timer =
			signal === 'SIGKILL' ? null : setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
		const exit = await exited;
		if (timer) clearTimeout(timer);
		return exit;
	}

	private async answers(): Promise<boolean> {
		try {
			const response = await fetch(`${this.origin}/login`, { redirect: 'manual' });
			await response.arrayBuffer();
			return response.status < 500;
		} catch {
			return false;
		}
	}
}
