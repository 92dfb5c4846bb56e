/**
 * Bundles server/index.ts into build/server.js after `vite build`. The entry's `$build/…`
 * imports stay external, pointed at the files of this build: adapter-node's handler.js, and the
 * app's hooks chunk (adapter-node names it server/chunks/entries/hooks.server.js-<hash>.js), so
 * the server uses the modules of the SvelteKit build itself and holds no copy of any of them.
 */
import { readdirSync } from 'node:fs';
import { build, type Plugin } from 'esbuild';

const OUT = 'build';
const ENTRIES = 'server/chunks/entries';

function hooksChunk(): string {
	const names = readdirSync(`${OUT}/${ENTRIES}`).filter((name) =>
		/^hooks\.server\.js-[\w-]+\.js$/.test(name)
	);
	if (names.length !== 1) {
		throw new Error(
			`expected one hooks chunk in ${OUT}/${ENTRIES}, found ${names.length}: run vite build first`
		);
	}
	return `./${ENTRIES}/${names[0]}`;
}

const buildModules: Plugin = {
	name: 'build-modules',
	setup(esbuild) {
		const paths: Record<string, string> = {
			'$build/handler.js': './handler.js',
			'$build/hooks.js': hooksChunk()
		};
		esbuild.onResolve({ filter: /^\$build\// }, ({ path }) => {
			const target = paths[path];
			if (!target) throw new Error(`unknown build module ${path}`);
			return { path: target, external: true };
		});
	}
};

await build({
	entryPoints: ['server/index.ts'],
	outfile: `${OUT}/server.js`,
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	packages: 'external',
	plugins: [buildModules],
	logLevel: 'warning'
});
