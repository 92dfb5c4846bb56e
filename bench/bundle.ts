/**
 * Bundle size of the package for the browser: machines/index.ts bundled by esbuild (ESM,
 * minified, xstate and valibot included), then gzipped. Target: at most 16 kB min+gzip.
 *
 * Next to it, the same build of nothing but xstate's `setup` and `createActor`: the least any
 * client built on an xstate v5 chart ships, so the table shows what the package adds over it.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ENTRY = fileURLToPath(new URL('../machines/index.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const XSTATE_FLOOR = "export { setup, createActor } from 'xstate';";
const TARGET_GZIP_BYTES = 16 * 1024;

const kB = (bytes: number) => `${(bytes / 1024).toFixed(2)} kB`;

/** Minified and min+gzip bytes of one browser bundle. */
async function measure(entry: { entryPoints: string[] } | { stdin: { contents: string } }) {
	const input =
		'stdin' in entry
			? { stdin: { ...entry.stdin, resolveDir: ROOT, loader: 'ts' as const } }
			: entry;
	const result = await build({
		...input,
		bundle: true,
		minify: true,
		format: 'esm',
		platform: 'browser',
		target: 'es2022',
		treeShaking: true,
		write: false,
		legalComments: 'none',
		logLevel: 'silent'
	});
	const code = result.outputFiles[0].contents;
	return { minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
}

/** Bundle, measure and print the sizes. */
export async function run(): Promise<void> {
	const bundle = await measure({ entryPoints: [ENTRY] });
	const floor = await measure({ stdin: { contents: XSTATE_FLOOR } });
	console.log('\nBrowser bundle of machines/index.ts (xstate + valibot included)');
	console.table([
		{ figure: 'minified', value: kB(bundle.minified), target: '-', met: '-' },
		{
			figure: 'min+gzip',
			value: kB(bundle.gzipped),
			target: `<= ${kB(TARGET_GZIP_BYTES)}`,
			met: bundle.gzipped <= TARGET_GZIP_BYTES ? 'yes' : 'NO'
		},
		{
			figure: 'xstate setup + createActor alone, min+gzip',
			value: kB(floor.gzipped),
			target: '-',
			met: '-'
		},
		{
			figure: 'package over that floor, min+gzip',
			value: kB(bundle.gzipped - floor.gzipped),
			target: '-',
			met: '-'
		}
	]);
}
