/**
 * The size check: the package's browser bundle (everything machines/index.ts exports, xstate
 * included; esbuild, minified, gzip -9, as `npm run bench` prints it) must not grow past its
 * limits, nor must the bundle of an app that shares tabs (the main entry and
 * `statechart-websocket/tabs`). The limits are the sizes reached, with a little room; the targets
 * of issue 10 (19 kB in all, 6 kB over xstate's own floor) are not met yet, see the README. Lower
 * a limit when the bundle shrinks; raise one only on purpose, and say why in the commit.
 */
import { describe, expect, it } from 'vitest';
import { bundleSize, ENTRIES } from '../../bench/bundle';

/** min+gzip bytes. */
const LIMITS = {
	'statechart-websocket': { total: 21.25 * 1024, overFloor: 8.85 * 1024 },
	'statechart-websocket + tabs': { total: 24 * 1024, overFloor: 11.5 * 1024 }
};

const inputsOf = (size: Awaited<ReturnType<typeof bundleSize>>) =>
	Object.keys(Object.values(size.metafile.outputs)[0].inputs);

describe('browser bundle size', () => {
	for (const [entry, limit] of Object.entries(LIMITS)) {
		it(`${entry}: within ${limit.total} bytes in all and ${limit.overFloor} over xstate's floor`, async () => {
			const own = await bundleSize(ENTRIES[entry]);
			const floor = await bundleSize(ENTRIES['xstate floor']);
			console.log(
				`[size] ${entry} ${own.gzipped} B min+gzip, ${own.gzipped - floor.gzipped} B ` +
					`over xstate's floor (${floor.gzipped} B)`
			);
			expect(own.gzipped).toBeLessThanOrEqual(limit.total);
			expect(own.gzipped - floor.gzipped).toBeLessThanOrEqual(limit.overFloor);
			// The bundle carries no validation library: the package checks its frames by hand.
			expect(inputsOf(own).filter((file) => /valibot|zod|arktype/.test(file))).toEqual([]);
		});
	}

	it('leaves tab sharing out of an app that does not import statechart-websocket/tabs', async () => {
		const main = inputsOf(await bundleSize(ENTRIES['statechart-websocket']));
		const withTabs = inputsOf(await bundleSize(ENTRIES['statechart-websocket + tabs']));
		expect(main.filter((file) => /machines\/(tabs|share-tabs)\.ts$/.test(file))).toEqual([]);
		expect(withTabs).toEqual(
			expect.arrayContaining(['machines/tabs.ts', 'machines/share-tabs.ts'])
		);
	});
});
