/** A new random id, unique across tabs and page loads: a UUID where the platform makes them. */
export function randomId(): string {
	const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
	return (
		crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
	);
}
