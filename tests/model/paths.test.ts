/**
 * Model-based path tests: paths generated with xstate/graph from the real chart, each run on the
 * real client against a real `ws` server. The last test prints the state and transition coverage
 * the real client reached and fails below 100% of either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlServer, type ControlServer } from '../support/control-server';
import { chartStates, chartTransitions, generatePaths } from './chart-model';
import { installFakeBrowser, type FakeBrowser } from '../support/fake-browser';
import { runPath } from './drive';

const transitions = chartTransitions();
const states = chartStates();
const { paths, unreached } = generatePaths();
const covered = { states: new Set<string>(), transitions: new Set<string>() };

let server: ControlServer;
let browser: FakeBrowser;

beforeAll(async () => {
	browser = installFakeBrowser();
	server = await startControlServer();
});

afterAll(async () => {
	await server?.close();
	browser?.uninstall();
});

describe('paths generated from the connection chart, run on the real client', () => {
	it.each(paths.map((path, index) => ({ path, index, name: path.description })))(
		'[$path.config.name] $name',
		async ({ path, index }) => {
			const run = await runPath(path, `path-${index}`, server, browser, transitions);
			for (const state of run.states) covered.states.add(state);
			for (const key of run.transitions) covered.transitions.add(key);
		}
	);
});

it('every stopped client removed its window and document listeners', () => {
	expect(browser.listeners()).toBe(0);
});

it('the real client covered every state and every transition of the chart', () => {
	const allTransitions = [...transitions.values()];
	const missingStates = states.filter((state) => !covered.states.has(state));
	const missingTransitions = allTransitions.filter((t) => !covered.transitions.has(t.key));
	const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;
	const stateCount = states.length - missingStates.length;
	const transitionCount = allTransitions.length - missingTransitions.length;
	const unreachedKeys = new Set(unreached.map((t) => t.key));
	console.log(
		[
			`model paths: ${paths.length}, steps: ${paths.reduce((n, p) => n + p.steps.length, 0)}`,
			`state coverage: ${stateCount}/${states.length} (${percent(stateCount, states.length)})`,
			`transition coverage: ${transitionCount}/${allTransitions.length} ` +
				`(${percent(transitionCount, allTransitions.length)})`,
			...missingStates.map((state) => `  state not covered: ${state}`),
			...missingTransitions.map(
				(t) =>
					`  transition not covered: ${t.key} [guard ${t.guard ?? '-'} -> ${t.target ?? 'self'}]` +
					(unreachedKeys.has(t.key) ? ' (no real-world event reaches it)' : ' (path failed)')
			)
		].join('\n')
	);
	expect(missingStates).toEqual([]);
	expect(missingTransitions.map((t) => t.key)).toEqual([]);
});
