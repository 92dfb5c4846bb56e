/**
 * Server benchmark (`npm run bench`, or alone: `npx tsx bench/server.ts`). Not a test: it prints
 * figures, targets and whether each is met.
 *
 * A hub worker process (bench/server-hub.ts) serves /ws on 127.0.0.1; two client worker
 * processes (bench/server-clients.ts) hold the sockets. Each worker's file-descriptor limit is
 * raised to the hard limit by its shell (`ulimit -n`); with a hard limit too low for the target
 * the run uses as many sockets as fit and says so.
 * - idle connections held through three heartbeats (target 10,000);
 * - resident memory per idle connection: hub RSS delta / sockets, after GC (target <= 30 KB);
 * - one event fanned out to all of them, p50/p99 delivery latency over 5 rounds after a warm-up
 *   round (target p99 <= 250 ms), next to the same at 1,000 sockets as the baseline;
 * - replay of 1,000 missed events after `resume`, from sending resume to the last event in
 *   (median of 5 after a warm-up; target <= 100 ms).
 * Bounded: everything stops after RUN_TIMEOUT_MS whatever happens.
 */
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import { startWorker, type Worker } from './server-ipc';

const TARGET_SOCKETS = 10_000;
const BASELINE_SOCKETS = 1_000;
const HEARTBEAT_MS = 3_000;
const HEARTBEATS_HELD = 3;
const FANOUT_ROUNDS = 5;
const BASELINE_ROUNDS = 3;
const REPLAY_EVENTS = 1_000;
const REPLAY_TRIALS = 5;
const CONNECT_CONCURRENCY = 100;
/** Two client processes share the receiving work (one alone becomes the bottleneck). */
const CLIENT_PROCESSES = 2;
const ROUND_TIMEOUT_MS = 10_000;
const RUN_TIMEOUT_MS = 180_000;
/** Descriptors a process needs besides its sockets (stdio, IPC, SQLite, libuv). */
const FD_HEADROOM = 200;

const TARGET_RSS_PER_SOCKET = 30 * 1024;
const TARGET_P99_MS = 250;
const TARGET_REPLAY_MS = 100;

interface Memory {
	rss: number;
	heapUsed: number;
	sockets: number;
}
interface Collected {
	latencies: number[];
	missing: number;
}

function hardFdLimit(): number {
	const raw = execFileSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
	return raw === 'unlimited' ? Number.POSITIVE_INFINITY : Number(raw);
}

export function percentile(sorted: number[], p: number): number {
	return sorted.length === 0
		? Number.NaN
		: sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export function median(values: number[]): number {
	return percentile(
		[...values].sort((a, b) => a - b),
		0.5
	);
}

/** Bring the total of sockets held by the client workers to `total` (from `localAddresses`, if given). */
export async function connectTo(
	clients: Worker[],
	url: string,
	token: string,
	total: number,
	held: number,
	localAddresses?: string[]
) {
	const share = Math.ceil((total - held) / clients.length);
	const results = await Promise.all(
		clients.map((client, i) =>
			client.ask<{ opened: number; failed: number; ms: number }>(
				'connect',
				{
					url,
					token,
					count: Math.min(share, total - held - i * share),
					concurrency: CONNECT_CONCURRENCY,
					localAddresses
				},
				// 10,000 sockets through nginx take over 2 minutes on two cores at load 20.
				240_000
			)
		)
	);
	return {
		opened: results.reduce((sum, r) => sum + r.opened, 0),
		failed: results.reduce((sum, r) => sum + r.failed, 0),
		ms: Math.max(...results.map((r) => r.ms))
	};
}

/** Fan one event out per round; latencies from emit to arrival on every socket, sorted. */
export async function fanout(
	server: Worker,
	clients: Worker[],
	rounds: number,
	firstRound: number
) {
	const latencies: number[] = [];
	const roundP99: number[] = [];
	const emitMs: number[] = [];
	let missing = 0;
	// Round `firstRound` warms up (JIT, first writes on each socket) and is not counted.
	for (let round = firstRound; round <= firstRound + rounds; round++) {
		await Promise.all(clients.map((client) => client.ask('arm', { round })));
		const { emitMs: emitted } = await server.ask<{ emitMs: number }>('fanout', { round });
		const collected = await Promise.all(
			clients.map((client) => client.ask<Collected>('collect', { timeout: ROUND_TIMEOUT_MS }))
		);
		missing += collected.reduce((sum, c) => sum + c.missing, 0);
		if (round === firstRound) continue;
		const these = collected.flatMap((c) => c.latencies).sort((a, b) => a - b);
		emitMs.push(emitted);
		roundP99.push(percentile(these, 0.99));
		latencies.push(...these);
	}
	latencies.sort((a, b) => a - b);
	return {
		p50: percentile(latencies, 0.5),
		p99: percentile(latencies, 0.99),
		roundP99,
		emitMs: median(emitMs),
		missing
	};
}

/** Milliseconds from sending `resume {lastSeq: 0}` to receiving the last of `count` events. */
export function replayOnce(url: string, token: string, count: number): Promise<number> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
		const timer = setTimeout(() => {
			ws.terminate();
			reject(new Error('replay did not finish within 10 s'));
		}, 10_000);
		let started = 0;
		let received = 0;
		ws.on('error', reject);
		ws.on('message', (data) => {
			const frame = JSON.parse(data.toString()) as { type: string };
			if (frame.type === 'welcome') {
				started = performance.now();
				ws.send(JSON.stringify({ type: 'resume', data: { lastSeq: 0 } }));
			} else if (frame.type === 'notification:new' && ++received === count) {
				const elapsed = performance.now() - started;
				clearTimeout(timer);
				ws.close();
				resolve(elapsed);
			}
		});
	});
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const met = (ok: boolean) => (ok ? 'yes' : 'NO');

/** Run the server benchmark and print its table. */
export async function run(): Promise<void> {
	const limit = hardFdLimit();
	// The hub holds every socket; each client worker holds half.
	const sockets = Math.min(TARGET_SOCKETS, limit - FD_HEADROOM);
	if (sockets < TARGET_SOCKETS) {
		console.log(`Hard fd limit ${limit}: holding ${sockets} sockets instead of ${TARGET_SOCKETS}.`);
	}
	const server = startWorker('./server-hub.ts', [String(HEARTBEAT_MS), String(sockets)]);
	const clients = Array.from({ length: CLIENT_PROCESSES }, () =>
		startWorker('./server-clients.ts')
	);
	const workers = [server, ...clients];
	const stopAll = () => workers.forEach((worker) => worker.stop());
	const watchdog = setTimeout(() => {
		console.error(`server bench: still running after ${RUN_TIMEOUT_MS} ms, stopping`);
		stopAll();
	}, RUN_TIMEOUT_MS);
	try {
		const ready = (await server.ready) as {
			port: number;
			fanoutToken: string;
			replayToken: string;
		};
		await Promise.all(clients.map((client) => client.ready));
		const url = `ws://127.0.0.1:${ready.port}/ws`;
		const before = await server.ask<Memory>('memory');

		await connectTo(clients, url, ready.fanoutToken, BASELINE_SOCKETS, 0);
		const baseline = await fanout(server, clients, BASELINE_ROUNDS, 0);

		const connected = await connectTo(clients, url, ready.fanoutToken, sockets, BASELINE_SOCKETS);
		// Hold them idle through a few heartbeats: each is pinged and must answer to stay.
		await new Promise((resolve) => setTimeout(resolve, HEARTBEATS_HELD * HEARTBEAT_MS + 500));
		const held = await server.ask<Memory>('memory');
		const status = await Promise.all(
			clients.map((client) => client.ask<{ open: number; closes: number; pings: number }>('status'))
		);
		const closes = status.reduce((sum, s) => sum + s.closes, 0);
		const pings = status.reduce((sum, s) => sum + s.pings, 0);
		const rssPerSocket = (held.rss - before.rss) / held.sockets;
		const heapPerSocket = (held.heapUsed - before.heapUsed) / held.sockets;

		const full = await fanout(server, clients, FANOUT_ROUNDS, BASELINE_ROUNDS + 1);

		await server.ask('fill-replay', { count: REPLAY_EVENTS });
		await replayOnce(url, ready.replayToken, REPLAY_EVENTS); // warm-up
		const replays: number[] = [];
		for (let i = 0; i < REPLAY_TRIALS; i++)
			replays.push(await replayOnce(url, ready.replayToken, REPLAY_EVENTS));
		const replay = median(replays);

		console.log(
			`\nServer: hub in one process, ${held.sockets} sockets from ${CLIENT_PROCESSES} client process(es) on 127.0.0.1, ` +
				`heartbeat ${HEARTBEAT_MS} ms, ${FANOUT_ROUNDS} fan-out rounds, ${REPLAY_TRIALS} replays`
		);
		console.table([
			{
				figure: `idle sockets held through ${HEARTBEATS_HELD} heartbeats`,
				value: `${held.sockets} (${closes} closed, ${pings} pings answered)`,
				target: `>= ${TARGET_SOCKETS}`,
				met: met(held.sockets >= TARGET_SOCKETS && closes === 0)
			},
			{
				figure: `connect ${sockets - BASELINE_SOCKETS} sockets`,
				value: `${(connected.ms / 1000).toFixed(1)} s (${connected.failed} failed)`,
				target: '-',
				met: '-'
			},
			{
				figure: 'hub RSS per idle socket',
				value: kb(rssPerSocket),
				target: `<= ${kb(TARGET_RSS_PER_SOCKET)}`,
				met: met(rssPerSocket <= TARGET_RSS_PER_SOCKET)
			},
			{ figure: 'hub JS heap per idle socket', value: kb(heapPerSocket), target: '-', met: '-' },
			{
				figure: `fan-out p50 / p99, ${BASELINE_SOCKETS} sockets (baseline)`,
				value: `${ms(baseline.p50)} / ${ms(baseline.p99)}`,
				target: '-',
				met: '-'
			},
			{
				figure: `fan-out p50, ${held.sockets} sockets`,
				value: ms(full.p50),
				target: '-',
				met: '-'
			},
			{
				figure: `fan-out p99, ${held.sockets} sockets`,
				value: ms(full.p99),
				target: `<= ${ms(TARGET_P99_MS)}`,
				met: met(full.p99 <= TARGET_P99_MS && full.missing === 0)
			},
			{
				figure: 'fan-out p99 per round',
				value: full.roundP99.map((v) => v.toFixed(0)).join(', ') + ' ms',
				target: '-',
				met: '-'
			},
			{
				figure: `p99 ratio ${held.sockets} / ${BASELINE_SOCKETS} sockets`,
				value: `${(full.p99 / baseline.p99).toFixed(1)}x`,
				target: '-',
				met: '-'
			},
			{
				figure: 'hub emit() call (log + all writes)',
				value: ms(full.emitMs),
				target: '-',
				met: '-'
			},
			{
				figure: 'events not delivered',
				value: full.missing + baseline.missing,
				target: '0',
				met: met(full.missing + baseline.missing === 0)
			},
			{
				figure: `replay ${REPLAY_EVENTS} missed events (median)`,
				value: `${ms(replay)} (all: ${replays.map((v) => v.toFixed(0)).join(', ')})`,
				target: `<= ${ms(TARGET_REPLAY_MS)}`,
				met: met(replay <= TARGET_REPLAY_MS)
			}
		]);
	} finally {
		clearTimeout(watchdog);
		await Promise.allSettled(clients.map((client) => client.ask('close', {}, 10_000)));
		await server.ask('stop', {}, 15_000).catch(() => undefined);
		stopAll();
	}
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
