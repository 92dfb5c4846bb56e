/** The Notifications page's query parameters. */
import { describe, expect, it } from 'vitest';
import { notificationQuery, parseNotificationQuery } from '../../src/lib/notification-filter';

const parse = (query: string) => parseNotificationQuery(new URLSearchParams(query));

describe('parseNotificationQuery', () => {
	it('reads a category and a page', () => {
		expect(parse('category=social&page=2')).toEqual({
			kind: 'list',
			category: 'social',
			page: 2
		});
		expect(parse('')).toEqual({ kind: 'list', category: null, page: 1 });
		expect(parse('page=0')).toEqual({ kind: 'list', category: null, page: 1 });
	});

	it('keeps an unknown category (cut short) for the page to name', () => {
		expect(parse('category=bogus')).toEqual({ kind: 'unknown-category', category: 'bogus' });
		expect(parse(`category=${'x'.repeat(90)}`)).toMatchObject({ category: 'x'.repeat(40) });
	});
});

describe('notificationQuery', () => {
	it('leaves defaults out', () => {
		expect(notificationQuery(null)).toBe('');
		expect(notificationQuery('job_alert', 3)).toBe('?category=job_alert&page=3');
		expect(notificationQuery(null, 2)).toBe('?page=2');
	});
});
