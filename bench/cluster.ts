/**
 * Scale-out benchmark (`npm run bench`, or alone: `npx tsx bench/cluster.ts`). Not a test: it
 * prints one table, the single node on SQLite and three nodes on PostgreSQL side by side, measured
 * the same way in the same run, with the targets and whether the three nodes meet them.
 *
 * Every node is a hub worker process (bench/server-hub.ts: the app's hub and outbox as the app
 * composes them), two client worker processes (bench/server-clients.ts) hold the sockets. Three
 * nodes share one PostgreSQL database (a private cluster started for the run with the default
 * durability settings: fsync on) and sit behind a real nginx; the sockets go through nginx from
 * 40 source addresses (127.0.0.2-41), so no address runs out of ephemeral ports. The single node
 * is the same worker on a SQLite file, its sockets connected to it directly (as in the README's
 * earlier figures).
 *
 * - 10,000 idle sockets of one user, one event to all of them (emitted on node A; through
 *   LISTEN/NOTIFY every node sends it to its own sockets): p50/p99 from emit to arrival over 5
 *   rounds after a warm-up round (target p99 <= 250 ms);
 * - events emitted on node A at 200 events/s for a client connected to node B: p50/p99 from
 *   emit to arrival (target p99 <= 50 ms); on one node, A and B are the same node;
 * - appends with NOTIFY: one event per transaction, 16 at a time over 16 users, events/s
 *   (target >= 2,000/s);
 * - replay of 1,000 missed events after `resume` (written through node A, read on node B),
 *   median of 5 after a warm-up (target <= 100 ms).
 * The last column runs the three nodes again (without the 10,000 sockets) on a PostgreSQL with
 * fsync off: it shows how much of a figure is the disk's flush. After the table: the CPU each part
 * (node workers, nginx, client workers, PostgreSQL's backends, read from /proc) spent per socket
 * delivery during the fan-out rounds, and the load average at the start and the end, since the
 * machine is shared.
 * Bounded: every worker is stopped after RUN_TIMEOUT_MS whatever happens.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import { Nginx } from '../tests/support/nginx';
import { createDatabase, PrivatePostgres } from '../tests/support/postgres';
import { connectTo, fanout, median, percentile, replayOnce } from './server';
import { startWorker, wallClock, type Worker } from './server-ipc';

const SOCKETS = 10_000;
const NODES = 3;
const HEARTBEAT_MS = 30_000;
const FANOUT_ROUNDS = 5;
const STREAM_EVENTS = 2_000;
const STREAM_PER_SECOND = 200;
const APPEND_EVENTS = 5_000;
const APPEND_CONCURRENCY = 16;
const REPLAY_EVENTS = 1_000;
const REPLAY_TRIALS = 5;
const CLIENT_PROCESSES = 2;
const CLIENT_ADDRESSES = Array.from({ length: 40 }, (_, i) => `127.0.0.${i + 2}`);
const RUN_TIMEOUT_MS = 420_000;

const TARGET_FANOUT_P99_MS = 250;
const TARGET_CROSS_NODE_P99_MS = 50;
const TARGET_APPENDS_PER_SECOND = 2_000;
const TARGET_REPLAY_MS = 100;

interface NodeReady {
	port: number;
	fanoutToken: string;
	replayToken: string;
	pairToken: string;
}

/** CPU time spent by each part of a deployment, in ms. */
interface CpuSpent {
	nodes: number;
	clients: number;
	nginx: number;
	postgres: number;
}

interface Figures {
	sockets: { opened: number; failed: number; connectMs: number };
	fanout: { p50: number; p99: number; missing: number } | null;
	/** CPU per socket delivery during the fan-out rounds (µs), by part. */
	fanoutCpu: CpuSpent | null;
	crossNode: { p50: number; p99: number; received: number };
	appendsPerSecond: number;
	replay: { median: number; all: number[] };
}

/** Latencies of `bench:stream` events on one socket of node B, from emit (on node A) to arrival. */
function streamReceiver(url: string, token: string) {
	const latencies: number[] = [];
	const ws = new WebSocket(url, {
		headers: { authorization: `Bearer ${token}` },
		perMessageDeflate: false
	});
	const ready = new Promise<void>((resolve, reject) => {
		ws.once('error', reject);
		ws.once('message', (data) => {
			const welcome = JSON.parse(data.toString()) as { data: { lastSeq: number } };
			ws.send(JSON.stringify({ type: 'resume', data: { lastSeq: welcome.data.lastSeq } }));
			ws.on('message', (frame) => {
				const event = JSON.parse(frame.toString()) as { type: string; data: { sentAt: number } };
				if (event.type === 'bench:stream') latencies.push(wallClock() - event.data.sentAt);
			});
			resolve();
		});
	});
	return { ready, latencies, close: () => ws.terminate() };
}

/** Clock ticks per second of /proc's utime and stime (Linux's USER_HZ). */
const TICKS_PER_SECOND = 100;

/** CPU ms (user + system) of each live process by pid, with its parent pid, from /proc. */
function processCpu(): Map<number, { ppid: number; ms: number }> {
	const table = new Map<number, { ppid: number; ms: number }>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
			table.set(Number(entry), { ppid: Number(fields[1]), ms });
		} catch {
			// The process ended while the table was read.
		}
	}
	return table;
}

/**
 * The CPU ms of each of these processes and, for `withChildren`, of their children (nginx's
 * workers, PostgreSQL's backends), by pid.
 */
function cpuOf(pids: number[], withChildren: number[]): Map<number, number> {
	const spent = new Map<number, number>();
	for (const [pid, { ppid, ms }] of processCpu()) {
		if (pids.includes(pid) || withChildren.includes(pid) || withChildren.includes(ppid)) {
			spent.set(pid, ms);
		}
	}
	return spent;
}

/**
 * CPU ms spent between two readings, by the processes alive at the second (one that ended in
 * between, such as a PostgreSQL backend closed by its pool, is not counted).
 */
function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
	let total = 0;
	for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
	return total;
}

/** The pid in a pid file (nginx's, PostgreSQL's postmaster.pid), or none. */
function pidFile(file: string): number[] {
	try {
		return [Number(readFileSync(file, 'utf8').split('\n')[0])];
	} catch {
		return [];
	}
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/**
 * Measure one deployment: `nodeCount` hub workers on `databaseUrl` (SQLite when undefined), with
 * `sockets` idle sockets for the fan-out (none: no fan-out figure).
 */
async function measure(
	nodeCount: number,
	databaseUrl: string | undefined,
	sockets = SOCKETS,
	postgresDir?: string
): Promise<Figures> {
	const env: Record<string, string> = databaseUrl
		? { DATABASE_URL: databaseUrl, BENCH_SHARED_USERS: '1' }
		: {};
	const args = [String(HEARTBEAT_MS), String(SOCKETS)];
	const nodes: Worker[] = [];
	const clients = Array.from({ length: CLIENT_PROCESSES }, () =>
		startWorker('./server-clients.ts')
	);
	let nginx: Nginx | null = null;
	const stopAll = () => [...nodes, ...clients].forEach((worker) => worker.stop());
	const watchdog = setTimeout(() => {
		console.error(`cluster bench: still running after ${RUN_TIMEOUT_MS} ms, stopping`);
		stopAll();
	}, RUN_TIMEOUT_MS);
	try {
		// The first node migrates the database and makes the users; the others find them.
		nodes.push(startWorker('./server-hub.ts', args, env));
		const first = (await nodes[0].ready) as unknown as NodeReady;
		for (let i = 1; i < nodeCount; i++) nodes.push(startWorker('./server-hub.ts', args, env));
		const ready = [
			first,
			...((await Promise.all(nodes.slice(1).map((node) => node.ready))) as unknown as NodeReady[])
		];
		await Promise.all(clients.map((client) => client.ready));
		if (nodeCount > 1) {
			nginx = await Nginx.start({
				upstreams: ready.map((node) => node.port),
				workers: 2,
				workerConnections: SOCKETS + 2_000
			});
		}
		const socketUrl = nginx ? nginx.wsUrl : `ws://127.0.0.1:${first.port}/ws`;
		const started = performance.now();
		const connected = sockets
			? await connectTo(
					clients,
					socketUrl,
					first.fanoutToken,
					sockets,
					0,
					nginx ? CLIENT_ADDRESSES : undefined
				)
			: { opened: 0, failed: 0 };
		const connectMs = performance.now() - started;
		const pidsOf = (workers: Worker[]) => workers.map((worker) => worker.child.pid ?? 0);
		const cpuNow = (): Record<keyof CpuSpent, Map<number, number>> => ({
			nodes: cpuOf(pidsOf(nodes), []),
			clients: cpuOf(pidsOf(clients), []),
			nginx: cpuOf([], nginx ? pidFile(path.join(nginx.dir, 'nginx.pid')) : []),
			postgres: cpuOf(
				[],
				postgresDir ? pidFile(path.join(postgresDir, 'data', 'postmaster.pid')) : []
			)
		});
		const cpuBefore = cpuNow();
		const spread = sockets ? await fanout(nodes[0], clients, FANOUT_ROUNDS, 0) : null;
		const cpuAfter = cpuNow();
		// Every round, the warm-up included, delivers one event to each socket.
		const deliveries = (FANOUT_ROUNDS + 1) * connected.opened;
		const perDelivery = (part: keyof CpuSpent) =>
			(cpuSince(cpuBefore[part], cpuAfter[part]) * 1000) / deliveries;
		const fanoutCpu: CpuSpent | null = spread && {
			nodes: perDelivery('nodes'),
			clients: perDelivery('clients'),
			nginx: perDelivery('nginx'),
			postgres: perDelivery('postgres')
		};

		// Node B: the last node (the first one when there is only one).
		const nodeB = ready[ready.length - 1];
		const receiver = streamReceiver(`ws://127.0.0.1:${nodeB.port}/ws`, first.pairToken);
		await receiver.ready;
		await nodes[0].ask('stream', { count: STREAM_EVENTS, perSecond: STREAM_PER_SECOND }, 60_000);
		await waitUntil(() => receiver.latencies.length >= STREAM_EVENTS, 10_000);
		receiver.close();
		// The first second warms up (JIT, connections in the pools).
		const stream = receiver.latencies.slice(STREAM_PER_SECOND).sort((a, b) => a - b);

		const append = await nodes[0].ask<{ ms: number; events: number }>(
			'append',
			{ count: APPEND_EVENTS, concurrency: APPEND_CONCURRENCY },
			120_000
		);

		await nodes[0].ask('fill-replay', { count: REPLAY_EVENTS });
		const replayUrl = `ws://127.0.0.1:${nodeB.port}/ws`;
		await replayOnce(replayUrl, first.replayToken, REPLAY_EVENTS); // warm-up
		const replays: number[] = [];
		for (let i = 0; i < REPLAY_TRIALS; i++) {
			replays.push(await replayOnce(replayUrl, first.replayToken, REPLAY_EVENTS));
		}
		return {
			sockets: { opened: connected.opened, failed: connected.failed, connectMs },
			fanout: spread && { p50: spread.p50, p99: spread.p99, missing: spread.missing },
			fanoutCpu,
			crossNode: {
				p50: percentile(stream, 0.5),
				p99: percentile(stream, 0.99),
				received: receiver.latencies.length
			},
			appendsPerSecond: (append.events / append.ms) * 1000,
			replay: { median: median(replays), all: replays }
		};
	} finally {
		clearTimeout(watchdog);
		await Promise.allSettled(clients.map((client) => client.ask('close', {}, 10_000)));
		await Promise.allSettled(nodes.map((node) => node.ask('stop', {}, 15_000)));
		stopAll();
		await nginx?.stop();
	}
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const pair = (a: number, b: number) => `${ms(a)} / ${ms(b)}`;
const met = (ok: boolean) => (ok ? 'yes' : 'NO');

/** Three nodes on a private PostgreSQL cluster started for it (durable or with fsync off). */
async function measureOnPostgres(durable: boolean, sockets: number): Promise<Figures> {
	const postgres = await PrivatePostgres.start({ durable });
	try {
		const database = await createDatabase(postgres.adminUrl, 'bench');
		return await measure(NODES, database.url, sockets, postgres.dir);
	} finally {
		await postgres.stop();
	}
}

/** Run the deployments and print the table. */
export async function run(): Promise<void> {
	const load = () =>
		loadavg()
			.map((value) => value.toFixed(1))
			.join(' ');
	console.log(`\nScale-out bench: load average ${load()} at the start`);
	const single = await measure(1, undefined);
	const cluster = await measureOnPostgres(true, SOCKETS);
	const noFsync = await measureOnPostgres(false, 0);
	const fanoutCell = (figures: Figures) =>
		figures.fanout ? pair(figures.fanout.p50, figures.fanout.p99) : '-';
	console.log(
		`\nScale-out: ${SOCKETS} sockets of one user (3 nodes: through nginx from ${CLIENT_ADDRESSES.length} addresses), ` +
			`${FANOUT_ROUNDS} fan-out rounds, ${STREAM_EVENTS} events at ${STREAM_PER_SECOND}/s A -> B, ` +
			`${APPEND_EVENTS} appends ${APPEND_CONCURRENCY} at a time, ${REPLAY_TRIALS} replays; PostgreSQL with fsync on (met: judged on that column)`
	);
	console.table([
		{
			figure: 'idle sockets connected (failed), time',
			'1 node, SQLite': `${single.sockets.opened} (${single.sockets.failed}), ${(single.sockets.connectMs / 1000).toFixed(1)} s`,
			'3 nodes, PostgreSQL': `${cluster.sockets.opened} (${cluster.sockets.failed}), ${(cluster.sockets.connectMs / 1000).toFixed(1)} s`,
			'3 nodes, fsync off': '-',
			target: `${SOCKETS}`,
			met: met(cluster.sockets.opened === SOCKETS)
		},
		{
			figure: 'one event to all sockets, p50 / p99',
			'1 node, SQLite': fanoutCell(single),
			'3 nodes, PostgreSQL': fanoutCell(cluster),
			'3 nodes, fsync off': '-',
			target: `p99 <= ${ms(TARGET_FANOUT_P99_MS)}`,
			met: met((cluster.fanout?.p99 ?? Infinity) <= TARGET_FANOUT_P99_MS)
		},
		{
			figure: 'events not delivered in the fan-out',
			'1 node, SQLite': single.fanout?.missing,
			'3 nodes, PostgreSQL': cluster.fanout?.missing,
			'3 nodes, fsync off': '-',
			target: '0',
			met: met(cluster.fanout?.missing === 0)
		},
		{
			figure: `emitted on A, received on B, ${STREAM_PER_SECOND}/s, p50 / p99`,
			'1 node, SQLite': `${pair(single.crossNode.p50, single.crossNode.p99)} (A = B)`,
			'3 nodes, PostgreSQL': pair(cluster.crossNode.p50, cluster.crossNode.p99),
			'3 nodes, fsync off': pair(noFsync.crossNode.p50, noFsync.crossNode.p99),
			target: `p99 <= ${ms(TARGET_CROSS_NODE_P99_MS)}`,
			met: met(
				cluster.crossNode.p99 <= TARGET_CROSS_NODE_P99_MS &&
					cluster.crossNode.received === STREAM_EVENTS
			)
		},
		{
			figure: 'appends (one event per transaction, with NOTIFY on PostgreSQL)',
			'1 node, SQLite': `${Math.round(single.appendsPerSecond)} events/s`,
			'3 nodes, PostgreSQL': `${Math.round(cluster.appendsPerSecond)} events/s`,
			'3 nodes, fsync off': `${Math.round(noFsync.appendsPerSecond)} events/s`,
			target: `>= ${TARGET_APPENDS_PER_SECOND}/s`,
			met: met(cluster.appendsPerSecond >= TARGET_APPENDS_PER_SECOND)
		},
		{
			figure: `replay ${REPLAY_EVENTS} missed events after resume (median)`,
			'1 node, SQLite': `${ms(single.replay.median)} (${single.replay.all.map((v) => v.toFixed(0)).join(', ')})`,
			'3 nodes, PostgreSQL': `${ms(cluster.replay.median)} (${cluster.replay.all.map((v) => v.toFixed(0)).join(', ')})`,
			'3 nodes, fsync off': ms(noFsync.replay.median),
			target: `<= ${ms(TARGET_REPLAY_MS)}`,
			met: met(cluster.replay.median <= TARGET_REPLAY_MS)
		}
	]);
	const cpuCell = (cpu: CpuSpent | null) =>
		cpu
			? `nodes ${cpu.nodes.toFixed(1)}, nginx ${cpu.nginx.toFixed(1)}, clients ${cpu.clients.toFixed(1)}, ` +
				`PostgreSQL ${cpu.postgres.toFixed(1)} (all ${(cpu.nodes + cpu.nginx + cpu.clients + cpu.postgres).toFixed(1)})`
			: '-';
	console.log(
		`CPU per socket delivery in the fan-out, µs (from /proc; 2 cores give 2,000,000 µs a second):\n` +
			`  1 node, SQLite:      ${cpuCell(single.fanoutCpu)}\n  3 nodes, PostgreSQL: ${cpuCell(cluster.fanoutCpu)}`
	);
	console.log(`load average ${load()} at the end`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
