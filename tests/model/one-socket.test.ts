/**
 * "One socket, never two": 200 seeded random interleavings of connect, disconnect, server closes,
 * cut connections, offline, online, page-visible, retry-now and server modes, run on the real
 * client and the real control server in a child process (tests/support/one-socket-scenario.ts).
 * It checks, per interleaving, that no two sockets of the client were ever open or live at once
 * and that stop() left no socket and no listener; and the child must then exit by itself, which it
 * can only do if no client left a timer, a socket or a listener behind.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { ScenarioSummary } from '../support/one-socket-scenario';

const SCRIPT = fileURLToPath(new URL('../support/one-socket-scenario.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = 200;
const SEED = 20_251_125;
/** The child must have finished and exited on its own by then. */
const EXIT_WITHIN_MS = 30_000;

interface ChildResult {
	code: number | null;
	exitedByItself: boolean;
	stdout: string;
	stderr: string;
}

function runScenario(): Promise<ChildResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, String(RUNS), String(SEED)], {
			cwd: ROOT,
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		let exitedByItself = true;
		const deadline = setTimeout(() => {
			exitedByItself = false;
			child.kill('SIGKILL');
		}, EXIT_WITHIN_MS);
		child.on('error', reject);
		child.on('close', (code) => {
			clearTimeout(deadline);
			resolve({ code, exitedByItself, stdout, stderr });
		});
	});
}

it(
	`${RUNS} random interleavings never open two sockets and leave nothing behind after stop()`,
	async () => {
		const result = await runScenario();
		const detail = `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
		expect(
			result.exitedByItself,
			`the child did not exit within ${EXIT_WITHIN_MS} ms\n${detail}`
		).toBe(true);
		const summary = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as ScenarioSummary;
		expect(summary.failure, detail).toBeNull();
		expect(summary).toMatchObject({ runs: RUNS, seed: SEED, listenersLeft: 0, socketsLeft: 0 });
		expect(result.code, detail).toBe(0);
	},
	EXIT_WITHIN_MS + 10_000
);
