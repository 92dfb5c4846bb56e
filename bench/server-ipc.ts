/**
 * Plumbing for the server benchmark: start a worker (server or clients) as a child process with
 * the file-descriptor limit raised to the hard limit, and ask it things over the IPC channel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A request to a worker; `id` pairs it with its reply. */
export interface Request {
	id: number;
	cmd: string;
	[key: string]: unknown;
}

export interface Worker {
	child: ChildProcess;
	/** Send a command and wait (at most `timeout` ms) for the reply with the same id. */
	ask<T>(cmd: string, args?: Record<string, unknown>, timeout?: number): Promise<T>;
	/** The first message the worker sends of its own accord (its "ready"). */
	ready: Promise<Record<string, unknown>>;
	stop(): void;
}

let nextId = 1;

/**
 * Start `file` (a .ts next to this one) under tsx with `--expose-gc`, its fd limit raised to the
 * hard limit by the shell (Node cannot raise its own), with `env` added to this process's.
 */
export function startWorker(
	file: string,
	args: string[] = [],
	env: Record<string, string> = {}
): Worker {
	const script = fileURLToPath(new URL(file, import.meta.url));
	const child = spawn(
		'/bin/sh',
		[
			'-c',
			'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"',
			process.execPath,
			'--expose-gc',
			// The app imports the package by name; run it from source, as `npm run bench` does.
			'--conditions=source',
			'--import',
			'tsx',
			script,
			...args
		],
		{ stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } }
	);
	// A worker that died is reported by `ask` (its channel is closed), not by a crash here.
	child.on('error', () => undefined);
	const pending = new Map<number, (reply: unknown) => void>();
	let onReady: (message: Record<string, unknown>) => void = () => undefined;
	const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
		onReady = resolve;
		child.once('exit', (code) =>
			reject(new Error(`${file} exited with ${code} before it was ready`))
		);
	});
	child.on('message', (message: { id?: number }) => {
		const reply = message.id === undefined ? undefined : pending.get(message.id);
		if (reply) {
			pending.delete(message.id as number);
			reply(message);
		} else {
			onReady(message as Record<string, unknown>);
		}
	});
	return {
		child,
		ready,
		ask<T>(cmd: string, extra: Record<string, unknown> = {}, timeout = 60_000): Promise<T> {
			const id = nextId++;
			return new Promise<T>((resolve, reject) => {
				if (!child.connected) return reject(new Error(`${file} is not running`));
				const timer = setTimeout(() => {
					pending.delete(id);
					reject(new Error(`${file}: no reply to ${cmd} within ${timeout} ms`));
				}, timeout);
				pending.set(id, (reply) => {
					clearTimeout(timer);
					const { error } = reply as { error?: string };
					if (error) reject(new Error(`${file}: ${cmd} failed: ${error}`));
					else resolve(reply as T);
				});
				child.send({ id, cmd, ...extra } satisfies Request);
			});
		},
		stop() {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		}
	};
}

/** In a worker: answer each request with the handler's result (or `{ error }`). */
export function serveRequests(handle: (request: Request) => Promise<object> | object): void {
	process.on('message', (request: Request) => {
		Promise.resolve()
			.then(() => handle(request))
			.then(
				(result) => process.send?.({ ...result, id: request.id }),
				(error: unknown) => process.send?.({ error: String(error), id: request.id })
			);
	});
	// The orchestrator going away (crash, Ctrl-C) must not leave a worker behind.
	process.on('disconnect', () => process.exit(0));
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export function wallClock(): number {
	return performance.timeOrigin + performance.now();
}

/** Run `garbage collection` if the worker was started with --expose-gc. */
export function collectGarbage(): void {
	(globalThis as { gc?: () => void }).gc?.();
}
