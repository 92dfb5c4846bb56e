/**
 * Client benchmark, in one process against one local `ws` server (tests/support/control-server):
 * - throughput: messages per second received through the realtime client (parse, validate, seq
 *   tracking, dispatch to one subscriber) next to a raw `ws` client doing the same JSON.parse and
 *   dispatch, same server, same frames, same count; target >= 0.8x the raw client;
 * - latency at 1,000 messages per second, p50 and p99; target p99 <= 1 ms;
 * - reconnect: median time from a restarted server listening again to the client being open
 *   again after a 2 s outage, with default options; target <= 0.6 s and no extra sockets.
 */
import { WebSocket } from 'ws';
import { createRealtimeClient, type RealtimeClient } from '../machines/index';
import { coreEventSchemas, type Notification } from '../src/lib/protocol';
import { startControlServer, waitFor, type ControlServer } from '../tests/support/control-server';

const THROUGHPUT_MESSAGES = 50_000;
const THROUGHPUT_ROUNDS = 5;
const WARMUP_ROUNDS = 3;
const LATENCY_MESSAGES = 2_000;
const LATENCY_RATE_PER_MS = 1;
const OUTAGE_MS = 2_000;
const RECONNECT_TRIALS = 5;
const SEND_BATCH = 500;

const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 1;
const TARGET_RECONNECT_MS = 600;

/** One way of receiving `notification:new` frames: the realtime client or the raw baseline. */
interface Receiver {
	/** Resolves when the socket is open and ready for events. */
	ready: Promise<void>;
	close(): void;
}
type ReceiverFactory = (url: string, onNotification: (data: Notification) => void) => Receiver;

/** The baseline: a bare `ws` socket, JSON.parse and a dispatch by type to one handler. */
const rawReceiver: ReceiverFactory = (url, onNotification) => {
	const handlers = new Map<string, (data: never) => void>([['notification:new', onNotification]]);
	const ws = new WebSocket(url);
	ws.addEventListener('message', (event) => {
		const frame = JSON.parse(event.data as string) as { type: string; data: never };
		handlers.get(frame.type)?.(frame.data);
	});
	return {
		ready: new Promise((resolve) => ws.addEventListener('open', () => resolve())),
		close: () => ws.close()
	};
};

/** The realtime client with its defaults, schema validation and seq tracking on. */
const clientReceiver: ReceiverFactory = (url, onNotification) => {
	const client = createRealtimeClient({ url, WebSocket, events: coreEventSchemas });
	client.subscribe('notification:new', onNotification);
	return {
		ready: waitFor(() => client.isConnected(), 5_000, 'client connected'),
		close: () => client.stop()
	};
};

function notification(index: number, sentAt: number): Notification {
	return {
		id: `n-${index}`,
		category: 'job_alert',
		title: 'Senior Software Engineer at Tech Corp',
		description: 'A new job matches your skills: TypeScript, Svelte, Node.js (95% match).',
		timestamp: '2025-01-01T00:00:00.000Z',
		actionUrl: '/jobs',
		actionLabel: 'View',
		metadata: { sentAt }
	};
}

function frame(seq: number, data: Notification): string {
	return JSON.stringify({ type: 'notification:new', id: `evt-${seq}`, seq, ts: Date.now(), data });
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

function median(values: number[]): number {
	return percentile(
		[...values].sort((a, b) => a - b),
		0.5
	);
}

let clientIds = 0;

/** Open a receiver as a fresh client identity and wait until the server sees its socket. */
async function open(
	server: ControlServer,
	factory: ReceiverFactory,
	onData: (d: Notification) => void
) {
	const id = `bench-${++clientIds}`;
	const receiver = factory(server.url(id), onData);
	await receiver.ready;
	await server.waitFor((s) => s.openSockets(id) === 1, 5_000, `${id} open at the server`);
	return { id, receiver };
}

async function closeReceiver(server: ControlServer, id: string, receiver: Receiver) {
	receiver.close();
	await server.waitFor((s) => s.openSockets(id) === 0, 5_000, `${id} closed at the server`);
}

/** Messages per second through one receiver: all frames sent in batches, time to the last one. */
async function throughput(server: ControlServer, factory: ReceiverFactory, frames: string[]) {
	let received = 0;
	let done: () => void = () => {};
	const finished = new Promise<void>((resolve) => (done = resolve));
	const { id, receiver } = await open(server, factory, () => {
		if (++received === frames.length) done();
	});
	const started = performance.now();
	for (let sent = 0; sent < frames.length;) {
		const end = Math.min(frames.length, sent + SEND_BATCH);
		for (; sent < end; sent++) server.broadcast(frames[sent], id);
		await new Promise((resolve) => setImmediate(resolve));
	}
	await finished;
	const rate = frames.length / ((performance.now() - started) / 1000);
	await closeReceiver(server, id, receiver);
	return rate;
}

/** Latencies (ms) of frames sent at a steady 1,000 per second, sorted. */
async function latency(server: ControlServer, factory: ReceiverFactory) {
	const latencies: number[] = [];
	const { id, receiver } = await open(server, factory, (data) => {
		latencies.push(performance.now() - (data.metadata?.sentAt as number));
	});
	const started = performance.now();
	for (let sent = 0; sent < LATENCY_MESSAGES;) {
		const due = Math.min(
			LATENCY_MESSAGES,
			Math.floor((performance.now() - started) * LATENCY_RATE_PER_MS) + 1
		);
		for (; sent < due; sent++)
			server.broadcast(frame(sent + 1, notification(sent, performance.now())), id);
		await new Promise((resolve) => setImmediate(resolve));
	}
	await waitFor(() => latencies.length === LATENCY_MESSAGES, 5_000, 'all latency frames');
	await closeReceiver(server, id, receiver);
	return latencies.sort((a, b) => a - b);
}

/**
 * One outage: stop the server for 2 s, restart it, and time from listening again to the client
 * being connected again. Also returns how many sockets the server saw opened after the restart.
 */
async function outage(server: ControlServer, client: RealtimeClient, id: string) {
	await server.stop();
	await waitFor(() => !client.isConnected(), 5_000, 'client noticed the outage');
	await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
	const before = server.stats(id).connections;
	await server.restart();
	const listening = performance.now();
	await waitFor(() => client.isConnected(), 15_000, 'client reconnected');
	const elapsed = performance.now() - listening;
	return {
		elapsed,
		sockets: server.stats(id).connections - before,
		maxOpen: server.stats(id).maxOpen
	};
}

async function reconnects(server: ControlServer) {
	const id = 'bench-reconnect';
	const client = createRealtimeClient({ url: server.url(id), WebSocket, events: coreEventSchemas });
	await waitFor(() => client.isConnected(), 5_000, 'client connected');
	const trials = [];
	for (let i = 0; i < RECONNECT_TRIALS; i++) trials.push(await outage(server, client, id));
	client.stop();
	await server.waitFor((s) => s.openSockets(id) === 0, 5_000, 'reconnect client closed');
	return trials;
}

const ms = (value: number) => `${value.toFixed(3)} ms`;
const met = (ok: boolean) => (ok ? 'yes' : 'NO');

/** Run every client benchmark and print the table. */
export async function run(): Promise<void> {
	const server = await startControlServer();
	try {
		const frames = Array.from({ length: THROUGHPUT_MESSAGES }, (_, i) =>
			frame(i + 1, notification(i, 0))
		);
		// Warm both paths up until the JIT has settled (the client's longer path takes a few
		// rounds to be optimized; 5,000 frames measured the compiler, not the client), then
		// alternate so drift hits both equally.
		for (let round = 0; round < WARMUP_ROUNDS; round++) {
			await throughput(server, rawReceiver, frames);
			await throughput(server, clientReceiver, frames);
		}
		const raw: number[] = [];
		const client: number[] = [];
		for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
			raw.push(await throughput(server, rawReceiver, frames));
			client.push(await throughput(server, clientReceiver, frames));
		}
		const rawRate = median(raw);
		const clientRate = median(client);
		const ratio = clientRate / rawRate;

		const rawLatency = await latency(server, rawReceiver);
		const clientLatency = await latency(server, clientReceiver);
		const p99 = percentile(clientLatency, 0.99);

		const trials = await reconnects(server);
		const reconnect = median(trials.map((t) => t.elapsed));
		const extraSockets = trials.reduce((sum, t) => sum + t.sockets - 1, 0);
		const maxOpen = Math.max(...trials.map((t) => t.maxOpen));

		console.log(
			`\nClient: ${THROUGHPUT_MESSAGES} msgs x ${THROUGHPUT_ROUNDS} rounds (median), ` +
				`${LATENCY_MESSAGES} msgs at 1,000/s, ${RECONNECT_TRIALS} outages of ${OUTAGE_MS} ms`
		);
		console.table([
			{ figure: 'raw ws msgs/s (baseline)', value: Math.round(rawRate), target: '-', met: '-' },
			{ figure: 'client msgs/s', value: Math.round(clientRate), target: '-', met: '-' },
			{
				figure: 'client / raw throughput',
				value: `${ratio.toFixed(2)}x`,
				target: `>= ${TARGET_RATIO}x`,
				met: met(ratio >= TARGET_RATIO)
			},
			{ figure: 'raw p50 latency', value: ms(percentile(rawLatency, 0.5)), target: '-', met: '-' },
			{ figure: 'raw p99 latency', value: ms(percentile(rawLatency, 0.99)), target: '-', met: '-' },
			{
				figure: 'client p50 latency',
				value: ms(percentile(clientLatency, 0.5)),
				target: '-',
				met: '-'
			},
			{
				figure: 'client p99 latency',
				value: ms(p99),
				target: `<= ${ms(TARGET_P99_MS)}`,
				met: met(p99 <= TARGET_P99_MS)
			},
			{
				figure: 'restart -> open (median)',
				value: ms(reconnect),
				target: `<= ${ms(TARGET_RECONNECT_MS)}`,
				met: met(reconnect <= TARGET_RECONNECT_MS)
			},
			{
				figure: 'restart -> open (all trials)',
				value: trials.map((t) => Math.round(t.elapsed)).join(', ') + ' ms',
				target: '-',
				met: '-'
			},
			{
				figure: 'extra sockets after restarts',
				value: extraSockets,
				target: '0',
				met: met(extraSockets === 0 && maxOpen <= 1)
			}
		]);
	} finally {
		await server.close();
	}
}
