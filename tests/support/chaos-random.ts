/** A small seeded PRNG and helpers, so a chaos or soak run can be replayed from its seed. */

export { mulberry32, pick } from '../../src/lib/random';

/** The array, shuffled in place (Fisher-Yates). */
export function shuffle<T>(random: () => number, items: T[]): T[] {
	for (let i = items.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[items[i], items[j]] = [items[j], items[i]];
	}
	return items;
}
