/**
 * The Notifications page's query parameters: `category` (one of the protocol's categories) and
 * `page`. An unknown category is kept, so the page can say it does not exist instead of failing.
 */
import { NOTIFICATION_CATEGORIES, type NotificationCategory } from '$lib/protocol';

/** Notifications on one page. */
export const NOTIFICATIONS_PAGE_SIZE = 20;

export type NotificationQuery =
	| { kind: 'list'; category: NotificationCategory | null; page: number }
	/** The category named in the URL is none of ours (cut to 40 characters for display). */
	| { kind: 'unknown-category'; category: string };

export function isNotificationCategory(value: unknown): value is NotificationCategory {
	return (NOTIFICATION_CATEGORIES as readonly unknown[]).includes(value);
}

/** What the query parameters ask for. */
export function parseNotificationQuery(params: URLSearchParams): NotificationQuery {
	const category = params.get('category')?.trim() || null;
	if (category !== null && !isNotificationCategory(category)) {
		return { kind: 'unknown-category', category: category.slice(0, 40) };
	}
	const raw = params.get('page')?.trim() ?? '';
	const page = /^\d{1,9}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : 1;
	return { kind: 'list', category, page };
}

/** The query string for a category and page, defaults left out ("?category=social&page=2"). */
export function notificationQuery(category: NotificationCategory | null, page = 1): string {
	const params = new URLSearchParams();
	if (category) params.set('category', category);
	if (page > 1) params.set('page', String(page));
	const query = params.toString();
	return query ? `?${query}` : '';
}
