import { describe, expect, it } from 'vitest';
import { choosePlacement, overlap, stackBox } from '../../src/lib/realtime/toast-placement';

const desktop = {
	viewport: { width: 1280, height: 800 },
	stack: { width: 384, height: 240 },
	margin: 12,
	align: 'end' as const,
	topBarBottom: 52,
	avoid: null
};

describe('toast placement', () => {
	it('puts the stack at the bottom right by default, never over the top bar at the top', () => {
		expect(choosePlacement(desktop)).toEqual({ edge: 'bottom', top: 64 });
		expect(stackBox(desktop, 'bottom')).toEqual({ top: 548, left: 884, width: 384, height: 240 });
		expect(stackBox(desktop, 'top').top).toBe(64);
		// Scrolled away, the bar no longer holds the stack down.
		expect(stackBox({ ...desktop, topBarBottom: -80 }, 'top').top).toBe(12);
	});

	it('moves under the top bar when the bottom would cover the control just used', () => {
		const button = { top: 700, left: 1000, width: 120, height: 36 };
		expect(choosePlacement({ ...desktop, avoid: button }).edge).toBe('top');
		// A control elsewhere (left side, or high up) keeps it at the bottom.
		expect(choosePlacement({ ...desktop, avoid: { ...button, left: 100 } }).edge).toBe('bottom');
		expect(choosePlacement({ ...desktop, avoid: { ...button, top: 300 } }).edge).toBe('bottom');
	});

	it('spans the width on phones and picks the edge that covers the control less', () => {
		const phone = {
			...desktop,
			viewport: { width: 390, height: 844 },
			align: 'stretch' as const,
			stack: { width: 0, height: 500 }
		};
		expect(stackBox(phone, 'bottom')).toMatchObject({ left: 12, width: 366 });
		// Both edges touch a tall control in the middle: the one that covers less of it wins.
		const middle = { top: 300, left: 50, width: 200, height: 300 };
		const atTop = overlap(stackBox(phone, 'top'), middle);
		const atBottom = overlap(stackBox(phone, 'bottom'), middle);
		expect(choosePlacement({ ...phone, avoid: middle }).edge).toBe(
			atTop < atBottom ? 'top' : 'bottom'
		);
	});

	it('measures overlap as an area, zero for boxes that only touch', () => {
		const a = { top: 0, left: 0, width: 10, height: 10 };
		expect(overlap(a, { top: 5, left: 5, width: 10, height: 10 })).toBe(25);
		expect(overlap(a, { top: 10, left: 0, width: 10, height: 10 })).toBe(0);
	});
});
