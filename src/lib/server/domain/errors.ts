/**
 * Errors the domain raises for bad requests, so routes can answer with the right status without
 * knowing the rules. Anything else that is thrown is a bug and becomes a 500.
 */
export class DomainError extends Error {
	/**
	 * @param status 400 for input that breaks a rule, 404 for something that does not exist or
	 *   belongs to another user (the two are not told apart, so ids cannot be probed).
	 */
	constructor(
		readonly status: 400 | 404,
		message: string
	) {
		super(message);
		this.name = 'DomainError';
	}
}

/** Shorthand for a 400 DomainError. */
export function invalid(message: string): DomainError {
	return new DomainError(400, message);
}

/** Shorthand for a 404 DomainError. */
export function notFound(message: string): DomainError {
	return new DomainError(404, message);
}
