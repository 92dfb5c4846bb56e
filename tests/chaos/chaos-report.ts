/**
 * The invariants of a chaos run, checked from what the run recorded, as counts; and the report as
 * `npm run chaos` prints it.
 */
import type { ChaosClient } from '../support/chaos-clients';
import { CRASH_PATTERN } from '../support/chaos-server';
import type { ProxyConnection } from '../support/fault-proxy';
import type { ChaosDeployment, MessageTruth } from './chaos-deployments';
import type { ChaosConfig } from './chaos-run';

/**
 * Timer lateness allowed on top of heartbeatInterval + heartbeatTimeout: timers never fire early,
 * but late by scheduling granularity plus however long this process's event loop was blocked
 * (measured during the run and added to this).
 */
export const DETECTION_SLACK_MS = 250;

export interface ChaosReport {
	config: Omit<ChaosConfig, 'log'>;
	deployment: string;
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
	/** Error lines nodes wrote while PostgreSQL was down or recovering (expected; not breaches). */
	databaseOutageLines: number;
	eventLoopLagP99Ms: number;
	eventLoopLagMaxMs: number;
	breaches: string[];
}

export interface Blackhole {
	client: ChaosClient;
	socketTag: string;
	at: number;
	detectedAt?: number;
	reconnectedAt?: number;
}

/** The client a proxied connection belongs to (its socket tag is `<client>#<n>`). */
export function clientOf(link: ProxyConnection): string | undefined {
	return link.clientTag?.split('#')[0];
}

export interface RunState {
	started: number;
	clients: ChaosClient[];
	truth: Map<number, Map<number, string>>;
	latestSeq: (userId: number) => number;
	deployment: ChaosDeployment;
	proxyLinks: ProxyConnection[];
	blackholes: Blackhole[];
	faults: Record<string, number>;
	emitted: { requests: number; failedWhileDown: number; events: number };
	emitErrors: Map<string, number>;
	targeted: Map<number, Set<string>>;
	maxServerSide: number;
	messageTruth: MessageTruth;
	testProcessErrors: string[];
	lagP99: number;
	lagMax: number;
	converged: boolean;
}

/** Every invariant, as counts; `breaches` lists what failed. */
export function check(config: ChaosConfig, run: RunState): ChaosReport {
	const { clients, truth, messageTruth, deployment } = run;
	const breaches: string[] = [];
	let deliveries = 0;
	let verified = 0;
	let foreign = 0;
	let missingEvents = 0;
	let coveredByResync = 0;
	let outOfOrder = 0;
	let resyncs = 0;
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
			if (messageTruth.recorded(client.userId, id) === 1) messages.recordedOnce++;
			if (messageTruth.read(client.userId).has(message.data.id)) messages.applied++;
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
	const crashLines: string[] = [];
	let databaseOutageLines = 0;
	for (const node of deployment.nodes) {
		for (const chunk of node.stderrChunks) {
			const lines = chunk.text.split('\n').filter((line) => CRASH_PATTERN.test(line));
			if (deployment.duringDatabaseOutage(chunk.at)) databaseOutageLines += lines.length;
			else crashLines.push(...lines);
		}
	}
	const clientErrors = clients.reduce((n, c) => n + c.loggedErrors.length, 0);
	const serverErrorFrames = clients.flatMap((c) => c.serverErrors);
	const exits = deployment.nodes.flatMap((node) => node.exits);
	const badExits = exits.filter((e) => e.signal !== 'SIGKILL' && e.code !== 0);

	if (outOfOrder) breaches.push(`${outOfOrder} deliveries duplicated or out of seq order`);
	if (foreign) breaches.push(`${foreign} deliveries did not match the server's log for that user`);
	if (messages.unacked) breaches.push(`${messages.unacked} messages never acked`);
	if (messages.recordedOnce !== messages.sent)
		breaches.push(`${messages.sent - messages.recordedOnce} messages not recorded by the server`);
	if (messages.applied !== messages.sent)
		breaches.push(`${messages.sent - messages.applied} messages not applied`);
	// Nothing else was applied: the read notifications are exactly the ones messages named.
	let strayReads = 0;
	for (const [userId, ids] of run.targeted) {
		strayReads += [...messageTruth.read(userId)].filter((id) => !ids.has(id)).length;
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
	// Every exit is a kill -9 of ours or a clean SIGTERM (code 0); anything else is a node that
	// failed to shut down cleanly or died by itself.
	if (badExits.length)
		breaches.push(`server exits neither killed nor clean: ${JSON.stringify(badExits)}`);
	const events = [...truth.values()].reduce((n, seqs) => n + Math.max(0, ...seqs.keys()), 0);

	const { log: _log, ...shown } = config;
	return {
		config: shown,
		deployment: deployment.name,
		durationMs: Date.now() - run.started,
		faults: run.faults,
		serverExits: exits.map((e) => String(e.code ?? e.signal)),
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
		databaseOutageLines,
		eventLoopLagP99Ms: Math.round(run.lagP99),
		eventLoopLagMaxMs: Math.round(run.lagMax),
		breaches
	};
}

/** The report as the lines `npm run chaos` prints. */
export function formatReport(report: ChaosReport): string {
	const r = report;
	return [
		`chaos run: ${r.deployment}, seed ${r.config.seed}, ${r.config.clients} clients / ${r.config.users} users, ${(r.durationMs / 1000).toFixed(1)} s`,
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
		`  errors               client ${r.clientErrors}, server error frames ${r.serverErrors}, test process ${r.testProcessErrors.length}, server crash lines ${r.serverCrashLines.length} (${r.databaseOutageLines} error lines during PostgreSQL restarts)`,
		`  test process event-loop lag p99 ${r.eventLoopLagP99Ms} ms, max ${r.eventLoopLagMaxMs} ms`,
		r.breaches.length ? `  BREACHES:\n    ${r.breaches.join('\n    ')}` : '  breaches             0'
	].join('\n');
}
