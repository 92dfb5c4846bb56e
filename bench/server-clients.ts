/**
 * Server benchmark worker: holds many idle WebSocket clients (they answer the server's pings),
 * and times the arrival of each fan-out event on every one of them. Driven over IPC by
 * bench/server.ts.
 */
import { WebSocket } from 'ws';
import { serveRequests, wallClock } from './server-ipc';

const sockets: WebSocket[] = [];
let closes = 0;
let pings = 0;

/** The fan-out round being timed: arrival latencies and how many sockets still wait for it. */
let round:
	| { id: number; latencies: number[]; done: () => void; waiting: number; complete: Promise<void> }
	| undefined;

function onMessage(data: WebSocket.RawData): void {
	const frame = JSON.parse(data.toString()) as {
		type: string;
		data: { round: number; sentAt: number };
	};
	if (frame.type !== 'bench:fanout' || !round || frame.data.round !== round.id) return;
	round.latencies.push(wallClock() - frame.data.sentAt);
	if (round.latencies.length === round.waiting) round.done();
}

/**
 * Open one client: wait for the welcome, resume from it, resolve once the resume is sent. From
 * `localAddress` when given (through a proxy, one source address holds at most ~28,000 sockets).
 */
function open(url: string, token: string, localAddress?: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, {
			headers: { authorization: `Bearer ${token}` },
			perMessageDeflate: false,
			localAddress
		});
		ws.once('error', reject);
		ws.once('message', (data) => {
			const welcome = JSON.parse(data.toString()) as { type: string; data: { lastSeq: number } };
			if (welcome.type !== 'welcome')
				return reject(new Error(`expected welcome, got ${welcome.type}`));
			ws.send(JSON.stringify({ type: 'resume', data: { lastSeq: welcome.data.lastSeq } }));
			ws.on('message', onMessage);
			ws.on('ping', () => pings++);
			ws.once('close', () => closes++);
			sockets.push(ws);
			resolve();
		});
	});
}

async function connect(
	url: string,
	token: string,
	count: number,
	concurrency: number,
	localAddresses: string[] = []
): Promise<object> {
	let failed = 0;
	let next = 0;
	const started = performance.now();
	const lane = async () => {
		while (next < count) {
			const address = localAddresses.length
				? localAddresses[next % localAddresses.length]
				: undefined;
			next++;
			await open(url, token, address).catch(() => failed++);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, lane));
	return { opened: count - failed, failed, ms: performance.now() - started };
}

serveRequests(async (request) => {
	switch (request.cmd) {
		case 'connect':
			return connect(
				request.url as string,
				request.token as string,
				request.count as number,
				request.concurrency as number,
				request.localAddresses as string[] | undefined
			);
		case 'status':
			return {
				open: sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length,
				closes,
				pings
			};
		case 'arm': {
			// Start timing a round: `collect` resolves when every open socket has its event.
			const waiting = sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length;
			const latencies: number[] = [];
			let done = () => undefined as void;
			const complete = new Promise<void>((resolve) => (done = resolve));
			round = { id: request.round as number, latencies, done, waiting, complete };
			if (waiting === 0) done();
			return {};
		}
		case 'collect': {
			const current = round;
			if (!current) throw new Error('collect before arm');
			let timer: NodeJS.Timeout | undefined;
			await Promise.race([
				current.complete,
				new Promise<void>((resolve) => (timer = setTimeout(resolve, request.timeout as number)))
			]);
			clearTimeout(timer);
			round = undefined;
			return { latencies: current.latencies, missing: current.waiting - current.latencies.length };
		}
		case 'close':
			for (const ws of sockets) ws.terminate();
			setImmediate(() => process.exit(0));
			return {};
		default:
			throw new Error(`unknown command ${request.cmd}`);
	}
});
process.send?.({ ready: true });
