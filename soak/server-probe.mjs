/**
 * Preloaded into the server process by the soak run (`node --import ./soak/server-probe.mjs
 * build/server.js`): every SOAK_INTERVAL_MS it prints one line with the process's resident memory,
 * heap and event-loop delay since the last line, so the soak can report the server from inside it
 * without touching the server's code.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const interval = Number(process.env.SOAK_INTERVAL_MS ?? 30_000);
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();

setInterval(() => {
	const memory = process.memoryUsage();
	const sample = {
		rss: memory.rss,
		heapUsed: memory.heapUsed,
		lagP50: lag.percentile(50) / 1e6,
		lagP99: lag.percentile(99) / 1e6,
		lagMax: lag.max / 1e6
	};
	lag.reset();
	process.stdout.write(`[soak-probe] ${JSON.stringify(sample)}\n`);
}, interval).unref();
