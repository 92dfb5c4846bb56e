/**
 * The chaos suite, in both deployments (one node on SQLite; three nodes on PostgreSQL behind
 * nginx): a short seeded run of each in the normal test command (about 20 clients, under a
 * minute each), the full runs (100 clients, at most 5 minutes each) with `npm run chaos`
 * (CHAOS_FULL=1; CHAOS_MODE=single or cluster runs one of them). CHAOS_SEED replays a run. See
 * chaos-run.ts for the scenario and the invariants.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatReport } from './chaos-report';
import { faultsOf, runChaos, type ChaosConfig } from './chaos-run';

const full = process.env.CHAOS_FULL === '1';
const seed = Number(process.env.CHAOS_SEED ?? 4242);

const common = {
	seed,
	heartbeatInterval: 1000,
	heartbeatTimeout: 1000,
	serverHeartbeatMs: 1000,
	retainedEvents: 50,
	log: (line: string) => console.log(line)
};

const SHORT: Omit<ChaosConfig, 'mode'> = {
	...common,
	clients: 20,
	users: 4,
	faultPhaseMs: 30_000,
	faultEveryMs: 1200,
	emitsPerSecond: 15,
	messagesPerSecond: 10,
	settleTimeoutMs: 20_000
};

const FULL: Omit<ChaosConfig, 'mode'> = {
	...common,
	clients: 100,
	users: 10,
	faultPhaseMs: 180_000,
	faultEveryMs: 1500,
	emitsPerSecond: 25,
	messagesPerSecond: 40,
	settleTimeoutMs: 60_000
};

const MODES = (['single', 'cluster'] as const).filter(
	(mode) => !process.env.CHAOS_MODE || process.env.CHAOS_MODE === mode
);
const TITLES = {
	single: 'one node on SQLite',
	cluster: 'three nodes on PostgreSQL behind nginx'
};

describe.each(MODES)('chaos (%s): nothing lost, never two sockets', (mode) => {
	it(
		full
			? `full run: 100 clients under seeded faults, ${TITLES[mode]}`
			: `short seeded run: 20 clients under faults, ${TITLES[mode]}`,
		async () => {
			if (!existsSync('build/server.js'))
				throw new Error('build/server.js missing: run npm run build');
			const report = await runChaos({ ...(full ? FULL : SHORT), mode });
			console.log(formatReport(report));
			// The run must have exercised what it claims to check.
			for (const fault of faultsOf(mode)) expect(report.faults[fault], fault).toBeGreaterThan(0);
			expect(report.deliveries).toBeGreaterThan(0);
			expect(report.messages.sent).toBeGreaterThan(0);
			expect(report.blackholes.injected).toBeGreaterThan(0);
			expect(report.resyncs).toBeGreaterThan(0);
			expect(report.breaches).toEqual([]);
		},
		full ? 330_000 : 90_000
	);
});
