/**
 * Soak run (`npm run soak`, not part of `npm test`): the production server and 1,000 connections
 * of the real client package (50 users x 20, each user from its own 127.0.0.x address) for 10
 * minutes, with heartbeats and a steady trickle of events and client messages. Every 30 s it
 * prints resident memory and event-loop lag for the server (measured inside it by a preloaded
 * probe) and for the client process; at the end, memory growth after the first minute (the
 * least-squares trend of RSS, target <= 10%), event-loop lag p99 after the first minute (target
 * < 50 ms), and whether every client caught up.
 *
 * Environment: SOAK_DURATION_MS (default 600000), SOAK_INTERVAL_MS (30000), SOAK_CONNECTIONS
 * (1000), SOAK_USERS (50), SOAK_EVENTS_PER_SECOND (10), SOAK_MESSAGES_PER_SECOND (5), SOAK_SEED.
 * Exits 1 when a target is missed or a client did not catch up.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { pathToFileURL } from 'node:url';
import { createRealtimeClient, type RealtimeClient } from '../machines/client';
import { addUsers, postAction, sessionCookie } from '../tests/support/chaos-auth';
import { mulberry32, pick } from '../tests/support/chaos-random';
import { ServerProcess } from '../tests/support/chaos-server';
import { waitFor } from '../tests/support/chaos-wait';
import { countingWebSocket } from '../tests/support/chaos-ws';
import { coreEventSchemas, type CoreEventMap } from '../src/lib/protocol';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const DURATION = env('SOAK_DURATION_MS', 600_000);
const INTERVAL = env('SOAK_INTERVAL_MS', 30_000);
const CONNECTIONS = env('SOAK_CONNECTIONS', 1000);
const USERS = env('SOAK_USERS', 50);
const EVENTS_PER_SECOND = env('SOAK_EVENTS_PER_SECOND', 10);
const MESSAGES_PER_SECOND = env('SOAK_MESSAGES_PER_SECOND', 5);
const WARMUP = 60_000;
const MEMORY_GROWTH_TARGET = 0.1;
const LAG_P99_TARGET_MS = 50;

interface Sample {
	at: number;
	rss: number;
	/** Heap still used right after a full garbage collection: the retained memory. */
	heapAfterGc: number | null;
	lagP99: number;
	lagMax: number;
	/** p99 of the event-loop delay since the warm-up ended (null before). */
	steadyP99: number | null;
}

const MiB = 1024 * 1024;
// A full collection at each sample tells retained memory from garbage not yet collected.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const random = mulberry32(env('SOAK_SEED', 7));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<number> {
	const server = await ServerProcess.start({
		nodeArgs: ['--expose-gc', '--import', pathToFileURL('soak/server-probe.mjs').href],
		env: {
			SOAK_INTERVAL_MS: String(INTERVAL),
			SOAK_WARMUP_MS: String(WARMUP),
			REALTIME_HEARTBEAT_MS: '10000',
			REALTIME_MAX_SOCKETS_PER_USER: String(Math.ceil(CONNECTIONS / USERS) * 2)
		}
	});
	const clients: {
		client: RealtimeClient<CoreEventMap>;
		userId: number;
		received: number;
		lastNotification: string | null;
	}[] = [];
	try {
		const users = await addUsers(server.databasePath, USERS, 'soak');
		const cookies = new Map<number, string>();
		for (const user of users) cookies.set(user.id, await sessionCookie(server.origin, user.email));
		console.log(`[soak] server pid ${server.pid} on ${server.origin}; ${USERS} users`);

		const started = Date.now();
		for (let i = 0; i < CONNECTIONS; i++) {
			const user = users[i % users.length];
			const { WebSocket } = countingWebSocket({
				origin: server.origin,
				cookie: cookies.get(user.id),
				localAddress: `127.0.${1 + Math.floor((i % users.length) / 250)}.${10 + ((i % users.length) % 250)}`,
				tag: `s${i}`
			});
			const entry = {
				client: null as unknown as RealtimeClient<CoreEventMap>,
				userId: user.id,
				received: 0,
				lastNotification: null as string | null
			};
			entry.client = createRealtimeClient({
				url: `ws://127.0.0.1:${server.port}/ws`,
				events: coreEventSchemas,
				WebSocket: WebSocket,
				heartbeatInterval: 10_000,
				heartbeatTimeout: 5_000,
				random: mulberry32(i + 1),
				logger: {
					warn: () => {},
					error: (message: string) => console.error(`[soak] client: ${message}`)
				}
			});
			entry.client.subscribe('notification:new', (data) => {
				entry.received++;
				entry.lastNotification = String(data.id);
			});
			clients.push(entry);
			// Connect in waves, as a fleet of browsers would arrive, not all in one millisecond.
			if (i % 100 === 99) {
				await waitFor(
					() => clients.every((c) => c.client.isConnected()),
					'a wave connected',
					60_000
				);
			}
		}
		await waitFor(() => clients.every((c) => c.client.isConnected()), 'all connected', 60_000);
		console.log(`[soak] ${clients.length} connections open after ${Date.now() - started} ms`);

		// Load: a steady trickle of server events and client messages.
		let running = true;
		let emitted = 0;
		let emitFailures = 0;
		const emitLoop = (async () => {
			while (running) {
				const user = pick(random, users);
				const result = await postAction(
					server.origin,
					'/simulate?/notification',
					{ category: 'system' },
					{
						cookie: cookies.get(user.id)
					}
				).catch(() => null);
				if (result?.result?.type === 'success') emitted++;
				else emitFailures++;
				await sleep(1000 / EVENTS_PER_SECOND);
			}
		})();
		let sent = 0;
		const messageTimer = setInterval(() => {
			const { client, lastNotification } = pick(random, clients);
			if (client.isConnected() && lastNotification) {
				client.send('notification:read', { id: lastNotification });
				sent++;
			}
		}, 1000 / MESSAGES_PER_SECOND);

		const lag = monitorEventLoopDelay({ resolution: 10 });
		const steady = monitorEventLoopDelay({ resolution: 10 });
		lag.enable();
		const steadyTimer = setTimeout(
			() => steady.enable(),
			Math.max(0, started + WARMUP - Date.now())
		);
		const serverSamples: Sample[] = [];
		const clientSamples: Sample[] = [];
		let probeOffset = 0;
		const readProbe = () => {
			const lines = server.stdout.slice(probeOffset).split('\n');
			probeOffset = server.stdout.length - (lines.at(-1)?.length ?? 0);
			for (const line of lines.slice(0, -1)) {
				if (!line.startsWith('[soak-probe] ')) continue;
				const probe = JSON.parse(line.slice(13)) as Omit<Sample, 'at'>;
				serverSamples.push({ at: Date.now() - started, ...probe });
			}
		};
		console.log(
			'[soak] t(s)   server RSS / heap after GC  lag p99/max (ms)      clients RSS / heap after GC  lag p99/max (ms)   open  events  delivered'
		);
		const end = Date.now() + DURATION;
		while (Date.now() < end) {
			await sleep(Math.min(INTERVAL, end - Date.now()));
			readProbe();
			const memory = process.memoryUsage();
			gc();
			clientSamples.push({
				at: Date.now() - started,
				rss: memory.rss,
				heapAfterGc: process.memoryUsage().heapUsed,
				lagP99: lag.percentile(99) / 1e6,
				lagMax: lag.max / 1e6,
				steadyP99: steady.count > 0 ? steady.percentile(99) / 1e6 : null
			});
			lag.reset();
			const s = serverSamples.at(-1);
			const c = clientSamples.at(-1)!;
			const open = clients.filter((x) => x.client.isConnected()).length;
			const delivered = clients.reduce((n, x) => n + x.received, 0);
			const memoryOf = (x: Sample) =>
				`${(x.rss / MiB).toFixed(1).padStart(7)} / ${((x.heapAfterGc ?? 0) / MiB).toFixed(1).padStart(5)} MiB`;
			const delay = (x: Sample) =>
				`${x.lagP99.toFixed(1).padStart(6)}/${x.lagMax.toFixed(1).padEnd(8)}`;
			console.log(
				`[soak] ${String(Math.round(c.at / 1000)).padStart(5)}  ` +
					`${s ? `${memoryOf(s)}  ${delay(s)}` : '(no probe line yet)'}      ${memoryOf(c)}  ${delay(c)}  ` +
					`${String(open).padStart(5)}  ${String(emitted).padStart(6)}  ${delivered}`
			);
		}
		running = false;
		clearInterval(messageTimer);
		await emitLoop;
		lag.disable();
		steady.disable();
		clearTimeout(steadyTimer);

		// Everyone caught up: each client's lastSeq is its user's latest.
		const caughtUp = async () => {
			const latest = new Map<number, number>();
			for (const c of clients)
				latest.set(
					c.userId,
					Math.max(latest.get(c.userId) ?? 0, c.client.getStatusDetail().lastSeq)
				);
			return clients.every(
				(c) =>
					c.client.isConnected() &&
					c.client.getStatusDetail().lastSeq === latest.get(c.userId) &&
					c.client.getStatusDetail().queueLength === 0
			);
		};
		const converged = await waitFor(caughtUp, 'clients caught up', 30_000).then(
			() => true,
			() => false
		);

		const verdict = (name: string, samples: Sample[]) => {
			const after = samples.filter((x) => x.at >= WARMUP);
			const window = after.length >= 2 ? after : samples;
			// Memory saw-tooths with garbage collection: judge least-squares trends over the samples
			// after the warm-up, of the heap left after a full collection (what is retained), and
			// report the resident set's trend next to it.
			const growthOf = (pick: (x: Sample) => number) => {
				const trend = linearFit(window.map((x) => [x.at, pick(x)]));
				const from = trend(window[0].at);
				const to = trend(window.at(-1)!.at);
				return { from, to, growth: (to - from) / from };
			};
			const rss = growthOf((x) => x.rss);
			const heap = growthOf((x) => x.heapAfterGc ?? x.rss);
			const p99 = samples.at(-1)!.steadyP99 ?? Math.max(...window.map((x) => x.lagP99));
			const ok = heap.growth <= MEMORY_GROWTH_TARGET && p99 < LAG_P99_TARGET_MS;
			const mib = (n: number) => (n / MiB).toFixed(1);
			console.log(
				`[soak] ${name}: after the first minute (${Math.round(window[0].at / 1000)}-${Math.round(window.at(-1)!.at / 1000)} s): ` +
					`retained heap ${mib(heap.from)} -> ${mib(heap.to)} MiB, growth ${(heap.growth * 100).toFixed(1)}% ` +
					`(target <= ${MEMORY_GROWTH_TARGET * 100}%); RSS ${mib(rss.from)} -> ${mib(rss.to)} MiB, ` +
					`trend ${(rss.growth * 100).toFixed(1)}%; event-loop lag p99 ${p99.toFixed(1)} ms ` +
					`(target < ${LAG_P99_TARGET_MS} ms): ${ok ? 'PASS' : 'MISS'}`
			);
			return ok;
		};
		console.log(
			`[soak] ${CONNECTIONS} connections, ${Math.round(DURATION / 1000)} s, ${emitted} events (${emitFailures} failed requests), ` +
				`${clients.reduce((n, x) => n + x.received, 0)} deliveries, ${sent} client messages; all caught up: ${converged}`
		);
		const serverOk = serverSamples.length > 0 && verdict('server', serverSamples);
		const clientOk = verdict('clients', clientSamples);
		const crash = server.stderr
			.split('\n')
			.filter((line) => /error|exception|rejection/i.test(line));
		if (crash.length) console.log(`[soak] server stderr:\n${crash.slice(0, 20).join('\n')}`);
		return serverOk && clientOk && converged && crash.length === 0 ? 0 : 1;
	} finally {
		for (const { client } of clients) client.stop();
		await server.stop();
	}
}

/** The least-squares line through (x, y) points, as a function of x. */
function linearFit(points: [number, number][]): (x: number) => number {
	const n = points.length;
	const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
	const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
	const sxx = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
	const sxy = points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
	const slope = sxx === 0 ? 0 : sxy / sxx;
	return (x) => my + slope * (x - mx);
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	}
);
