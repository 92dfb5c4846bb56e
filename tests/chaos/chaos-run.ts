/**
 * One chaos run: the production server (`node build/server.js`) on a temporary SQLite file, a
 * fault proxy in front of it, and N Node clients of the real package (several per user), while
 * the server emits events for those users (through the app's own /simulate actions) and the
 * clients send `notification:read` messages. Faults come from a seeded schedule: RST cuts,
 * black holes (half-open), delay, throttle, kill -9 + restart, SIGTERM + restart, hub drops and
 * restarts, and client partitions long enough to need a resync. Then everything is healed and the
 * invariants are checked and returned as counts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { ChaosClient } from '../support/chaos-clients';
import { addUsers, postAction, sessionCookie } from '../support/chaos-auth';
import { CRASH_PATTERN, ServerProcess } from '../support/chaos-server';
import { waitFor } from '../support/chaos-wait';
import { startFaultProxy, type ProxyConnection } from '../support/fault-proxy';
import { mulberry32, pick, shuffle } from '../support/chaos-random';
import { APPLICATION_STATUSES } from '../../machines/protocol';

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

/**
 * Timer lateness allowed on top of heartbeatInterval + heartbeatTimeout: timers never fire early,
 * but late by scheduling granularity plus however long this process's event loop was blocked
 * (measured during the run and added to this).
 */
export const DETECTION_SLACK_MS = 250;

export interface ChaosReport {
	config: Omit<ChaosConfig, 'log'>;
	durationMs: number;
	faults: Record<string, number>;
	serverExits: string[];
	emitted: { requests: number; failedWhileDown: number; events: number };
	deliveries: number;
	/** Deliveries whose id matched the server's log for that user and seq. */
	verifiedDeliveries: number;
	duplicatesOrOutOfOrder: number;
	missingEvents: number;
	coveredByResync: number;
	resyncs: number;
	foreignEvents: number;
	messages: {
		sent: number;
		acked: number;
		recordedOnce: number;
		applied: number;
		resent: number;
		unacked: number;
		refused: number;
	};
	sockets: {
		created: number;
		maxOpenPerClient: number;
		maxServerSidePerClient: number;
		staleAtEnd: number;
	};
	blackholes: {
		injected: number;
		detected: number;
		reconnected: number;
		maxDetectionMs: number;
		boundMs: number;
		/** Timer lateness allowed: DETECTION_SLACK_MS + the worst event-loop delay of the run. */
		slackMs: number;
		late: number;
	};
	notConverged: number;
	clientErrors: number;
	serverErrors: number;
	testProcessErrors: string[];
	serverCrashLines: string[];
	eventLoopLagP99Ms: number;
	eventLoopLagMaxMs: number;
	breaches: string[];
}

interface Blackhole {
	client: ChaosClient;
	socketTag: string;
	at: number;
	detectedAt?: number;
	reconnectedAt?: number;
}

const CATEGORIES = ['system', 'job_alert', 'application', 'recommendation', 'social'];

function clientOf(link: ProxyConnection): string | undefined {
	return link.clientTag?.split('#')[0];
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
		const users = addUsers(server.databasePath, config.users);
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
						? { category: pick(random, CATEGORIES) }
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
			if (client.client.actor.getSnapshot().matches('offline')) {
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

interface RunState {
	started: number;
	clients: ChaosClient[];
	truth: Map<number, Map<number, string>>;
	latestSeq: (userId: number) => number;
	server: ServerProcess;
	proxyLinks: ProxyConnection[];
	blackholes: Blackhole[];
	faults: Record<string, number>;
	emitted: { requests: number; failedWhileDown: number; events: number };
	emitErrors: Map<string, number>;
	targeted: Map<number, Set<string>>;
	maxServerSide: number;
	db: Database.Database;
	testProcessErrors: string[];
	lagP99: number;
	lagMax: number;
	converged: boolean;
}

/** Every invariant, as counts; `breaches` lists what failed. */
function check(config: ChaosConfig, run: RunState): ChaosReport {
	const { clients, truth, db } = run;
	const breaches: string[] = [];
	let deliveries = 0;
	let verified = 0;
	let foreign = 0;
	let missingEvents = 0;
	let coveredByResync = 0;
	let outOfOrder = 0;
	let resyncs = 0;
	const recorded = db
		.prepare<[number, string], number>(
			'SELECT COUNT(*) FROM client_messages WHERE user_id = ? AND id = ?'
		)
		.pluck();
	const isRead = db
		.prepare<[number, string], number>(
			'SELECT read FROM notifications WHERE user_id = ? AND id = ?'
		)
		.pluck();
	const messages = {
		sent: 0,
		acked: 0,
		recordedOnce: 0,
		applied: 0,
		resent: 0,
		unacked: 0,
		refused: 0
	};
	let maxOpen = 0;
	let created = 0;
	for (const client of clients) {
		const seqs = truth.get(client.userId)!;
		deliveries += client.delivered.length;
		for (const delivery of client.delivered) {
			const id = seqs.get(delivery.seq);
			if (id === delivery.id) verified++;
			else if (id !== undefined) foreign++;
		}
		outOfOrder += client.orderBreaches.length;
		resyncs += client.resyncs.length;
		const gap = client.missing(run.latestSeq(client.userId));
		missingEvents += gap.missing.length;
		coveredByResync += gap.coveredByResync;
		if (gap.missing.length)
			breaches.push(`${client.tag} missed seqs ${gap.missing.slice(0, 10).join(',')}`);
		for (const [id, message] of client.sent) {
			messages.sent++;
			if (client.acked.has(id)) messages.acked++;
			else messages.unacked++;
			if (recorded.get(client.userId, id) === 1) messages.recordedOnce++;
			if (isRead.get(client.userId, message.data.id) === 1) messages.applied++;
			if ((client.transmissions.get(id) ?? 0) > 1) messages.resent++;
		}
		messages.refused += client.refusedSends.length;
		maxOpen = Math.max(maxOpen, client.counter.maxOpen);
		created += client.counter.created;
	}
	const staleAtEnd = run.proxyLinks.filter((l) => {
		const tag = clientOf(l);
		return (
			tag && l.upstreamOpen && clients[Number(tag.slice(1))].counter.released.has(l.clientTag!)
		);
	}).length;
	const boundMs = config.heartbeatInterval + config.heartbeatTimeout;
	const holes = run.blackholes;
	const detections = holes.filter((h) => h.detectedAt).map((h) => h.detectedAt! - h.at);
	const slackMs = Math.round(DETECTION_SLACK_MS + run.lagMax);
	const late = detections.filter((ms) => ms > boundMs + slackMs).length;
	const crashLines = run.server.stderr.split('\n').filter((line) => CRASH_PATTERN.test(line));
	const clientErrors = clients.reduce((n, c) => n + c.loggedErrors.length, 0);
	const serverErrorFrames = clients.flatMap((c) => c.serverErrors);
	const badExits = run.server.exits.filter((e) => e.signal !== 'SIGKILL' && e.code !== 0);

	if (outOfOrder) breaches.push(`${outOfOrder} deliveries duplicated or out of seq order`);
	if (foreign) breaches.push(`${foreign} deliveries did not match the server's log for that user`);
	if (messages.unacked) breaches.push(`${messages.unacked} messages never acked`);
	if (messages.recordedOnce !== messages.sent)
		breaches.push(`${messages.sent - messages.recordedOnce} messages not recorded by the server`);
	if (messages.applied !== messages.sent)
		breaches.push(`${messages.sent - messages.applied} messages not applied`);
	// Nothing else was applied: the read notifications are exactly the ones messages named.
	const readIds = db
		.prepare<[number], string>('SELECT id FROM notifications WHERE user_id = ? AND read = 1')
		.pluck();
	let strayReads = 0;
	for (const [userId, ids] of run.targeted) {
		strayReads += readIds.all(userId).filter((id) => !ids.has(id)).length;
	}
	if (strayReads) breaches.push(`${strayReads} notifications read that no message named`);
	if (messages.refused) breaches.push(`${messages.refused} sends refused by the client queue`);
	if (maxOpen > 1) breaches.push(`a client held ${maxOpen} open sockets`);
	if (run.maxServerSide > 1)
		breaches.push(`the server saw ${run.maxServerSide} live sockets of one client`);
	if (staleAtEnd)
		breaches.push(`${staleAtEnd} abandoned sockets still open at the server after settling`);
	if (holes.length !== detections.length)
		breaches.push(`${holes.length - detections.length} black holes never detected`);
	if (late)
		breaches.push(
			`${late} black holes detected later than ${boundMs} ms (+${slackMs} ms timer slack)`
		);
	const reconnected = holes.filter((h) => h.reconnectedAt).length;
	if (reconnected !== holes.length)
		breaches.push(`${holes.length - reconnected} black-holed clients never reconnected`);
	if (!run.converged) breaches.push('the system did not converge after healing');
	if (clientErrors) breaches.push(`${clientErrors} client errors logged`);
	if (serverErrorFrames.length)
		breaches.push(
			`${serverErrorFrames.length} error frames from the server: ${serverErrorFrames.slice(0, 3).join(' | ')}`
		);
	if (run.testProcessErrors.length)
		breaches.push(`${run.testProcessErrors.length} unhandled errors in the test process`);
	if (crashLines.length) breaches.push(`${crashLines.length} crash lines on the server's stderr`);
	const serverFailures = [...run.emitErrors].filter(([key]) => key.startsWith('http 5'));
	if (serverFailures.length)
		breaches.push(`simulate requests failed on the server: ${JSON.stringify(serverFailures)}`);
	if (badExits.length)
		breaches.push(`server exits after SIGTERM not clean: ${JSON.stringify(badExits)}`);
	const events = [...truth.values()].reduce((n, seqs) => n + Math.max(0, ...seqs.keys()), 0);

	const { log: _log, ...shown } = config;
	return {
		config: shown,
		durationMs: Date.now() - run.started,
		faults: run.faults,
		serverExits: run.server.exits.map((e) => String(e.code ?? e.signal)),
		emitted: { ...run.emitted, events },
		deliveries,
		verifiedDeliveries: verified,
		duplicatesOrOutOfOrder: outOfOrder,
		missingEvents,
		coveredByResync,
		resyncs,
		foreignEvents: foreign,
		messages,
		sockets: {
			created,
			maxOpenPerClient: maxOpen,
			maxServerSidePerClient: run.maxServerSide,
			staleAtEnd
		},
		blackholes: {
			injected: holes.length,
			detected: detections.length,
			reconnected,
			maxDetectionMs: Math.max(0, ...detections),
			boundMs,
			slackMs,
			late
		},
		notConverged: run.converged ? 0 : 1,
		clientErrors,
		serverErrors: serverErrorFrames.length,
		testProcessErrors: run.testProcessErrors,
		serverCrashLines: crashLines.slice(0, 20),
		eventLoopLagP99Ms: Math.round(run.lagP99),
		eventLoopLagMaxMs: Math.round(run.lagMax),
		breaches
	};
}

/** The report as the lines `npm run chaos` prints. */
export function formatReport(report: ChaosReport): string {
	const r = report;
	return [
		`chaos run: seed ${r.config.seed}, ${r.config.clients} clients / ${r.config.users} users, ${(r.durationMs / 1000).toFixed(1)} s`,
		`  faults injected      ${Object.entries(r.faults)
			.map(([k, v]) => `${k} ${v}`)
			.join(', ')}`,
		`  server runs ended    ${r.serverExits.join(', ')}`,
		`  server events        ${r.emitted.events} logged (${r.emitted.requests} simulate requests, ${r.emitted.failedWhileDown} refused while down)`,
		`  deliveries           ${r.deliveries} (${r.verifiedDeliveries} checked against the log by id)`,
		`  duplicate/out-of-order ${r.duplicatesOrOutOfOrder}, foreign ${r.foreignEvents}, missing ${r.missingEvents}`,
		`  covered by resync    ${r.coveredByResync} events in ${r.resyncs} resyncs (client refetches)`,
		`  messages             sent ${r.messages.sent}, acked ${r.messages.acked}, recorded once ${r.messages.recordedOnce}, applied ${r.messages.applied}, resent ${r.messages.resent}, refused ${r.messages.refused}`,
		`  sockets              ${r.sockets.created} created, max open per client ${r.sockets.maxOpenPerClient} (client side), ${r.sockets.maxServerSidePerClient} (server side), stale at end ${r.sockets.staleAtEnd}`,
		`  black holes          ${r.blackholes.injected} injected, ${r.blackholes.detected} detected (max ${r.blackholes.maxDetectionMs} ms, bound ${r.blackholes.boundMs} ms + ${r.blackholes.slackMs} ms timer slack), ${r.blackholes.reconnected} reconnected`,
		`  errors               client ${r.clientErrors}, server error frames ${r.serverErrors}, test process ${r.testProcessErrors.length}, server crash lines ${r.serverCrashLines.length}`,
		`  test process event-loop lag p99 ${r.eventLoopLagP99Ms} ms, max ${r.eventLoopLagMaxMs} ms`,
		r.breaches.length ? `  BREACHES:\n    ${r.breaches.join('\n    ')}` : '  breaches             0'
	].join('\n');
}
