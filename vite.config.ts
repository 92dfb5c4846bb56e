import { sveltekit } from '@sveltejs/kit/vite';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { realtimePlugin } from './src/lib/server/realtime/vite-plugin.ts';

export default defineConfig({
	plugins: [sveltekit(), realtimePlugin()],
	// The app imports the package (machines/, a workspace) by its name; its exports map's `source`
	// condition points at the TypeScript source, so dev, build and tests need no build of it first.
	resolve: { conditions: ['source', ...defaultClientConditions] },
	ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
	test: {
		include: [
			'tests/{unit,model,server}/**/*.test.ts',
			'tests/{cluster,chaos,fuzz,security,package}/**/*.test.ts'
		],
		environment: 'node',
		// One private PostgreSQL cluster per run (or TEST_DATABASE_URL's server) for the suites.
		globalSetup: ['tests/support/postgres-global-setup.ts'],
		typecheck: {
			enabled: true,
			include: ['tests/types/**/*.test-d.ts'],
			// Type errors elsewhere are `npm run check`'s business; here only the type tests count.
			ignoreSourceErrors: true
		},
		testTimeout: 20_000,
		hookTimeout: 30_000
	}
});
