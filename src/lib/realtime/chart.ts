/**
 * The statechart as /inspect shows it, read from the machine's own definition (`logic.root`), so
 * the view can never drift from the chart: every state node, and every transition with its event
 * and guard (chart-layout.ts lays these out as boxes and arrows).
 */
import type { AnyMachineSnapshot, AnyStateMachine, StateValue } from 'xstate';

type AnyStateNode = AnyStateMachine['root'];

export interface ChartNode {
	/** The node's unique id, e.g. "realtime.connection.reconnecting.backoff". */
	id: string;
	/** Its key within the parent, e.g. "backoff". */
	key: string;
	/** Keys from the root down, empty for the root. */
	path: string[];
	/** The parent's id (ids need not nest: a region can have an id of its own); null for the root. */
	parent: string | null;
	depth: number;
	type: AnyStateNode['type'];
	/** Whether this node is its parent's initial state. */
	initial: boolean;
	/**
	 * Transitions from this node, one per guarded alternative ("after" delays as "after <delay>",
	 * eventless as "always").
	 */
	transitions: ChartTransition[];
}

export interface ChartTransition {
	event: string;
	/** The guard's name, or null when unguarded. */
	guard: string | null;
	/** Target state ids; empty for a transition that only runs actions. */
	targets: string[];
}

/** The label of a transition: "CONNECT [isOffline]". */
export function transitionLabel({ event, guard }: Pick<ChartTransition, 'event' | 'guard'>) {
	return guard ? `${event} [${guard}]` : event;
}

/** Every state node of the machine in document order, the root first. */
export function chartNodes(machine: AnyStateMachine): ChartNode[] {
	const nodes: ChartNode[] = [];
	const visit = (node: AnyStateNode, initial: boolean) => {
		nodes.push(describe(node, initial));
		const initialKey = node.type === 'compound' ? node.config.initial : undefined;
		for (const child of Object.values(node.states) as AnyStateNode[]) {
			visit(child, child.key === initialKey);
		}
	};
	visit(machine.root, true);
	return nodes;
}

type AnyTransition = NonNullable<AnyStateNode['always']>[number];

function describe(node: AnyStateNode, initial: boolean): ChartNode {
	const transitions: ChartTransition[] = [...node.transitions].flatMap(([eventType, list]) =>
		list.map((t) => alternative(eventLabel(eventType), t))
	);
	for (const t of node.always ?? []) transitions.push(alternative('always', t));
	return {
		id: node.id,
		key: node.key,
		path: [...node.path],
		parent: node.parent?.id ?? null,
		depth: node.path.length,
		type: node.type,
		initial,
		transitions
	};
}

function alternative(event: string, t: AnyTransition): ChartTransition {
	return { event, guard: guardName(t.guard), targets: (t.target ?? []).map((n) => n.id) };
}

/** A guard given by name (`'isOffline'` or `{ type: 'isOffline' }`); "inline" otherwise. */
function guardName(guard: unknown): string | null {
	if (guard === undefined || guard === null) return null;
	if (typeof guard === 'string') return guard;
	const type = (guard as { type?: unknown }).type;
	return typeof type === 'string' ? type : 'inline';
}

/**
 * A transition's event as the chart shows it: "xstate.after.backoff.connection.reconnecting.backoff"
 * → "after backoff", the eventless "" → "always", any other event type as it is.
 */
export function eventLabel(eventType: string): string {
	if (eventType === '') return 'always';
	if (!eventType.startsWith('xstate.after.')) return eventType;
	const [, , delay] = eventType.split('.');
	return `after ${delay}`;
}

/** The state value that selects exactly the node at `path` ("a" or { a: "b" } ...). */
export function pathToStateValue(path: readonly string[]): StateValue {
	if (path.length === 1) return path[0];
	const [head, ...rest] = path;
	return { [head]: pathToStateValue(rest) };
}

/** Whether the node at `path` is active in `snapshot` (the root always is). */
export function isActive(snapshot: AnyMachineSnapshot, path: readonly string[]): boolean {
	return path.length === 0 || snapshot.matches(pathToStateValue(path));
}
