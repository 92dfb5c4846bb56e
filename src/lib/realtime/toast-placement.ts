/**
 * Where the toast stack goes: at the bottom of the screen, unless it would cover the control that
 * was just used (a button near the bottom edge), then right under the top bar, which it never
 * covers. Pure, from measured rectangles, so every case is unit-tested.
 */

export interface Box {
	top: number;
	left: number;
	width: number;
	height: number;
}

export type ToastEdge = 'bottom' | 'top';

export interface PlacementInput {
	viewport: { width: number; height: number };
	/** The stack's size as laid out now. */
	stack: { width: number; height: number };
	/** The stack's distance from the screen's edges (px). */
	margin: number;
	/** Whether the stack sits at the right (wide screens) or spans the width (phones). */
	align: 'end' | 'stretch';
	/** The bottom of the top bar on screen (0 once it has scrolled away). */
	topBarBottom: number;
	/** The control the user just used, if it is on screen. */
	avoid: Box | null;
}

export interface Placement {
	edge: ToastEdge;
	/** The stack's distance from the top of the screen when `edge` is top. */
	top: number;
}

/** The stack's box for an edge. */
export function stackBox(input: PlacementInput, edge: ToastEdge): Box {
	const { viewport, stack, margin, align, topBarBottom } = input;
	const width = align === 'stretch' ? viewport.width - 2 * margin : stack.width;
	const left = viewport.width - margin - width;
	const top =
		edge === 'top' ? Math.max(topBarBottom, 0) + margin : viewport.height - margin - stack.height;
	return { top, left, width, height: stack.height };
}

/** The area two boxes share (0 when apart). */
export function overlap(a: Box, b: Box): number {
	const x = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
	const y = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
	return x > 0 && y > 0 ? x * y : 0;
}

/** Bottom, unless that covers `avoid` and the top (under the bar) covers it less. */
export function choosePlacement(input: PlacementInput): Placement {
	const top = stackBox(input, 'top').top;
	if (!input.avoid) return { edge: 'bottom', top };
	const atBottom = overlap(stackBox(input, 'bottom'), input.avoid);
	if (atBottom === 0) return { edge: 'bottom', top };
	const atTop = overlap(stackBox(input, 'top'), input.avoid);
	return { edge: atTop < atBottom ? 'top' : 'bottom', top };
}
