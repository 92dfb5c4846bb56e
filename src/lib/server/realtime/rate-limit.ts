/** A token bucket: the cheap, allocation-free rate limit used per socket and per address. */
export class TokenBucket {
	#tokens: number;
	#updatedAt: number;

	/**
	 * @param burst how many may pass at once (the bucket's size; it starts full)
	 * @param perSecond how fast it refills
	 */
	constructor(
		readonly burst: number,
		readonly perSecond: number,
		now: number = performance.now()
	) {
		this.#tokens = burst;
		this.#updatedAt = now;
	}

	#refill(now: number): void {
		this.#tokens = Math.min(
			this.burst,
			this.#tokens + ((now - this.#updatedAt) / 1000) * this.perSecond
		);
		this.#updatedAt = now;
	}

	/** Spend one token if there is one. */
	take(now: number = performance.now()): boolean {
		this.#refill(now);
		if (this.#tokens < 1) return false;
		this.#tokens -= 1;
		return true;
	}

	/** Whether the bucket is back to full, i.e. forgetting it changes nothing. */
	isFull(now: number = performance.now()): boolean {
		this.#refill(now);
		return this.#tokens >= this.burst;
	}
}
