/**
 * The chart's picture: state nodes as boxes (children inside their parents, parallel regions
 * side by side), transitions as arrows labelled "EVENT [guard]", laid out by ELK's layered
 * algorithm (elkjs). The caller hands in the ELK instance, so elkjs (1.6 MB) is loaded only where
 * the chart is drawn. Coordinates come back absolute (ELK's json.shapeCoords/edgeCoords ROOT).
 */
import type { ELK, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { transitionLabel, type ChartNode } from './chart';

export interface Point {
	x: number;
	y: number;
}

export interface LaidOutState {
	id: string;
	key: string;
	/** "atomic", "compound", "parallel", "final", "history". */
	type: string;
	/** A child of a parallel state: drawn dashed, as statecharts draw regions. */
	region: boolean;
	initial: boolean;
	depth: number;
	x: number;
	y: number;
	width: number;
	height: number;
}

export interface LaidOutTransition {
	/** "source|label|target", unique per arrow. */
	id: string;
	source: string;
	target: string;
	event: string;
	label: string;
	points: Point[];
	labelBox: { x: number; y: number; width: number; height: number } | null;
}

export interface ChartLayout {
	width: number;
	height: number;
	states: LaidOutState[];
	transitions: LaidOutTransition[];
}

/** Character widths of the chart's monospace fonts (px), to size boxes and labels before drawing. */
const STATE_FONT = { size: 13, char: 7.9 };
const LABEL_FONT = { size: 11, char: 6.7 };
/** Room above a parent's children for its name. */
const HEADER = 26;

export const CHART_FONTS = { state: STATE_FONT.size, label: LABEL_FONT.size, header: HEADER };

const ROOT_OPTIONS = {
	'elk.algorithm': 'layered',
	'elk.direction': 'DOWN',
	'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
	'elk.edgeRouting': 'ORTHOGONAL',
	'elk.layered.spacing.nodeNodeBetweenLayers': '40',
	'elk.spacing.nodeNode': '28',
	'elk.spacing.edgeLabel': '4',
	'elk.spacing.edgeEdge': '12',
	'elk.edgeLabels.inline': 'false',
	'elk.json.shapeCoords': 'ROOT',
	'elk.json.edgeCoords': 'ROOT'
};

const PARENT_OPTIONS = {
	'elk.padding': `[top=${HEADER + 10},left=14,bottom=14,right=14]`,
	'elk.nodeSize.constraints': 'MINIMUM_SIZE'
};

/** The ELK graph of the chart's nodes (root first, as `chartNodes` lists them). */
export function elkGraph(nodes: readonly ChartNode[]): ElkNode {
	const byParent = new Map<string, ChartNode[]>();
	for (const node of nodes.slice(1)) {
		const parent = node.parent ?? '';
		byParent.set(parent, [...(byParent.get(parent) ?? []), node]);
	}
	const toElk = (node: ChartNode): ElkNode => {
		const children = byParent.get(node.id) ?? [];
		const nameWidth = node.key.length * STATE_FONT.char + 28;
		if (children.length === 0) return { id: node.id, width: Math.max(nameWidth, 72), height: 34 };
		return {
			id: node.id,
			width: nameWidth,
			height: HEADER + 20,
			layoutOptions: {
				...PARENT_OPTIONS,
				'elk.nodeSize.minimum': `(${nameWidth}, ${HEADER + 20})`,
				...(node.type === 'parallel' && { 'elk.direction': 'RIGHT' })
			},
			children: children.map(toElk)
		};
	};
	const ids = new Set(nodes.map((n) => n.id));
	const edges: ElkExtendedEdge[] = nodes.flatMap((node) =>
		node.transitions.flatMap((t) =>
			t.targets
				.filter((target) => ids.has(target))
				.map((target) => {
					const label = transitionLabel(t);
					return {
						id: `${node.id}|${label}|${target}`,
						sources: [node.id],
						targets: [target],
						labels: [
							{
								text: label,
								width: label.length * LABEL_FONT.char + 6,
								height: LABEL_FONT.size + 5
							}
						]
					};
				})
		)
	);
	return { id: '(chart)', layoutOptions: ROOT_OPTIONS, children: [toElk(nodes[0])], edges };
}

/** Lay the chart out with `elk` and flatten the result into boxes and arrows. */
export async function layoutChart(elk: ELK, nodes: readonly ChartNode[]): Promise<ChartLayout> {
	const result = await elk.layout(elkGraph(nodes));
	const info = new Map(nodes.map((n) => [n.id, n]));
	const states: LaidOutState[] = [];
	const visit = (elkNode: ElkNode, parentType: string | null) => {
		const node = info.get(elkNode.id);
		if (!node) return;
		states.push({
			id: node.id,
			key: node.key,
			type: node.type,
			region: parentType === 'parallel',
			initial: node.initial && node.depth > 0,
			depth: node.depth,
			x: elkNode.x ?? 0,
			y: elkNode.y ?? 0,
			width: elkNode.width ?? 0,
			height: elkNode.height ?? 0
		});
		for (const child of elkNode.children ?? []) visit(child, node.type);
	};
	for (const child of result.children ?? []) visit(child, null);
	const transitions = collectEdges(result).map((edge): LaidOutTransition => {
		const [source, label, target] = edge.id.split('|');
		const points = (edge.sections ?? []).flatMap((section) => [
			section.startPoint,
			...(section.bendPoints ?? []),
			section.endPoint
		]);
		const box = edge.labels?.[0];
		return {
			id: edge.id,
			source,
			target,
			label,
			event: label.replace(/ \[.*\]$/, ''),
			points,
			labelBox:
				box && box.x !== undefined && box.y !== undefined
					? { x: box.x, y: box.y, width: box.width ?? 0, height: box.height ?? 0 }
					: null
		};
	});
	return { width: result.width ?? 0, height: result.height ?? 0, states, transitions };
}

/** ELK may move an edge into the node that holds both its ends: gather them from everywhere. */
function collectEdges(node: ElkNode): ElkExtendedEdge[] {
	return [...(node.edges ?? []), ...(node.children ?? []).flatMap(collectEdges)];
}

/** An SVG path through ELK's points (orthogonal routing: straight segments). */
export function pathOf(points: readonly Point[]): string {
	return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
}
