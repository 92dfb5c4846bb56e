/**
 * `npm run bench`: runs every benchmark in this process, one after the other, each printing its
 * own table of figures, targets and whether they were met. Benchmarks are not tests: nothing here
 * fails the run because of a figure.
 */
import { availableParallelism, loadavg } from 'node:os';
import { run as runBundle } from './bundle';
import { run as runCluster } from './cluster';
import { run as runPeers } from './peers/index';
import { run as runServer } from './server';
import { run as runTabs } from './tabs';

// Timings depend on what else the machine is doing: say so next to them.
console.log(
	`Node ${process.version}, ${availableParallelism()} CPU(s), load average ` +
		loadavg()
			.map((load) => load.toFixed(2))
			.join(' ')
);

const timed = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
	console.log(`\n=== ${name} ===`);
	const started = performance.now();
	const result = await run();
	console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
	return result;
};

// `npm run bench -- peers server` runs only those (bundle, peers, server, cluster, tabs); none: all.
const only = process.argv.slice(2);
const selected = (name: string) => only.length === 0 || only.includes(name);

const bundles = selected('bundle')
	? await timed('browser bundle sizes', runBundle)
	: new Map<string, number>();
if (selected('peers')) await timed('clients side by side', () => runPeers(bundles));
if (selected('server')) await timed('server', runServer);
if (selected('cluster')) {
	await timed('scale-out: 3 nodes on PostgreSQL next to 1 node on SQLite', runCluster);
}
if (selected('tabs')) await timed('tabs sharing one connection (Chromium)', runTabs);
