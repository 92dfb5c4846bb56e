/** Date and time formatting shared by the pages (absolute times, so nothing needs a ticking timer). */

const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

/** "Nov 25, 2025, 6:30 PM" for an ISO string or epoch ms; the input itself when unparsable. */
export function formatDateTime(value: string | number): string {
	const date = new Date(value);
	return Number.isNaN(date.getTime()) ? String(value) : dateTime.format(date);
}

/** "18:30:05.123" (local time with milliseconds), for the event log and retry times. */
export function formatClock(epochMs: number, withMillis = false): string {
	const d = new Date(epochMs);
	const hms = [d.getHours(), d.getMinutes(), d.getSeconds()]
		.map((n) => String(n).padStart(2, '0'))
		.join(':');
	return withMillis ? `${hms}.${String(d.getMilliseconds()).padStart(3, '0')}` : hms;
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
