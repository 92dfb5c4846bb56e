/**
 * ELK for the drawn chart, in a Web Worker (a layout of the connection chart takes ~0.5 s, which
 * must not freeze the page). Both files are loaded by dynamic import, so only /inspect downloads
 * them; they are the app's own build assets, so this works offline and within the CSP ('self').
 */
import type { ELK } from 'elkjs/lib/elk-api';

let instance: Promise<ELK> | null = null;

/** The page's one ELK (created on first use; the worker lives as long as the page). */
export function loadElk(): Promise<ELK> {
	instance ??= Promise.all([
		import('elkjs/lib/elk-api.js'),
		import('elkjs/lib/elk-worker.min.js?url')
	]).then(([api, worker]) => new api.default({ workerUrl: worker.default }));
	// A failed download may be retried on the next visit.
	instance.catch(() => (instance = null));
	return instance;
}
