/**
 * The machine's recent events for /inspect: a bounded, newest-first log with a short, safe
 * one-line summary of each event's payload.
 */

/** How many events /inspect keeps. */
export const EVENT_LOG_SIZE = 50;

export interface LoggedEvent {
	/** Increasing number, a stable key for the list. */
	n: number;
	/** When the machine received it (epoch ms). */
	at: number;
	type: string;
	/** The payload in one short line ('' when the event has none). */
	summary: string;
}

const MAX_SUMMARY = 120;

/** `log` with `entry` in front, cut to `size` entries. Returns a new array. */
export function appendEvent(
	log: readonly LoggedEvent[],
	entry: LoggedEvent,
	size = EVENT_LOG_SIZE
): LoggedEvent[] {
	return [entry, ...log.slice(0, size - 1)];
}

/**
 * The event's own fields (all but `type`) as compact JSON, shortened to 120 characters. Values that
 * are not plain data (a WebSocket, an Error, a function) appear as their kind, never expanded.
 */
export function summarizeEvent(event: { type: string; [key: string]: unknown }): string {
	const rest = Object.fromEntries(Object.entries(event).filter(([key]) => key !== 'type'));
	if (Object.keys(rest).length === 0) return '';
	let text: string;
	try {
		text = JSON.stringify(rest, plainOnly) ?? '';
	} catch {
		text = '[unserializable]';
	}
	return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}

function plainOnly(this: unknown, _key: string, value: unknown): unknown {
	if (typeof value === 'function') return '[function]';
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
	const proto = Object.getPrototypeOf(value);
	if (proto === Object.prototype || proto === null) return value;
	if (value instanceof Error) return `[${value.name}: ${value.message}]`;
	return `[${proto?.constructor?.name ?? 'object'}]`;
}
