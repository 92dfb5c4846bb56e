/**
 * An in-memory Web Storage with the whole `Storage` interface (`length` and `key(i)` included),
 * to stand in for a browser's `localStorage` or `sessionStorage` in Node.
 */
export function fakeWebStorage(): Storage {
	const items = new Map<string, string>();
	return {
		get length() {
			return items.size;
		},
		key: (index) => [...items.keys()][index] ?? null,
		getItem: (key) => items.get(key) ?? null,
		setItem: (key, value) => void items.set(key, String(value)),
		removeItem: (key) => void items.delete(key),
		clear: () => items.clear()
	};
}
