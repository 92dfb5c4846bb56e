/**
 * A Mermaid `stateDiagram-v2` of a machine, generated from its own state nodes (`machine.root`):
 * states, initial states, every transition with its event (`after <delay>` for timers, `always`
 * for eventless ones), guard and actions, and a table of entry/exit actions, invoked actors and
 * reactions that stay in their state. docs/connection-diagram.md is this function's output; a unit
 * test regenerates it, so the picture cannot drift from the chart.
 *
 * Mermaid cannot draw an arrow from a state inside one composite to a state inside another, so an
 * arrow is drawn between the ancestors that are siblings, labelled with the real source:
 * `reconnecting --> connected : SOCKET.OPEN (from attempting)`. The regions of a parallel state
 * are drawn side by side as composites; a transition declared on a region (or on the root) is a
 * note on its target: `DISCONNECT from any state`.
 */
import type { AnyStateMachine } from 'xstate';

type StateNode = AnyStateMachine['root'];
type Transition = NonNullable<StateNode['always']>[number];

interface Edge {
	/** Where the edge is declared: the composite both ends belong to. */
	scope: StateNode;
	from: StateNode;
	to: StateNode;
	label: string;
}

/** The Mermaid source of the chart. */
export function mermaidDiagram(machine: AnyStateMachine): string {
	const root = machine.root;
	const nodes = descendants(root);
	assertUniqueKeys(nodes);
	const edges: Edge[] = [];
	for (const node of [root, ...nodes]) {
		for (const { transition, event } of transitionsOf(node)) {
			for (const target of transition.target ?? []) {
				if (isScope(node)) {
					const note = `note left of ${target.key} : ${event}${suffix(transition)} from any state`;
					edges.push({ scope: node, from: node, to: target, label: note });
				} else edges.push(edge(node, target, `${event}${suffix(transition)}`));
			}
		}
	}
	const lines = ['stateDiagram-v2'];
	renderComposite(root, edges, lines, '\t');
	return lines.join('\n');
}

/** docs/connection-diagram.md: the diagram and the table of what happens inside states. */
export function diagramDocument(machine: AnyStateMachine, source: string): string {
	const rows = [machine.root, ...descendants(machine.root)].map((node) => {
		const stays = transitionsOf(node)
			.filter(({ transition }) => !transition.target)
			.map(({ transition, event }) => `${event}${suffix(transition)}`);
		const invoked = node.invoke.map((invoke) => `${invoke.id}: ${String(invoke.src)}`);
		const cells = [
			node.path.length ? node.path.join('.') : `(root) ${node.id}`,
			names(node.config.entry).join(', '),
			names(node.config.exit).join(', '),
			invoked.join(', '),
			stays.join('<br>')
		];
		return `| ${cells.map((cell) => cell || '-').join(' | ')} |`;
	});
	return [
		`# The connection statechart`,
		'',
		`Generated from \`${source}\` by \`npm run machine:diagram\`; do not edit by hand.`,
		'`tests/unit/diagram.test.ts` fails when this file and the chart differ.',
		'',
		'```mermaid',
		mermaidDiagram(machine),
		'```',
		'',
		'## Inside each state',
		'',
		'| state | entry | exit | invoke | reactions that stay in the state |',
		'| --- | --- | --- | --- | --- |',
		...rows,
		''
	].join('\n');
}

function renderComposite(node: StateNode, edges: Edge[], lines: string[], indent: string): void {
	const children = Object.values(node.states) as StateNode[];
	const initial = node.config.initial;
	if (typeof initial === 'string') lines.push(`${indent}[*] --> ${initial}`);
	for (const child of children) {
		if (Object.keys(child.states).length === 0) {
			lines.push(`${indent}${child.key}`);
			continue;
		}
		lines.push(`${indent}state ${child.key} {`);
		renderComposite(child, edges, lines, `${indent}\t`);
		lines.push(`${indent}}`);
	}
	for (const { from, to, label } of edges.filter((candidate) => candidate.scope === node)) {
		lines.push(
			from === node ? `${indent}${label}` : `${indent}${from.key} --> ${to.key} : ${label}`
		);
	}
}

/** The root, or a region of a parallel state: what is declared there applies in all its states. */
function isScope(node: StateNode): boolean {
	return node.parent === undefined || node.parent.type === 'parallel';
}

/** The edge between the ancestors of `source` and `target` that are siblings. */
function edge(source: StateNode, target: StateNode, label: string): Edge {
	const sourcePath = ancestry(source);
	const targetPath = ancestry(target);
	let depth = 0;
	while (
		depth + 1 < sourcePath.length &&
		depth + 1 < targetPath.length &&
		sourcePath[depth + 1] === targetPath[depth + 1]
	) {
		depth++;
	}
	// A transition to itself or to a descendant is drawn as a loop on the source's level.
	const from = sourcePath[depth + 1] ?? source;
	const to = targetPath[depth + 1] ?? from;
	const scope = sourcePath[depth];
	return { scope, from, to, label: from === source ? label : `${label} (from ${source.key})` };
}

/** The node's ancestors from the root down, the node last. */
function ancestry(node: StateNode): StateNode[] {
	const path: StateNode[] = [];
	for (let current: StateNode | undefined = node; current; current = current.parent) {
		path.unshift(current);
	}
	return path;
}

function transitionsOf(node: StateNode): { transition: Transition; event: string }[] {
	const delays = new Map(node.after.map((after) => [after.eventType, after.delay]));
	const list = [...node.transitions].flatMap(([eventType, transitions]) =>
		transitions.map((transition) => ({
			transition,
			event: delays.has(eventType) ? `after ${String(delays.get(eventType))}` : eventType
		}))
	);
	return [...list, ...(node.always ?? []).map((transition) => ({ transition, event: 'always' }))];
}

/** ` [guard] / action, action` */
function suffix(transition: Transition): string {
	const guard = transition.guard ? ` [${names(transition.guard).join(' ')}]` : '';
	const actions = names(transition.actions);
	return `${guard}${actions.length ? ` / ${actions.join(', ')}` : ''}`;
}

/** Names of actions or guards given as strings or `{ type }` objects. */
function names(items: unknown): string[] {
	const list = items === undefined ? [] : Array.isArray(items) ? items : [items];
	return list.map((item) =>
		typeof item === 'string' ? item : String((item as { type?: unknown }).type ?? 'inline')
	);
}

function descendants(node: StateNode): StateNode[] {
	return (Object.values(node.states) as StateNode[]).flatMap((child) => [
		child,
		...descendants(child)
	]);
}

function assertUniqueKeys(nodes: StateNode[]): void {
	const seen = new Set<string>();
	for (const node of nodes) {
		if (seen.has(node.key)) throw new Error(`Mermaid needs unique state names: ${node.key}`);
		seen.add(node.key);
	}
}

const START = '<!-- diagram:start -->';
const END = '<!-- diagram:end -->';

/** `text` (a README) with the Mermaid diagram of `machine` between its diagram markers. */
export function withDiagram(text: string, machine: AnyStateMachine): string {
	const start = text.indexOf(START);
	const end = text.indexOf(END);
	if (start === -1 || end < start) throw new Error(`no ${START} ... ${END} block`);
	const block = ['', '', '```mermaid', mermaidDiagram(machine), '```', '', ''].join('\n');
	return text.slice(0, start + START.length) + block + text.slice(end);
}
