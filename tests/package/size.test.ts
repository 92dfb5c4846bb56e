/**
 * The size check: the package's browser bundle (everything machines/index.ts exports, xstate
 * included; esbuild, minified, gzip -9, as `npm run bench` prints it) must not grow past its
 * limits. The limits are the sizes reached, with a little room; the targets of issue 10 (19 kB in
 * all, 6 kB over xstate's own floor) are not met yet, see the README. Raise a limit only on
 * purpose, and say why in the commit. Raised once, from 20.5 / 8 kB, when tab sharing (the role
 * region, machines/tabs.ts: about 4.2 kB) joined the package.
 */
import { describe, expect, it } from 'vitest';
import { bundleSize, ENTRIES } from '../../bench/bundle';

/** min+gzip bytes. */
const LIMITS = { total: 24.5 * 1024, overFloor: 11.75 * 1024 };

describe('browser bundle size', () => {
	it(`stays within ${LIMITS.total} bytes in all and ${LIMITS.overFloor} over xstate's floor`, async () => {
		const own = await bundleSize(ENTRIES['statechart-websocket']);
		const floor = await bundleSize(ENTRIES['xstate floor']);
		console.log(
			`[size] statechart-websocket ${own.gzipped} B min+gzip, ${own.gzipped - floor.gzipped} B ` +
				`over xstate's floor (${floor.gzipped} B)`
		);
		expect(own.gzipped).toBeLessThanOrEqual(LIMITS.total);
		expect(own.gzipped - floor.gzipped).toBeLessThanOrEqual(LIMITS.overFloor);
		// The bundle carries no validation library: the package checks its frames by hand.
		const inputs = Object.keys(Object.values(own.metafile.outputs)[0].inputs);
		expect(inputs.filter((file) => /valibot|zod|arktype/.test(file))).toEqual([]);
	});
});
