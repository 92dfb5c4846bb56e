/**
 * Date and time formatting shared by the pages, toasts and tooltips: one clock everywhere
 * (English, 12-hour, local time: "6:30 PM"), absolute times, so nothing needs a ticking timer.
 */

const LOCALE = 'en';
const dateTime = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });
const clock = new Intl.DateTimeFormat(LOCALE, { timeStyle: 'medium' });
const clockMillis = new Intl.DateTimeFormat(LOCALE, {
	hour: 'numeric',
	minute: '2-digit',
	second: '2-digit',
	fractionalSecondDigits: 3
});

/** "Nov 25, 2025, 6:30 PM" for an ISO string or epoch ms; the input itself when unparsable. */
export function formatDateTime(value: string | number): string {
	const date = new Date(value);
	return Number.isNaN(date.getTime()) ? String(value) : dateTime.format(date);
}

/**
 * "6:30:05 PM", the same clock with seconds (retry times), or "6:30:05.123 PM" with
 * milliseconds (the event log).
 */
export function formatClock(epochMs: number, withMillis = false): string {
	return (withMillis ? clockMillis : clock).format(new Date(epochMs));
}
