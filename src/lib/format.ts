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

/**
 * A wait in words, rounded up to the second: "1 second", "45 seconds", "2 minutes",
 * "1 minute 4 seconds", "1 hour 5 minutes".
 */
export function formatWait(ms: number): string {
	const total = Math.max(1, Math.ceil(ms / 1000));
	const parts: [number, string][] = [
		[Math.floor(total / 3600), 'hour'],
		[Math.floor((total % 3600) / 60), 'minute'],
		[total % 60, 'second']
	];
	return parts
		.filter(([count]) => count > 0)
		.map(([count, unit]) => `${count} ${unit}${count === 1 ? '' : 's'}`)
		.join(' ');
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const shortDate = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric' });
const shortDateWithYear = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });

/**
 * How long ago `value` was, seen at `now` (epoch ms): "just now", "5 min ago", "2 h ago",
 * "3 d ago", then the date ("Nov 25", with the year when it is not this year's). A time a little
 * in the future (another machine's clock) reads "just now". The input itself when unparsable.
 */
export function formatRelative(value: string | number, now: number): string {
	const date = new Date(value);
	const time = date.getTime();
	if (Number.isNaN(time)) return String(value);
	const elapsed = now - time;
	if (elapsed < MINUTE) return 'just now';
	if (elapsed < HOUR) return `${Math.floor(elapsed / MINUTE)} min ago`;
	if (elapsed < DAY) return `${Math.floor(elapsed / HOUR)} h ago`;
	if (elapsed < 7 * DAY) return `${Math.floor(elapsed / DAY)} d ago`;
	const sameYear = date.getFullYear() === new Date(now).getFullYear();
	return (sameYear ? shortDate : shortDateWithYear).format(date);
}
