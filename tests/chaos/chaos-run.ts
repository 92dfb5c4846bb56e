/**
 * One chaos run: the production server (`node build/server.js`) on a temporary SQLite file, a
 * fault proxy in front of it, and N Node clients of the real package (several per user), while
 * the server emits events for those users (through the app's own /simulate actions) and the
 * clients send `notification:read` messages. Faults come from a seeded schedule: RST cuts,
 * black holes (half-open), delay, throttle, kill -9 + restart, SIGTERM + restart, a frozen server
 * (SIGSTOP), hub drops and restarts, the browser going offline, and client partitions long enough
 * to need a resync. Then everything is healed and the invariants (chaos-report.ts) are checked and
 * returned as counts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { ChaosClient } from '../support/chaos-clients';
import { addUsers, postAction, sessionCookie } from '../support/chaos-auth';
import { ServerProcess } from '../support/chaos-server';
import { waitFor } from '../support/chaos-wait';
import { startFaultProxy } from '../support/fault-proxy';
import { mulberry32, pick, shuffle } from '../support/chaos-random';
import { APPLICATION_STATUSES, NOTIFICATION_CATEGORIES } from '../../src/lib/protocol';
import { check, clientOf, type Blackhole, type ChaosReport } from './chaos-report';

export interface ChaosConfig {
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
export type Fault = (typeof FAULTS)[number];

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

	const server = await ServerProcess.start({
		env: {
			REALTIME_HEARTBEAT_MS: String(config.serverHeartbeatMs),
			REALTIME_RETAINED_EVENTS: String(config.retainedEvents)
		}
	});
	const proxy = await startFaultProxy({
		target: { port: server.port },
		preserveSourceAddress: true
	});
	const clients: ChaosClient[] = [];
	const timers = new Set<NodeJS.Timeout>();
	const truthDb = new Database(server.databasePath, { readonly: true, fileMustExist: true });
	try {
		// Users, each with two applications to move, logged in through the real /login form.
		const users = await addUsers(server.databasePath, config.users);
		const writer = new Database(server.databasePath);
		writer.pragma('busy_timeout = 5000');
		const jobIds = writer
			.prepare('SELECT id FROM jobs ORDER BY id LIMIT 2')
			.pluck()
			.all() as number[];
		const addApplication = writer.prepare(
			"INSERT INTO applications (user_id, job_id, status, created_at, updated_at) VALUES (?, ?, 'saved', ?, ?)"
		);
		const now = new Date().toISOString();
		for (const user of users)
			for (const jobId of jobIds) addApplication.run(user.id, jobId, now, now);
		writer.close();
		const cookies = new Map<number, string>();
		for (const user of users) cookies.set(user.id, await sessionCookie(server.origin, user.email));

		// The ground truth: every (user, seq) -> event id the server logged, read as it is written
		// (the log keeps only `retainedEvents` per user).
		const truth = new Map<number, Map<number, string>>(users.map((u) => [u.id, new Map()]));
		const readLog = truthDb.prepare<[number, number], { seq: number; id: string }>(
			'SELECT seq, id FROM event_log WHERE user_id = ? AND seq > ? ORDER BY seq'
		);
		const readTruth = () => {
			for (const [userId, seqs] of truth) {
				const last = Math.max(0, ...seqs.keys());
				for (const row of readLog.all(userId, last)) seqs.set(row.seq, row.id);
			}
		};
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
		every(250, readTruth);

		// Load: server events and client messages at a steady seeded rate.
		const emitted = { requests: 0, failedWhileDown: 0, events: 0 };
		const emitErrors = new Map<string, number>();
		const applications = new Map(
			users.map((u) => [
				u.id,
				truthDb
					.prepare<[number], number>('SELECT id FROM applications WHERE user_id = ?')
					.pluck()
					.all(u.id)
			])
		);
		const emitFor = async (userId: number, kind: 'notification' | 'application' | 'job') => {
			emitted.requests++;
			const up = server.running;
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
				const result = await postAction(server.origin, `/simulate?/${kind}`, fields, {
					cookie: cookies.get(userId)
				});
				if (result.result?.type !== 'success') {
					const key = `http ${result.status} ${result.result?.type ?? ''}`;
					emitErrors.set(key, (emitErrors.get(key) ?? 0) + 1);
					if (result.status >= 500) log(`[chaos] /simulate?/${kind}: ${result.text.slice(0, 300)}`);
				}
			} catch (error) {
				emitted.failedWhileDown++;
				if (up && server.running) {
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
		const schedule: Fault[] = shuffle(faultRandom, [...FAULTS]);
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
			const exit = how === 'kill9' ? await server.kill9() : await server.sigterm();
			log(`[chaos] server ${how}: exit ${exit.code ?? exit.signal}`);
			await sleep(200 + faultRandom() * 1500);
			await server.start();
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
				case 'drop-user': {
					const user = pick(faultRandom, users);
					await postAction(server.origin, '/simulate?/drop', {}, { cookie: cookies.get(user.id) });
					break;
				}
				case 'hub-restart':
					await postAction(
						server.origin,
						'/simulate?/restart',
						{},
						{ cookie: cookies.get(users[0].id) }
					);
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
					// The server stalls longer than the heartbeat allows: every client must notice.
					server.freeze();
					await sleep(
						config.heartbeatInterval + config.heartbeatTimeout + 500 + faultRandom() * 1000
					);
					server.thaw();
					break;
				}
				case 'partition': {
					// Away long enough that the server's log no longer holds what it missed: a resync.
					const client = connectedClient();
					if (!client) break;
					client.client.disconnect();
					for (let i = 0; i < config.retainedEvents + 5 && server.running; i++) {
						await emitFor(client.userId, 'notification');
					}
					client.client.connect();
					break;
				}
			}
		};
		const faultDeadline = started + config.faultPhaseMs;
		// Every kind at least once, however slow the machine, then until the deadline.
		for (let i = 0; i < schedule.length || Date.now() < faultDeadline; i++) {
			const fault =
				i < schedule.length
					? schedule[i]
					: pick(faultRandom, [
							...FAULTS,
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
		if (!server.running) await server.start();
		// A client still told it is offline is told it is online again (its pending timer is gone).
		for (const client of clients) {
			if (client.client.actor.getSnapshot().matches({ connection: 'offline' })) {
				client.client.actor.send({ type: 'ONLINE' });
			}
		}
		every(50, sample);
		every(250, readTruth);
		const converged = () => {
			readTruth();
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
		readTruth();
		return check(config, {
			started,
			clients,
			truth,
			latestSeq,
			server,
			proxyLinks: proxy.connections(),
			blackholes,
			faults,
			emitted,
			emitErrors,
			targeted,
			maxServerSide,
			db: truthDb,
			testProcessErrors,
			lagP99: lag.percentile(99) / 1e6,
			lagMax: lag.max / 1e6,
			converged: converged()
		});
	} finally {
		lag.disable();
		for (const timer of timers) clearInterval(timer);
		for (const client of clients) client.client.stop();
		await proxy.close();
		truthDb.close();
		await server.stop();
		process.off('unhandledRejection', onError);
		process.off('uncaughtException', onError);
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
