/**
 * Bundle size of the package for the browser: machines/index.ts bundled by esbuild (ESM,
 * minified, xstate and valibot included), then gzipped. Target: at most 16 kB min+gzip.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ENTRY = fileURLToPath(new URL('../machines/index.ts', import.meta.url));
const TARGET_GZIP_BYTES = 16 * 1024;

const kB = (bytes: number) => `${(bytes / 1024).toFixed(2)} kB`;

/** Bundle, measure and print the sizes. */
export async function run(): Promise<void> {
	const result = await build({
		entryPoints: [ENTRY],
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
	const gzipped = gzipSync(code, { level: 9 }).byteLength;
	console.log('\nBrowser bundle of machines/index.ts (xstate + valibot included)');
	console.table([
		{ figure: 'minified', value: kB(code.byteLength), target: '-', met: '-' },
		{
			figure: 'min+gzip',
			value: kB(gzipped),
			target: `<= ${kB(TARGET_GZIP_BYTES)}`,
			met: gzipped <= TARGET_GZIP_BYTES ? 'yes' : 'NO'
		}
	]);
}
