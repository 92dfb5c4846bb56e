/**
 * Where the outgoing queue is kept between page loads. The adapter is the `getItem`/`setItem`/
 * `removeItem` subset of the Web Storage API, so `sessionStorage` itself fits, and so does anything
 * an app wants to plug in (IndexedDB mirror, a test double).
 *
 * A client saves its whole queue under one key after every change, so a storage must belong to
 * one running client: two clients writing the same key erase each other's queued messages.
 */

/** The part of the Web Storage API the client uses, and the optional hand-over between pages. */
export interface StorageAdapter {
	getItem(key: string): string | null;
	setItem(key: string, value: string): void;
	removeItem(key: string): void;
	/**
	 * The page is going away (closed, reloaded, navigated off) with `value` still queued under
	 * `key`: keep a copy where the next client of `key` finds it, in whichever tab it starts.
	 */
	handOver?(key: string, value: string): void;
	/** The values handed over for `key`, oldest first, removed from where they were kept. */
	takeHandedOver?(key: string): string[];
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
 * tab reloaded while offline could lose what it queued.
 *
 * What a tab still has queued when it goes away is not lost with it: on `pagehide` the client
 * hands its queue over, and this adapter keeps it in `localStorage` under a key of its own
 * (`<key>#handed-over#<time><random>`, so tabs closing together never overwrite each other). A tab
 * that is open takes it at once (the `storage` event, see environment.ts); otherwise the next
 * client of the same key adopts it when it starts, in any tab. A reload adopts its own copy back
 * (the messages are merged by id); whatever two pages send twice (a reload racing an open tab, a
 * page restored from the back/forward cache) the server drops by id.
 *
 * Behind an adapter that never throws: a full quota or a storage disabled by the user (Safari
 * private mode, sandboxed iframes) degrades to "not persisted", never to a crash. Returns
 * `undefined` where there is no usable `sessionStorage` (Node, workers).
 */
export function browserStorage(): StorageAdapter | undefined {
	const session = webStorage('sessionStorage');
	if (!session) return undefined;
	const shared = webStorage('localStorage');
	return {
		getItem: (key) => attempt(() => session.getItem(key), null),
		setItem: (key, value) => attempt(() => session.setItem(key, value), undefined),
		removeItem: (key) => attempt(() => session.removeItem(key), undefined),
		...(shared && {
			handOver: (key, value) => attempt(() => shared.setItem(handOverKey(key), value), undefined),
			takeHandedOver: (key) => attempt(() => removeHandedOver(shared, key), [])
		})
	};
}

/** `globalThis[name]` when it is a usable Web Storage (reading it can throw where it is disabled). */
function webStorage(name: 'sessionStorage' | 'localStorage'): Storage | undefined {
	let storage: Storage | undefined;
	try {
		storage = (globalThis as Partial<Record<typeof name, Storage>>)[name];
	} catch {
		return undefined;
	}
	return storage && typeof storage.getItem === 'function' ? storage : undefined;
}

const HANDED_OVER = '#handed-over#';

/** A new key for one hand-over of `key`: it sorts by time, and two tabs never pick the same. */
function handOverKey(key: string): string {
	const time = Date.now().toString(36).padStart(9, '0');
	return `${key}${HANDED_OVER}${time}${Math.random().toString(36).slice(2, 10)}`;
}

/** Remove every hand-over of `key` from `shared` and return the values, oldest first. */
function removeHandedOver(shared: Storage, key: string): string[] {
	const prefix = key + HANDED_OVER;
	const keys: string[] = [];
	for (let index = 0; index < shared.length; index++) {
		const name = shared.key(index);
		if (name?.startsWith(prefix)) keys.push(name);
	}
	const values: string[] = [];
	for (const name of keys.sort()) {
		const value = shared.getItem(name);
		shared.removeItem(name);
		if (value !== null) values.push(value);
	}
	return values;
}

function attempt<T>(run: () => T, fallback: T): T {
	try {
		return run();
	} catch {
		return fallback;
	}
}
