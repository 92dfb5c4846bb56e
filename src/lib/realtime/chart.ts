/**
 * The statechart as a list for /inspect, read from the machine's own definition (`logic.root`), so
 * the view can never drift from the chart.
 */
import type { AnyMachineSnapshot, AnyStateMachine, StateValue } from 'xstate';

type AnyStateNode = AnyStateMachine['root'];

export interface ChartNode {
	/** The node's unique id, e.g. "connection.reconnecting.backoff". */
	id: string;
	/** Its key within the parent, e.g. "backoff". */
	key: string;
	/** Keys from the root down, empty for the root. */
	path: string[];
	depth: number;
	type: AnyStateNode['type'];
	/** Whether this node is its parent's initial state. */
	initial: boolean;
	/** Transitions from this node by event ("after" delays as "after <delay>", eventless as "always"). */
	transitions: ChartTransition[];
}

export interface ChartTransition {
	event: string;
	/** Target state ids; empty for a transition that only runs actions. */
	targets: string[];
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

function describe(node: AnyStateNode, initial: boolean): ChartNode {
	const transitions: ChartTransition[] = [...node.transitions].map(([eventType, list]) => ({
		event: eventType.startsWith('xstate.after.') ? afterLabel(eventType) : eventType,
		targets: targetsOf(list)
	}));
	if (node.always?.length) transitions.push({ event: 'always', targets: targetsOf(node.always) });
	return {
		id: node.id,
		key: node.key,
		path: [...node.path],
		depth: node.path.length,
		type: node.type,
		initial,
		transitions
	};
}

/** The distinct target ids of a list of transitions (guarded alternatives included). */
function targetsOf(list: readonly { target?: readonly AnyStateNode[] }[]): string[] {
	return [...new Set(list.flatMap((t) => (t.target ?? []).map((target) => target.id)))];
}

/** "xstate.after.backoff.connection.reconnecting.backoff" -> "after backoff". */
function afterLabel(eventType: string): string {
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
