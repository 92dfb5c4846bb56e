/**
 * An in-process Web Locks manager for Node, where `navigator.locks` does not exist (Node 20): the
 * exclusive-mode semantics the election relies on (one holder per name, requests granted in the
 * order they were made, a held lock released when the callback's promise settles, a queued request
 * left with an AbortSignal), plus `crash()`, which releases a holder's lock without its callback
 * settling, as the browser does for a page whose renderer died.
 */
import type { LockManagerLike } from '../../machines/tabs';

interface Request {
	callback: (lock: unknown) => Promise<unknown>;
	resolve: (value: unknown) => void;
	reject: (reason: unknown) => void;
	holder: string;
}

export class FakeLockManager {
	readonly #held = new Map<string, Request>();
	readonly #queues = new Map<string, Request[]>();

	/** A view of the manager for one tab: what that tab's code gets as `navigator.locks`. */
	forTab(holder: string): LockManagerLike {
		return { request: (name, options, callback) => this.#request(holder, name, options, callback) };
	}

	/** The tab holding `name`, if any. */
	holder(name: string): string | undefined {
		return this.#held.get(name)?.holder;
	}

	/** Tabs waiting for `name`, in order. */
	waiting(name: string): string[] {
		return (this.#queues.get(name) ?? []).map((request) => request.holder);
	}

	/** The tab `holder` died: its lock goes to the next in line, its callback never settles. */
	crash(holder: string): void {
		for (const [name, request] of this.#held) {
			if (request.holder !== holder) continue;
			this.#held.delete(name);
			this.#grantNext(name);
		}
		for (const queue of this.#queues.values()) {
			for (let i = queue.length - 1; i >= 0; i--)
				if (queue[i].holder === holder) queue.splice(i, 1);
		}
	}

	#request(
		holder: string,
		name: string,
		options: { signal?: AbortSignal },
		callback: (lock: unknown) => Promise<unknown>
	): Promise<unknown> {
		return new Promise((resolve, reject) => {
			const { signal } = options;
			if (signal?.aborted) return reject(abortError());
			const request: Request = { callback, resolve, reject, holder };
			const queue = this.#queues.get(name) ?? [];
			this.#queues.set(name, queue);
			queue.push(request);
			signal?.addEventListener('abort', () => {
				const index = queue.indexOf(request);
				if (index === -1) return; // granted already: aborting does nothing then
				queue.splice(index, 1);
				reject(abortError());
			});
			if (!this.#held.has(name)) this.#grantNext(name);
		});
	}

	#grantNext(name: string): void {
		const request = this.#queues.get(name)?.shift();
		if (!request) return;
		this.#held.set(name, request);
		// Granted in a task of its own, as browsers do.
		setImmediate(() => {
			Promise.resolve()
				.then(() => request.callback({ name, mode: 'exclusive' }))
				.then(request.resolve, request.reject)
				.finally(() => {
					if (this.#held.get(name) !== request) return; // crashed meanwhile
					this.#held.delete(name);
					this.#grantNext(name);
				});
		});
	}
}

function abortError(): Error {
	const error = new Error('The request was aborted.');
	error.name = 'AbortError';
	return error;
}
