/** Page counts, offsets and the pager's window of page numbers. */
import { describe, expect, it } from 'vitest';
import { pageCount, pageOffset, pageWindow } from '../../src/lib/paging';

describe('pageCount / pageOffset', () => {
	it('has at least one page and rounds up', () => {
		expect(pageCount(0, 12)).toBe(1);
		expect(pageCount(12, 12)).toBe(1);
		expect(pageCount(13, 12)).toBe(2);
		expect(pageOffset(3, 12)).toBe(24);
	});
});

describe('pageWindow', () => {
	it('shows every page of a short list', () => {
		expect(pageWindow(1, 1)).toEqual([1]);
		expect(pageWindow(2, 4)).toEqual([1, 2, 3, 4]);
	});

	it('elides long runs and shows a single missing page instead of an ellipsis', () => {
		expect(pageWindow(6, 12)).toEqual([1, null, 5, 6, 7, null, 12]);
		expect(pageWindow(1, 12)).toEqual([1, 2, null, 12]);
		expect(pageWindow(12, 12)).toEqual([1, null, 11, 12]);
		expect(pageWindow(3, 12)).toEqual([1, 2, 3, 4, null, 12]);
	});
});
