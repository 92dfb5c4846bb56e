/**
 * One chaos run, in one of two deployments (chaos-deployments.ts): the production server
 * (`node build/server.js`) on a temporary SQLite file, or three of them on one PostgreSQL behind
 * nginx. A fault proxy sits in front (of the node, or of nginx), and N Node clients of the real
 * package (several per user) connect through it, while the server emits events for those users
 * (through the app's own /simulate actions, on any node) and the clients send `notification:read`
 * messages. Faults come from a seeded schedule: RST cuts, black holes (half-open), delay,
 * throttle, kill -9 + restart, SIGTERM + restart, a frozen node (SIGSTOP), hub drops and
 * restarts, the browser going offline, client partitions long enough to need a resync, and with
 * three nodes PostgreSQL restarts (clean and crashed). Then everything is healed and the
 * invariants (chaos-report.ts) are checked and returned as counts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ChaosClient } from '../support/chaos-clients';
import { postAction } from '../support/chaos-auth';
import { waitFor } from '../support/chaos-wait';
import { startFaultProxy } from '../support/fault-proxy';
import { mulberry32, pick, shuffle } from '../support/chaos-random';
import { APPLICATION_STATUSES, NOTIFICATION_CATEGORIES } from '../../src/lib/protocol';
import { check, clientOf, type Blackhole, type ChaosReport } from './chaos-report';
import { signIn, startDeployment } from './chaos-deployments';

export interface ChaosConfig {
	/** One node on SQLite, or three on PostgreSQL behind nginx. */
	mode: 'single' | 'cluster';
	seed: number;
	clients: number;
	users: number;
	/** How long faults are injected. */
	faultPhaseMs: number;
	/** Pause between two faults. */
	faultEveryMs: number;
	/** Server events triggered per second (a job fans out to every matching user). */
	emitsPerSecond: number;
	/** Client messages sent per second, all clients together. */
	messagesPerSecond: number;
	/** How long the healed system may take to converge. */
	settleTimeoutMs: number;
	heartbeatInterval: number;
	heartbeatTimeout: number;
	/** The server's ping interval (REALTIME_HEARTBEAT_MS). */
	serverHeartbeatMs: number;
	/** Events the server keeps per user (REALTIME_RETAINED_EVENTS); older ones need a resync. */
	retainedEvents: number;
	log: (line: string) => void;
}

export const FAULTS = [
	'cut-some',
	'cut-all',
	'blackhole',
	'delay',
	'throttle',
	'kill9',
	'sigterm',
	'drop-user',
	'hub-restart',
	'partition',
	'offline',
	'freeze'
] as const;
/** Faults only the three-node deployment has. */
export const CLUSTER_FAULTS = ['postgres-restart'] as const;
export type Fault = (typeof FAULTS)[number] | (typeof CLUSTER_FAULTS)[number];

/** Every fault a run of `mode` injects at least once. */
export function faultsOf(mode: ChaosConfig['mode']): readonly Fault[] {
	return mode === 'cluster' ? [...FAULTS, ...CLUSTER_FAULTS] : FAULTS;
}

/** Run the scenario and return the report; every process and socket is stopped before it returns. */
export async function runChaos(config: ChaosConfig): Promise<ChaosReport> {
	const { log } = config;
	const started = Date.now();
	// Separate streams, so the fault schedule does not shift with how much load ran before it.
	const random = mulberry32(config.seed);
	const faultRandom = mulberry32(config.seed ^ 0x5eed);
	const testProcessErrors: string[] = [];
	const onError = (error: unknown) =>
		testProcessErrors.push(String((error as Error)?.stack ?? error));
	process.on('unhandledRejection', onError);
	process.on('uncaughtException', onError);
	const lag = monitorEventLoopDelay({ resolution: 10 });
	lag.enable();

	const deployment = await startDeployment(config.mode, {
		serverEnv: {
			REALTIME_HEARTBEAT_MS: String(config.serverHeartbeatMs),
			REALTIME_RETAINED_EVENTS: String(config.retainedEvents)
		},
		log
	});
	const proxy = await startFaultProxy({
		target: deployment.target,
		preserveSourceAddress: true
	});
	const clients: ChaosClient[] = [];
	const timers = new Set<NodeJS.Timeout>();
	try {
		log(`[chaos] ${deployment.name}`);
		// Users, each with two applications to move, logged in through the real /login form.
		const users = await deployment.addUsers(config.users);
		const cookies = new Map<number, string>();
		for (const user of users) cookies.set(user.id, await signIn(deployment, user.email));

		// The ground truth: every (user, seq) -> event id the server logged, read as it is written
		// (the log keeps only `retainedEvents` per user). Reads that fail (the database is being
		// restarted) are simply tried again on the next round.
		const truth = new Map<number, Map<number, string>>(users.map((u) => [u.id, new Map()]));
		let reading: Promise<void> | null = null;
		const readTruth = (): Promise<void> =>
			(reading ??= (async () => {
				try {
					for (const [userId, seqs] of truth) {
						const last = Math.max(0, ...seqs.keys());
						for (const row of await deployment.eventsAfter(userId, last)) seqs.set(row.seq, row.id);
					}
				} catch {
					// Next round.
				} finally {
					reading = null;
				}
			})());
		const latestSeq = (userId: number) => Math.max(0, ...(truth.get(userId)?.keys() ?? []));

		const blackholes: Blackhole[] = [];
		/** Notifications some message marks read, per user. */
		const targeted = new Map<number, Set<string>>(users.map((u) => [u.id, new Set()]));
		const origin = `http://127.0.0.1:${proxy.port}`;
		for (let i = 0; i < config.clients; i++) {
			const user = users[i % users.length];
			clients.push(
				new ChaosClient({
					tag: `c${i}`,
					userId: user.id,
					url: proxy.wsUrl(),
					origin,
					cookie: cookies.get(user.id)!,
					// One source address per user (their household), so per-address limits see users.
					localAddress: `127.0.0.${10 + (i % users.length)}`,
					random: mulberry32(config.seed + i + 1),
					heartbeatInterval: config.heartbeatInterval,
					heartbeatTimeout: config.heartbeatTimeout,
					reconnectInterval: 200,
					maxReconnectInterval: 2000,
					timeoutInterval: 3000,
					onNotice: (client, notice) => {
						for (const hole of blackholes) {
							if (hole.client !== client) continue;
							if (notice.kind === 'release' && notice.socketTag === hole.socketTag) {
								hole.detectedAt ??= notice.at;
							} else if (notice.kind === 'open' && hole.detectedAt && !hole.reconnectedAt) {
								hole.reconnectedAt = notice.at;
							}
						}
					}
				})
			);
		}
		await waitFor(
			() => clients.every((c) => c.client.isConnected()),
			'all clients connected',
			30_000
		);
		log(`[chaos] ${clients.length} clients of ${users.length} users connected`);

		// Server-side view (at the proxy, toward the server): sockets per client the client has not
		// released. Never more than one.
		let maxServerSide = 0;
		const sample = () => {
			const counts = new Map<string, number>();
			for (const link of proxy.connections()) {
				const tag = clientOf(link);
				if (!tag || !link.upstreamOpen || !link.clientOpen) continue;
				const client = clients[Number(tag.slice(1))];
				if (client.counter.released.has(link.clientTag!)) continue;
				counts.set(tag, (counts.get(tag) ?? 0) + 1);
			}
			for (const count of counts.values()) maxServerSide = Math.max(maxServerSide, count);
		};
		const every = (ms: number, fn: () => void) => {
			const timer = setInterval(fn, ms);
			timers.add(timer);
			return timer;
		};
		every(50, sample);
		every(250, () => void readTruth());

		// Load: server events and client messages at a steady seeded rate.
		const emitted = { requests: 0, failedWhileDown: 0, events: 0 };
		const emitErrors = new Map<string, number>();
		const applications = new Map<number, number[]>();
		for (const user of users) applications.set(user.id, await deployment.applicationIds(user.id));
		/** The app's /simulate action on any running node (it fans out through the database). */
		const emitFor = async (userId: number, kind: 'notification' | 'application' | 'job') => {
			emitted.requests++;
			const node = deployment.pickNode(random);
			if (!node) {
				emitted.failedWhileDown++;
				return;
			}
			const outages = deployment.outages;
			const wentDown = () => deployment.outages !== outages || !node.running;
			try {
				const fields: Record<string, string> =
					kind === 'notification'
						? { category: pick(random, NOTIFICATION_CATEGORIES) }
						: kind === 'application'
							? {
									id: String(pick(random, applications.get(userId)!)),
									status: pick(random, APPLICATION_STATUSES)
								}
							: {};
				const result = await postAction(node.origin, `/simulate?/${kind}`, fields, {
					cookie: cookies.get(userId)
				});
				if (result.result?.type !== 'success') {
					if (result.status >= 500 && wentDown()) {
						emitted.failedWhileDown++;
						return;
					}
					const key = `http ${result.status} ${result.result?.type ?? ''}`;
					emitErrors.set(key, (emitErrors.get(key) ?? 0) + 1);
					if (result.status >= 500) log(`[chaos] /simulate?/${kind}: ${result.text.slice(0, 300)}`);
				}
			} catch (error) {
				emitted.failedWhileDown++;
				if (!wentDown()) {
					const cause = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
					emitErrors.set(cause, (emitErrors.get(cause) ?? 0) + 1);
				}
			}
		};
		let loadRunning = true;
		const emitLoop = (async () => {
			while (loadRunning) {
				const roll = random();
				const kind = roll < 0.7 ? 'notification' : roll < 0.92 ? 'application' : 'job';
				await emitFor(pick(random, users).id, kind);
				await sleep(1000 / config.emitsPerSecond);
			}
		})();
		every(Math.max(10, Math.round(1000 / config.messagesPerSecond)), () => {
			// Each message reads a notification no other message reads, so each effect is its own.
			const client = pick(random, clients);
			const taken = targeted.get(client.userId)!;
			const id = client.sendRead((n) => !taken.has(n));
			if (id) taken.add(id);
		});

		// Faults, on a seeded schedule: every kind once (shuffled), then weighted picks.
		const faults: Record<string, number> = {};
		const allFaults = faultsOf(config.mode);
		const schedule: Fault[] = shuffle(faultRandom, [...allFaults]);
		const later = (ms: number, fn: () => void) => {
			const timer = setTimeout(() => {
				timers.delete(timer);
				fn();
			}, ms);
			timers.add(timer);
		};
		const connectedClient = () => {
			const candidates = clients.filter(
				(c) => c.client.isConnected() && !blackholes.some((h) => h.client === c && !h.reconnectedAt)
			);
			return candidates.length ? pick(faultRandom, candidates) : undefined;
		};
		const restart = async (how: 'kill9' | 'sigterm') => {
			const exit = await deployment.restartNode(how, faultRandom, 200 + faultRandom() * 1500);
			log(`[chaos] server ${how}: exit ${exit.code ?? exit.signal}`);
		};
		/** A form action on any running node (skipped while none is). */
		const simulate = async (action: string, userId: number) => {
			const node = deployment.pickNode(faultRandom);
			if (node)
				await postAction(node.origin, `/simulate?/${action}`, {}, { cookie: cookies.get(userId) });
		};
		const inject = async (fault: Fault) => {
			faults[fault] = (faults[fault] ?? 0) + 1;
			switch (fault) {
				case 'cut-some':
					proxy.cut((l) => !l.faults.blackhole && faultRandom() < 0.15);
					break;
				case 'cut-all':
					proxy.cut((l) => !l.faults.blackhole);
					break;
				case 'blackhole': {
					const client = connectedClient();
					const link = client
						? proxy
								.connections()
								.find(
									(l) =>
										clientOf(l) === client.tag &&
										l.clientOpen &&
										l.upstreamOpen &&
										!client.counter.released.has(l.clientTag!)
								)
						: undefined;
					if (!client || !link) break;
					proxy.blackhole(link.id);
					blackholes.push({ client, socketTag: link.clientTag!, at: Date.now() });
					break;
				}
				case 'delay': {
					const ms = 50 + Math.round(faultRandom() * 250);
					proxy.delay(ms, undefined, true);
					later(1000 + faultRandom() * 2000, () => proxy.delay(0, undefined, true));
					break;
				}
				case 'throttle': {
					const chosen = proxy.throttle(
						2_000 + Math.round(faultRandom() * 20_000),
						() => faultRandom() < 0.3
					);
					later(1000 + faultRandom() * 2000, () => proxy.throttle(0));
					log(`[chaos] throttled ${chosen} connections`);
					break;
				}
				case 'kill9':
				case 'sigterm':
					await restart(fault);
					break;
				case 'drop-user':
					await simulate('drop', pick(faultRandom, users).id);
					break;
				case 'hub-restart':
					await simulate('restart', users[0].id);
					break;
				case 'offline': {
					// The browser says it is offline (wifi off), then online again.
					const client = connectedClient();
					if (!client) break;
					client.client.actor.send({ type: 'OFFLINE' });
					later(300 + faultRandom() * 1500, () => client.client.actor.send({ type: 'ONLINE' }));
					break;
				}
				case 'freeze': {
					// A node stalls longer than the heartbeat allows: every client on it must notice.
					await deployment.freezeNode(
						faultRandom,
						config.heartbeatInterval + config.heartbeatTimeout + 500 + faultRandom() * 1000
					);
					break;
				}
				case 'partition': {
					// Away long enough that the server's log no longer holds what it missed: a resync.
					const client = connectedClient();
					if (!client) break;
					client.client.disconnect();
					for (let i = 0; i < config.retainedEvents + 5 && deployment.pickNode(random); i++) {
						await emitFor(client.userId, 'notification');
					}
					client.client.connect();
					break;
				}
				default:
					await deployment.injectExtra(fault, faultRandom);
			}
		};
		const faultDeadline = started + config.faultPhaseMs;
		// Every kind at least once, however slow the machine, then until the deadline.
		for (let i = 0; i < schedule.length || Date.now() < faultDeadline; i++) {
			const fault =
				i < schedule.length
					? schedule[i]
					: pick(faultRandom, [
							...allFaults,
							'cut-some',
							'blackhole',
							'delay',
							'drop-user'
						] as Fault[]);
			await inject(fault);
			await sleep(config.faultEveryMs * (0.5 + faultRandom()));
		}

		// Heal and let the system converge.
		loadRunning = false;
		await emitLoop;
		log(`[chaos] emit failures while the server was up: ${JSON.stringify([...emitErrors])}`);
		for (const timer of timers) clearTimeout(timer);
		proxy.heal();
		await deployment.heal();
		// A client still told it is offline is told it is online again (its pending timer is gone).
		for (const client of clients) {
			if (client.client.actor.getSnapshot().matches({ connection: 'offline' })) {
				client.client.actor.send({ type: 'ONLINE' });
			}
		}
		every(50, sample);
		every(250, () => void readTruth());
		const converged = async () => {
			await readTruth();
			const upstream = new Map<string, number>();
			for (const link of proxy.connections()) {
				const tag = clientOf(link);
				if (tag && link.upstreamOpen) upstream.set(tag, (upstream.get(tag) ?? 0) + 1);
			}
			return clients.every(
				(c) =>
					c.client.isConnected() &&
					c.client.getStatusDetail().queueLength === 0 &&
					c.lastSeq === latestSeq(c.userId) &&
					upstream.get(c.tag) === 1
			);
		};
		const settleStarted = Date.now();
		await waitFor(converged, 'convergence', config.settleTimeoutMs, 100).catch((error) =>
			log(`[chaos] ${String(error)}`)
		);
		log(`[chaos] converged ${Date.now() - settleStarted} ms after healing`);
		for (const timer of timers) clearInterval(timer);
		await readTruth();
		const isConverged = await converged();
		return check(config, {
			started,
			clients,
			truth,
			latestSeq,
			deployment,
			proxyLinks: proxy.connections(),
			blackholes,
			faults,
			emitted,
			emitErrors,
			targeted,
			maxServerSide,
			messageTruth: await deployment.messageTruth(users.map((user) => user.id)),
			testProcessErrors,
			lagP99: lag.percentile(99) / 1e6,
			lagMax: lag.max / 1e6,
			converged: isConverged
		});
	} finally {
		lag.disable();
		for (const timer of timers) clearInterval(timer);
		for (const client of clients) client.client.stop();
		await proxy.close();
		await deployment.stop();
		process.off('unhandledRejection', onError);
		process.off('uncaughtException', onError);
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
