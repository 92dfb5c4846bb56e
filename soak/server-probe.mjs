/**
 * Preloaded into the server process by the soak run (`node --expose-gc --import
 * ./soak/server-probe.mjs build/server.js`): every SOAK_INTERVAL_MS it prints one line with the
 * process's resident memory, the heap left after a full collection, and event-loop delay since the
 * last line (and the p99 since the warm-up ended, for the
 * run's verdict), so the soak can report the server from inside it without touching its code.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const interval = Number(process.env.SOAK_INTERVAL_MS ?? 30_000);
const warmup = Number(process.env.SOAK_WARMUP_MS ?? 60_000);
const started = Date.now();
/** Delay since the last line, and since the end of the warm-up (for the run's p99). */
const lag = monitorEventLoopDelay({ resolution: 10 });
const steady = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
setTimeout(() => steady.enable(), warmup).unref();

setInterval(() => {
	const memory = process.memoryUsage();
	// With --expose-gc, also the heap that survives a full collection: what is really retained.
	globalThis.gc?.();
	const sample = {
		rss: memory.rss,
		heapAfterGc: globalThis.gc ? process.memoryUsage().heapUsed : null,
		lagP50: lag.percentile(50) / 1e6,
		lagP99: lag.percentile(99) / 1e6,
		lagMax: lag.max / 1e6,
		steadyP99: steady.count > 0 ? steady.percentile(99) / 1e6 : null,
		uptime: Date.now() - started
	};
	lag.reset();
	process.stdout.write(`[soak-probe] ${JSON.stringify(sample)}\n`);
}, interval).unref();
