import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		adapter: adapter(),
		// Type-check what lives outside src/ too: the package, the production server, scripts,
		// benchmarks and the soak.
		typescript: {
			config: (tsconfig) => {
				tsconfig.include.push(
					...['machines', 'server', 'scripts', 'bench', 'soak'].map((dir) => `../${dir}/**/*.ts`)
				);
			}
		},
		// Scripts only from this origin (SvelteKit adds a nonce to its own inline bootstrap; an
		// inline script in app.html needs nonce="%sveltekit.nonce%"). Styles allow inline because
		// Svelte transitions and toasts set style attributes. A PUBLIC_WS_URL on another origin is
		// added to connect-src at run time (src/lib/server/csp.ts).
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		}
	}
};

export default config;
