/**
 * The queue's default storage: the tab's own `sessionStorage` in a browser (never the
 * `localStorage` every tab shares), memory in Node, and an adapter that never throws.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveOptions } from '../../machines/options';
import { browserStorage, memoryStorage, type StorageAdapter } from '../../machines/storage';
import { fakeSockets } from '../support/connection-fakes';
import { fakeWebStorage } from '../support/web-storage';

const base = { url: 'ws://127.0.0.1:9/ws', WebSocket: fakeSockets().WebSocket };

afterEach(() => vi.unstubAllGlobals());

/** A browser's two storages, as globals. */
function stubBrowserStorages() {
	const local = fakeWebStorage();
	const session = fakeWebStorage();
	vi.stubGlobal('localStorage', local);
	vi.stubGlobal('sessionStorage', session);
	return { local, session };
}

describe('browserStorage', () => {
	it('is the tab’s sessionStorage, not the localStorage all tabs share', () => {
		const { local, session } = stubBrowserStorages();
		const storage = browserStorage()!;
		storage.setItem('k', 'v');
		expect(session.getItem('k')).toBe('v');
		expect(local.getItem('k')).toBeNull();
		expect(storage.getItem('k')).toBe('v');
		storage.removeItem('k');
		expect(session.getItem('k')).toBeNull();
	});

	it('hands a queue over through localStorage; the next client of the key takes it once, oldest first', () => {
		const { local, session } = stubBrowserStorages();
		vi.useFakeTimers({ now: 1_000 });
		try {
			const storage = browserStorage()!;
			storage.handOver!('k', 'older');
			vi.setSystemTime(2_000);
			storage.handOver!('k', 'newer');
			storage.handOver!('other', 'not for k');
			expect(session.length).toBe(0);
			expect(local.length).toBe(3);

			const next = browserStorage()!;
			expect(next.takeHandedOver!('k')).toEqual(['older', 'newer']);
			expect(next.takeHandedOver!('k')).toEqual([]);
			expect(next.takeHandedOver!('other')).toEqual(['not for k']);
			expect(local.length).toBe(0);
		} finally {
			vi.useRealTimers();
		}
	});

	it('keeps both hand-overs of two tabs that close in the same millisecond', () => {
		stubBrowserStorages();
		vi.useFakeTimers({ now: 5_000 });
		try {
			const tabA = browserStorage()!;
			const tabB = browserStorage()!;
			tabA.handOver!('k', 'from A');
			tabB.handOver!('k', 'from B');
			expect(browserStorage()!.takeHandedOver!('k').sort()).toEqual(['from A', 'from B']);
		} finally {
			vi.useRealTimers();
		}
	});

	it('offers no hand-over without a localStorage', () => {
		vi.stubGlobal('sessionStorage', fakeWebStorage());
		const storage = browserStorage()!;
		expect(storage.handOver).toBeUndefined();
		expect(storage.takeHandedOver).toBeUndefined();
	});

	it('is undefined where there is no sessionStorage (Node)', () => {
		expect(browserStorage()).toBeUndefined();
		vi.stubGlobal('localStorage', memoryStorage());
		expect(browserStorage()).toBeUndefined();
	});

	it('never throws: a full quota or a storage the user disabled means not persisted', () => {
		const broken: StorageAdapter = {
			getItem: () => {
				throw new Error('SecurityError');
			},
			setItem: () => {
				throw new Error('QuotaExceededError');
			},
			removeItem: () => {
				throw new Error('SecurityError');
			}
		};
		vi.stubGlobal('sessionStorage', broken);
		vi.stubGlobal('localStorage', {
			...broken,
			get length(): number {
				throw new Error('SecurityError');
			}
		});
		const storage = browserStorage()!;
		expect(storage.getItem('k')).toBeNull();
		expect(() => storage.setItem('k', 'v')).not.toThrow();
		expect(() => storage.removeItem('k')).not.toThrow();
		expect(() => storage.handOver!('k', 'v')).not.toThrow();
		expect(storage.takeHandedOver!('k')).toEqual([]);

		// Sandboxed iframes throw on merely reading the property.
		Object.defineProperty(globalThis, 'sessionStorage', {
			configurable: true,
			get() {
				throw new Error('SecurityError');
			}
		});
		try {
			expect(browserStorage()).toBeUndefined();
		} finally {
			delete (globalThis as { sessionStorage?: unknown }).sessionStorage;
		}
	});
});

describe('the default storage option', () => {
	it('is the tab’s sessionStorage in a browser', () => {
		const { local, session } = stubBrowserStorages();
		resolveOptions(base).storage.setItem('k', 'v');
		expect(session.getItem('k')).toBe('v');
		expect(local.getItem('k')).toBeNull();
	});

	it('is a fresh memory storage per client in Node', () => {
		const first = resolveOptions(base).storage;
		first.setItem('k', 'v');
		expect(first.getItem('k')).toBe('v');
		expect(resolveOptions(base).storage.getItem('k')).toBeNull();
	});
});
