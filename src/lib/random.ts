/**
 * A small seeded PRNG, for what must vary yet come out the same on every run: the demo seed's
 * jobs, and the chaos and soak runs (replayed from their seed).
 */

/** mulberry32: a fast, well-known 32-bit seeded generator returning numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** One element of a non-empty array. */
export function pick<T>(random: () => number, items: readonly T[]): T {
	return items[Math.floor(random() * items.length)];
}
