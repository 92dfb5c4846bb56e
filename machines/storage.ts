/**
 * Where the outgoing queue is kept between page loads. The adapter is the `getItem`/`setItem`/
 * `removeItem` subset of the Web Storage API, so `sessionStorage` itself fits, and so does anything
 * an app wants to plug in (IndexedDB mirror, a test double).
 *
 * A client saves its whole queue under one key after every change, so a storage must belong to
 * one running client: two clients writing the same key erase each other's queued messages.
 */

/** The part of the Web Storage API the client uses. */
export interface StorageAdapter {
	getItem(key: string): string | null;
	setItem(key: string, value: string): void;
	removeItem(key: string): void;
}

/** A storage that lives as long as the process: the default where there is no `sessionStorage`. */
export function memoryStorage(): StorageAdapter {
	const items = new Map<string, string>();
	return {
		getItem: (key) => items.get(key) ?? null,
		setItem: (key, value) => void items.set(key, value),
		removeItem: (key) => void items.delete(key)
	};
}

/**
 * The browser's `sessionStorage`, the default storage of the queue: it is per tab and survives a
 * reload of that tab, which is exactly the outbox's life. `localStorage` is shared by every tab of
 * the origin, so two tabs would overwrite each other's saved queue (the last writer wins) and a
 * tab reloaded while offline could lose what it queued. The cost: messages still queued when a
 * tab is closed go with it. A duplicated tab starts with a copy of the queue and may send the
 * same messages again, which the server drops by id.
 *
 * Behind an adapter that never throws: a full quota or a storage disabled by the user (Safari
 * private mode, sandboxed iframes) degrades to "not persisted", never to a crash. Returns
 * `undefined` where there is no usable `sessionStorage` (Node, workers).
 */
export function browserStorage(): StorageAdapter | undefined {
	let session: Storage | undefined;
	try {
		session = (globalThis as { sessionStorage?: Storage }).sessionStorage;
	} catch {
		return undefined;
	}
	if (!session || typeof session.getItem !== 'function') return undefined;
	const store = session;
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
