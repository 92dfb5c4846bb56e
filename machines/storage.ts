/**
 * Where the outgoing queue is kept between page loads. The adapter is the `getItem`/`setItem`/
 * `removeItem` subset of the Web Storage API, so `localStorage` itself fits, and so does anything an
 * app wants to plug in (IndexedDB mirror, a test double).
 */

/** The part of the Web Storage API the client uses. */
export interface StorageAdapter {
	getItem(key: string): string | null;
	setItem(key: string, value: string): void;
	removeItem(key: string): void;
}

/** A storage that lives as long as the process: the default where there is no `localStorage`. */
export function memoryStorage(): StorageAdapter {
	const items = new Map<string, string>();
	return {
		getItem: (key) => items.get(key) ?? null,
		setItem: (key, value) => void items.set(key, value),
		removeItem: (key) => void items.delete(key)
	};
}

/**
 * `localStorage` behind an adapter that never throws: a full quota or a storage disabled by the
 * user (Safari private mode, sandboxed iframes) degrades to "not persisted", never to a crash.
 * Returns `undefined` where there is no usable `localStorage` (Node, workers).
 */
export function browserStorage(): StorageAdapter | undefined {
	let local: Storage | undefined;
	try {
		local = (globalThis as { localStorage?: Storage }).localStorage;
	} catch {
		return undefined;
	}
	if (!local || typeof local.getItem !== 'function') return undefined;
	const store = local;
	return {
		getItem: (key) => attempt(() => store.getItem(key), null),
		setItem: (key, value) => attempt(() => store.setItem(key, value), undefined),
		removeItem: (key) => attempt(() => store.removeItem(key), undefined)
	};
}

function attempt<T>(run: () => T, fallback: T): T {
	try {
		return run();
	} catch {
		return fallback;
	}
}
