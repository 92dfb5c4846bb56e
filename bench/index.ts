/**
 * `npm run bench`: runs every benchmark in this process, one after the other, each printing its
 * own table of figures, targets and whether they were met. Benchmarks are not tests: nothing here
 * fails the run because of a figure.
 */
import { availableParallelism, loadavg } from 'node:os';
import { run as runBundle } from './bundle';
import { run as runClient } from './client';
import { run as runCluster } from './cluster';
import { run as runServer } from './server';

const benches: Array<[name: string, run: () => Promise<unknown>]> = [
	['package bundle size', runBundle],
	['client throughput, latency and reconnect', runClient],
	['server', runServer],
	['scale-out: 3 nodes on PostgreSQL next to 1 node on SQLite', runCluster]
];

// Timings depend on what else the machine is doing: say so next to them.
console.log(
	`Node ${process.version}, ${availableParallelism()} CPU(s), load average ` +
		loadavg()
			.map((load) => load.toFixed(2))
			.join(' ')
);

for (const [name, run] of benches) {
	console.log(`\n=== ${name} ===`);
	const started = performance.now();
	await run();
	console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
