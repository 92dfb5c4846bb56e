/**
 * Side by side: raw ws, partysocket, reconnecting-websocket, socket.io-client and
 * statechart-websocket on identical frames from a server in its own process (./server.ts).
 *
 * - throughput: frames handled per second, first to last frame at the client, while the server
 *   writes prebuilt frames as fast as the socket takes them, the fastest of THROUGHPUT_TRIALS
 *   blasts in a row (the machine's other work only ever slows a blast: single blasts of the same
 *   client moved by a third between runs); as a ratio to raw ws's in the same run, where every
 *   client's blasts come one after the other (target >= 0.95x, the median of the runs' ratios);
 * - latency at 1,000 frames/s: server `process.hrtime` at send (in the frame) to client
 *   `process.hrtime` in the handler; one machine, so one monotonic clock (target p99 <= 1.0 ms
 *   and no higher than any peer's). Measured twice in a row: the first pass (the target's
 *   figure) comes straight after the blasts, in which a library that batches the frames of one
 *   read ran its per-frame code only once per batch, so that code is still being compiled by the
 *   JIT while the first pass runs; the second pass shows the same library warm. Of the first
 *   pass, the part spent in the client: from the socket's message event (a listener the socket
 *   gets in its constructor, see `arrival`) to the handler; the rest is the server, the kernel
 *   and the client process's event loop reaching the socket (a GC pause or a preempted process
 *   shows there, for every client alike);
 * - reconnect: the server cuts every connection and stops listening for 2 s; from its listening
 *   again to the client's open (target median <= 300 ms), and the sockets it opened meanwhile
 *   (target: one, never two at once).
 *
 * Each figure is the median over RUNS runs; each run takes the clients in a rotated order, so
 * none always goes first (cold) or last (after the others' garbage).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { arrival, PEERS, type BenchClient, type Peer } from './clients';
import type { ServerCommand, ServerReply } from './server';

const RUNS = 3;
const WARMUP_FRAMES = 20_000;
const THROUGHPUT_FRAMES = 50_000;
/** Blasts per run; the run's figure is the fastest (what else runs here only ever slows one). */
const THROUGHPUT_TRIALS = 3;
const LATENCY_FRAMES = 2_000;
const LATENCY_PER_MS = 1;
const OUTAGE_MS = 2_000;
const OUTAGES_PER_RUN = 2;
const WAIT_LIMIT_MS = 30_000;

const TARGET_RATIO = 0.95;
const TARGET_P99_MS = 1;
const TARGET_RECONNECT_MS = 300;

export interface PeerFigures {
	name: string;
	throughput: number;
	ratio: number;
	p50: number;
	p99: number;
	/** The same latency figures, measured again right after the first pass. */
	warm: { p50: number; p99: number };
	/** Of the first pass: from the socket's message event to the handler (the library's part). */
	inClient: { p50: number; p99: number };
	reconnect: number | null;
	extraSockets: number | null;
}

const now = () => process.hrtime.bigint();
const ms = (ns: bigint) => Number(ns) / 1e6;
const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor((sorted.length - 1) / 2)];
};
const percentile = (sorted: number[], p: number) =>
	sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** The server process and a way to wait for its replies. */
class ServerProcess {
	readonly child: ChildProcess;
	readonly #waiting: Array<{ type: ServerReply['type']; resolve: (reply: ServerReply) => void }> =
		[];

	constructor() {
		const script = fileURLToPath(new URL('./server.ts', import.meta.url));
		// Node's own flags of this process (tsx's loader) run the TypeScript server too.
		this.child = fork(script, [], { execArgv: process.execArgv, stdio: 'inherit' });
		this.child.on('message', (reply: ServerReply) => {
			const index = this.#waiting.findIndex((waiter) => waiter.type === reply.type);
			if (index !== -1) this.#waiting.splice(index, 1)[0].resolve(reply);
		});
	}

	next<T extends ServerReply['type']>(type: T): Promise<Extract<ServerReply, { type: T }>> {
		return withLimit(
			new Promise((resolve) => this.#waiting.push({ type, resolve: resolve as never })),
			`the server's ${type}`
		);
	}

	send(command: ServerCommand): void {
		this.child.send(command);
	}

	async command(command: ServerCommand): Promise<void> {
		const done = this.next('done');
		this.send(command);
		await done;
	}
}

function withLimit<T>(promise: Promise<T>, what: string): Promise<T> {
	let timer: NodeJS.Timeout;
	const limit = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() => reject(new Error(`bench: waited too long for ${what}`)),
			WAIT_LIMIT_MS
		);
	});
	return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

async function until(condition: () => boolean, what: string): Promise<void> {
	const deadline = Date.now() + WAIT_LIMIT_MS;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`bench: waited too long for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 1));
	}
}

interface RunFigures {
	throughput: number;
	/** This run's throughput over raw ws's, measured a few seconds apart. */
	ratio: number;
	p50: number;
	p99: number;
	warm: { p50: number; p99: number };
	inClient: { p50: number; p99: number };
	reconnects: number[];
	extraSockets: number;
}

type Urls = { ws: string; io: string };
type Percentiles = { p50: number; p99: number };

const percentiles = (values: number[]): Percentiles => {
	const sorted = values.sort((a, b) => a - b);
	return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
};

/** A client of `peer` on the server, and what it can be asked to receive. */
async function connect(peer: Peer, server: ServerProcess, urls: Urls) {
	let received = 0;
	let latencies: number[] | null = null;
	let inClient: number[] = [];
	/** Client-side times of the first and the last frame of a blast. */
	let first: bigint | null = null;
	let last: bigint | null = null;
	const client: BenchClient = peer.create(urls, (id) => {
		received++;
		if (latencies) {
			const at = now();
			latencies.push(ms(at - BigInt(id)));
			inClient.push(ms(at - arrival.at));
		} else {
			last = now();
			first ??= last;
		}
	});
	await withLimit(client.ready, `${peer.name} to open`);
	const receive = async (command: ServerCommand & { count: number }) => {
		const target = received + command.count;
		const done = server.next('done');
		server.send(command);
		await until(() => received >= target, `${peer.name} to receive ${command.count} frames`);
		await done;
	};
	return {
		client,
		/** `count` frames as fast as they go: frames per second, first to last at the client. */
		async blast(count: number): Promise<number> {
			first = null;
			await receive({ cmd: 'blast', count });
			return (count - 1) / (ms(last! - first!) / 1000);
		},
		/** LATENCY_FRAMES at 1,000/s: the latencies, and the client's own part of them. */
		async paced(): Promise<Percentiles & { inClient: Percentiles }> {
			latencies = [];
			inClient = [];
			await receive({ cmd: 'paced', count: LATENCY_FRAMES, perMs: LATENCY_PER_MS });
			const figures = { ...percentiles(latencies), inClient: percentiles(inClient) };
			latencies = null;
			return figures;
		},
		/** Close it, and wait until the server has no socket left: the next client is alone. */
		async close(): Promise<void> {
			client.close();
			for (;;) {
				const counts = server.next('counts');
				server.send({ cmd: 'counts' });
				if ((await counts).open === 0) return;
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
		}
	};
}

/** A client's throughput: a warm-up blast, then the fastest of THROUGHPUT_TRIALS blasts. */
async function measureThroughput(peer: Peer, server: ServerProcess, urls: Urls): Promise<number> {
	const connected = await connect(peer, server, urls);
	await connected.blast(WARMUP_FRAMES);
	let fastest = 0;
	for (let trial = 0; trial < THROUGHPUT_TRIALS; trial++) {
		fastest = Math.max(fastest, await connected.blast(THROUGHPUT_FRAMES));
	}
	await connected.close();
	return fastest;
}

/** A client's latency passes (straight after blasts, as in a throughput run) and reconnects. */
async function measureLatencyAndReconnect(peer: Peer, server: ServerProcess, urls: Urls) {
	const connected = await connect(peer, server, urls);
	await connected.blast(WARMUP_FRAMES);
	await connected.blast(THROUGHPUT_FRAMES);
	const { p50, p99, inClient } = await connected.paced();
	const warmPass = await connected.paced();
	const warm = { p50: warmPass.p50, p99: warmPass.p99 };

	const reconnects: number[] = [];
	let extraSockets = 0;
	if (peer.reconnects) {
		for (let trial = 0; trial < OUTAGES_PER_RUN; trial++) {
			let openedAt: bigint | null = null;
			connected.client.onOpen(() => (openedAt ??= now()));
			const back = server.next('listening-again');
			server.send({ cmd: 'outage', ms: OUTAGE_MS });
			const { at } = await back;
			await until(() => openedAt !== null, `${peer.name} to reconnect`);
			reconnects.push(ms(openedAt! - BigInt(at)));
			// Let any second socket show itself before counting.
			await new Promise((resolve) => setTimeout(resolve, 300));
			const counts = server.next('counts');
			server.send({ cmd: 'counts' });
			const { opened, maxOpen } = await counts;
			extraSockets += Math.max(0, opened - 1) + Math.max(0, maxOpen - 1);
		}
	}
	await connected.close();
	return { p50, p99, warm, inClient, reconnects, extraSockets };
}

/**
 * Run every peer RUNS times in rotated order; the medians. Each run first measures every
 * client's throughput, one after the other (a few seconds apart, so each ratio to raw ws compares
 * blasts made under the same conditions), then each client's latency and reconnects.
 */
export async function measurePeers(peers: Peer[] = PEERS): Promise<PeerFigures[]> {
	const server = new ServerProcess();
	const { wsPort, ioPort } = await server.next('ready');
	const urls = { ws: `ws://127.0.0.1:${wsPort}/ws`, io: `http://127.0.0.1:${ioPort}` };
	const runs = new Map<string, RunFigures[]>(peers.map((peer) => [peer.name, []]));
	try {
		for (let run = 0; run < RUNS; run++) {
			const order = peers.map((_, index) => peers[(index + run) % peers.length]);
			const throughputs = new Map<string, number>();
			for (const peer of order) {
				throughputs.set(peer.name, await measureThroughput(peer, server, urls));
			}
			const raw = throughputs.get('raw ws')!;
			for (const peer of order) {
				const throughput = throughputs.get(peer.name)!;
				runs.get(peer.name)!.push({
					throughput,
					ratio: throughput / raw,
					...(await measureLatencyAndReconnect(peer, server, urls))
				});
			}
		}
	} finally {
		server.send({ cmd: 'stop' });
	}
	return peers.map((peer) => {
		const list = runs.get(peer.name)!;
		const of = (pick: (figures: RunFigures) => number) => median(list.map(pick));
		return {
			name: peer.name,
			throughput: of((figures) => figures.throughput),
			ratio: of((figures) => figures.ratio),
			p50: of((figures) => figures.p50),
			p99: of((figures) => figures.p99),
			warm: { p50: of((figures) => figures.warm.p50), p99: of((figures) => figures.warm.p99) },
			inClient: {
				p50: of((figures) => figures.inClient.p50),
				p99: of((figures) => figures.inClient.p99)
			},
			reconnect: peer.reconnects ? median(list.flatMap((figures) => figures.reconnects)) : null,
			extraSockets: peer.reconnects
				? list.reduce((sum, figures) => sum + figures.extraSockets, 0)
				: null
		};
	});
}

/** Measure and print the table, with the targets of statechart-websocket's row. */
export async function run(bundles: Map<string, number>): Promise<void> {
	const figures = await measurePeers();
	const peersOnly = figures.filter((row) => !row.name.startsWith('statechart-websocket'));
	const bestPeerP99 = Math.min(...peersOnly.map((row) => row.p99));
	console.log(
		`\nSide by side (server in its own process, median of ${RUNS} runs in rotated order; ` +
			`throughput the fastest of ${THROUGHPUT_TRIALS} blasts of ${THROUGHPUT_FRAMES} frames, ${LATENCY_FRAMES} at ${LATENCY_PER_MS * 1000}/s ` +
			`for latency and ${LATENCY_FRAMES} more right after it (warm); "in client": of the first ` +
			`pass, socket message event to handler; ` +
			`${RUNS * OUTAGES_PER_RUN} outages of ${OUTAGE_MS} ms)`
	);
	console.table(
		figures.map((row) => ({
			client: row.name,
			'frames/s': Math.round(row.throughput),
			'x raw ws': row.ratio.toFixed(2),
			'p50 ms': row.p50.toFixed(3),
			'p99 ms': row.p99.toFixed(3),
			'warm p50 / p99 ms': `${row.warm.p50.toFixed(3)} / ${row.warm.p99.toFixed(3)}`,
			'in client p50 / p99 ms': `${row.inClient.p50.toFixed(3)} / ${row.inClient.p99.toFixed(3)}`,
			'reconnect ms': row.reconnect === null ? '-' : Math.round(row.reconnect),
			'extra sockets': row.extraSockets ?? '-',
			'bundle kB min+gzip': bundles.has(row.name)
				? ((bundles.get(row.name) ?? 0) / 1024).toFixed(1)
				: '-'
		}))
	);
	const own = figures.find((row) => row.name === 'statechart-websocket')!;
	const met = (ok: boolean) => (ok ? 'yes' : 'NO');
	console.table([
		{
			target: `throughput >= ${TARGET_RATIO}x raw ws`,
			value: own.ratio.toFixed(2),
			met: met(own.ratio >= TARGET_RATIO)
		},
		{
			target: `p99 <= ${TARGET_P99_MS} ms and <= every peer's (best ${bestPeerP99.toFixed(3)})`,
			value: own.p99.toFixed(3),
			met: met(own.p99 <= TARGET_P99_MS && own.p99 <= bestPeerP99)
		},
		{
			target: `reconnect after ${OUTAGE_MS} ms outage <= ${TARGET_RECONNECT_MS} ms, no extra socket`,
			value: `${Math.round(own.reconnect ?? 0)} ms, ${own.extraSockets} extra`,
			met: met((own.reconnect ?? Infinity) <= TARGET_RECONNECT_MS && own.extraSockets === 0)
		}
	]);
}
