/**
 * The server's module structure, read from the source: no import cycle among the server modules,
 * and the hub (src/lib/server/realtime) imports nothing of the app, only its own modules, the
 * protocol and libraries. Type-only imports count too, except where noted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SERVER = 'src/lib/server';
const REALTIME = `${SERVER}/realtime`;

function sources(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory()
			? sources(join(dir, entry.name))
			: entry.name.endsWith('.ts')
				? [join(dir, entry.name)]
				: []
	);
}

interface Import {
	specifier: string;
	typeOnly: boolean;
}

function importsOf(file: string): Import[] {
	const text = readFileSync(file, 'utf8');
	return [...text.matchAll(/^(import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)].map(
		(match) => ({ specifier: match[3], typeOnly: match[2] !== undefined })
	);
}

/** The repository file an import names, if it is one of ours. */
function resolve(from: string, specifier: string, files: Set<string>): string | undefined {
	const base = specifier.startsWith('$lib/')
		? join('src/lib', specifier.slice(5))
		: specifier.startsWith('.')
			? normalize(join(dirname(from), specifier))
			: undefined;
	if (base === undefined) return undefined;
	return [base, `${base}.ts`, join(base, 'index.ts')].find((candidate) => files.has(candidate));
}

describe('server modules', () => {
	const files = new Set(sources(SERVER));

	it('import one another without a cycle', () => {
		const graph = new Map<string, string[]>();
		for (const file of files) {
			graph.set(
				file,
				importsOf(file)
					.filter((entry) => !entry.typeOnly)
					.map((entry) => resolve(file, entry.specifier, files))
					.filter((target): target is string => target !== undefined)
			);
		}
		const cycles: string[][] = [];
		const state = new Map<string, 'open' | 'done'>();
		const path: string[] = [];
		const visit = (file: string) => {
			state.set(file, 'open');
			path.push(file);
			for (const next of graph.get(file) ?? []) {
				if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next]);
				else if (!state.has(next)) visit(next);
			}
			path.pop();
			state.set(file, 'done');
		};
		for (const file of files) if (!state.has(file)) visit(file);
		expect(cycles).toEqual([]);
	});

	it('keep the hub free of the app: realtime/ imports only itself, the protocol and libraries', () => {
		const foreign: string[] = [];
		for (const file of [...files].filter((file) => file.startsWith(REALTIME))) {
			for (const { specifier } of importsOf(file)) {
				const target = resolve(file, specifier, files);
				const ownModule = target?.startsWith(REALTIME);
				const library = !specifier.startsWith('.') && !specifier.startsWith('$');
				const protocol = /(^|\/)protocol(\/|$)/.test(specifier);
				if (!ownModule && !library && !protocol)
					foreign.push(`${relative('.', file)} -> ${specifier}`);
			}
		}
		expect(foreign).toEqual([]);
	});
});
