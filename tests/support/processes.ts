/**
 * What every suite that runs the built production server as a child process needs: a free port,
 * a private copy of build/, and signals sent to a whole process group (the server runs in its
 * own group, so nothing it starts can outlive a test).
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const exitCleanups = new Set<() => void>();

/**
 * Run `cleanup` (synchronous: nothing asynchronous runs at exit) if this process exits while it is
 * still registered, so a test run that fails or is cut short leaves no server, cluster or folder
 * behind. Returns the function that unregisters it, for when the thing was stopped normally.
 */
export function cleanUpOnExit(cleanup: () => void): () => void {
	if (!process.listeners('exit').includes(runExitCleanups)) process.on('exit', runExitCleanups);
	exitCleanups.add(cleanup);
	return () => exitCleanups.delete(cleanup);
}

function runExitCleanups(): void {
	for (const cleanup of exitCleanups) cleanup();
}

/** Send `signal` to the child's process group; a process that already ended is left alone. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// Already gone.
	}
}

/** A free TCP port on 127.0.0.1 (bound to 0, read, released). */
export async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

/**
 * Copy the built app under node_modules/.cache/<cacheName> (next to the project's node_modules,
 * so `ws` and `better-sqlite3` still resolve) and return the copy's directory. A rebuild in the
 * working tree during a long run then cannot pull the files away from a running server.
 */
export function copyBuild(buildDir: string, cacheName: string): string {
	for (const file of ['server.js', 'handler.js']) {
		if (!existsSync(path.join(buildDir, file))) {
			throw new Error(`${buildDir}/${file} is missing: run \`npm run build\` first`);
		}
	}
	const parent = path.resolve('node_modules/.cache', cacheName);
	mkdirSync(parent, { recursive: true });
	const copy = mkdtempSync(path.join(parent, 'build-'));
	cpSync(buildDir, copy, { recursive: true });
	return copy;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` right now. */
export function acceptsConnections(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}
