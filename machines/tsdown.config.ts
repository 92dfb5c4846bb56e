import { defineConfig } from 'tsdown';

/**
 * The package build: the main entry (index.ts) and `statechart-websocket/tabs` (share-tabs.ts)
 * to ESM and .d.ts in dist/, the code both use in a shared chunk. xstate stays a peer dependency
 * (imported, never bundled); the Standard Schema types are inlined into the .d.ts, so consumers
 * install nothing for them.
 */
export default defineConfig({
	entry: ['index.ts', 'share-tabs.ts'],
	format: 'esm',
	platform: 'neutral',
	target: 'es2022',
	outDir: 'dist',
	clean: true,
	dts: true,
	// Types only (no code): inlined into the .d.ts.
	deps: { onlyBundle: ['@standard-schema/spec'] },
	tsconfig: 'tsconfig.json'
});
