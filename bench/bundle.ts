/**
 * Browser bundle sizes, min+gzip: statechart-websocket (machines/index.ts, everything it exports,
 * xstate included; and with `statechart-websocket/tabs`, machines/share-tabs.ts, beside it, as an
 * app that shares tabs ships it) and each peer, each bundled by esbuild the same way (ESM, minified, browser,
 * tree-shaken), then gzipped at level 9. Next to them, the same build of nothing but xstate's
 * `setup` and `createActor`: the least any client built on an xstate v5 chart ships, so what the
 * package adds is its size over that floor. tests/package/size.test.ts holds these to limits.
 */
import { build, type Metafile } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Targets (issue 10) of the package's bundle. */
export const TARGETS = { total: 19 * 1024, overFloor: 6 * 1024 };

/** The entry of each bundle: what an app imports. */
export const ENTRIES: Record<string, string> = {
	'raw ws': 'export const open = (url) => new WebSocket(url);',
	partysocket: "export { default } from 'partysocket';",
	'reconnecting-websocket': "export { default } from 'reconnecting-websocket';",
	'socket.io-client': "export { io } from 'socket.io-client';",
	'statechart-websocket': "export * from './machines/index.ts';",
	'statechart-websocket + tabs':
		"export * from './machines/index.ts'; export * from './machines/share-tabs.ts';",
	'xstate floor': "export { setup, createActor } from 'xstate';"
};

export interface BundleSize {
	minified: number;
	gzipped: number;
	metafile: Metafile;
}

/** Minified and min+gzip bytes of one browser bundle of `contents`. */
export async function bundleSize(contents: string): Promise<BundleSize> {
	const result = await build({
		stdin: { contents, resolveDir: ROOT, loader: 'ts' },
		bundle: true,
		minify: true,
		format: 'esm',
		platform: 'browser',
		target: 'es2022',
		treeShaking: true,
		write: false,
		metafile: true,
		legalComments: 'none',
		logLevel: 'silent'
	});
	const code = result.outputFiles[0].contents;
	return {
		minified: code.byteLength,
		gzipped: gzipSync(code, { level: 9 }).byteLength,
		metafile: result.metafile
	};
}

/** Every entry's size, by name. */
export async function measureBundles(): Promise<Map<string, BundleSize>> {
	const sizes = new Map<string, BundleSize>();
	for (const [name, contents] of Object.entries(ENTRIES)) {
		sizes.set(name, await bundleSize(contents));
	}
	return sizes;
}

/** Minified bytes of each source file of the package in its bundle, largest first. */
export function packageBreakdown(size: BundleSize): Array<[file: string, bytes: number]> {
	const output = Object.values(size.metafile.outputs)[0];
	return Object.entries(output.inputs)
		.map(([file, { bytesInOutput }]): [string, number] => [file, bytesInOutput])
		.filter(([file]) => file.startsWith('machines/'))
		.sort((a, b) => b[1] - a[1]);
}

const kB = (bytes: number) => `${(bytes / 1024).toFixed(2)} kB`;

/** Measure and print; returns the min+gzip bytes by name for the peers table. */
export async function run(): Promise<Map<string, number>> {
	const sizes = await measureBundles();
	const own = sizes.get('statechart-websocket')!;
	const withTabs = sizes.get('statechart-websocket + tabs')!;
	const floor = sizes.get('xstate floor')!;
	console.log('\nBrowser bundles (esbuild, minified, gzip -9)');
	console.table(
		[...sizes].map(([name, size]) => ({
			bundle: name,
			minified: kB(size.minified),
			'min+gzip': kB(size.gzipped)
		}))
	);
	const over = own.gzipped - floor.gzipped;
	console.table([
		{
			target: `statechart-websocket total <= ${kB(TARGETS.total)}`,
			value: kB(own.gzipped),
			met: own.gzipped <= TARGETS.total ? 'yes' : 'NO'
		},
		{
			target: `over xstate's floor <= ${kB(TARGETS.overFloor)}`,
			value: kB(over),
			met: over <= TARGETS.overFloor ? 'yes' : 'NO'
		}
	]);
	console.log(
		`With statechart-websocket/tabs (an app that shares tabs): ${kB(withTabs.gzipped)} in all, ` +
			`${kB(withTabs.gzipped - floor.gzipped)} over xstate's floor, ` +
			`${kB(withTabs.gzipped - own.gzipped)} for the tabs`
	);
	console.log('Where the package bytes are (minified, before gzip):');
	console.table(packageBreakdown(own).map(([file, bytes]) => ({ file, bytes })));
	return new Map([...sizes].map(([name, size]) => [name, size.gzipped]));
}
