/** The modules of the SvelteKit build that build/server.js imports (see scripts/build-server.ts). */
declare module '$build/handler.js' {
	export const handler: import('node:http').RequestListener;
}

declare module '$build/hooks.js' {
	export const serverApp: typeof import('../src/lib/server/app').serverApp;
	export const addTransportSecurity: typeof import('../src/lib/server/https').addTransportSecurity;
}
