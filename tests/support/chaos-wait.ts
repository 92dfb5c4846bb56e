/**
 * Bounded condition waits for integration tests: poll a predicate until it holds or the deadline
 * passes, then fail with a message that says what was awaited. No fixed sleeps.
 */

/** Wait until `predicate()` is truthy (polled every `intervalMs`), or throw after `timeoutMs`. */
export async function waitFor(
	predicate: () => unknown | Promise<unknown>,
	what: string,
	timeoutMs = 10_000,
	intervalMs = 10
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await predicate()) return;
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
}
