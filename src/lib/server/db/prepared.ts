/**
 * Prepared statements for Kysely on PostgreSQL: Kysely hands pg each query as text and
 * parameters, which PostgreSQL parses and plans anew every time (an unnamed statement). This
 * pool gives each distinct parameterized text a name, so pg prepares it once per pooled
 * connection and afterwards only binds and executes it. The outbox's append (one WITH statement
 * that takes the next seq, prunes and inserts) spends more in parse and plan than in running, so
 * this about doubles the appends a node commits per second on two cores.
 *
 * Left unnamed, and so planned as before:
 * - statements without parameters (`begin`, `commit`: nothing to plan);
 * - statements with a `*` (`select *`, `returning *`): a migration that adds a column changes
 *   their result, and PostgreSQL refuses to run a prepared statement whose result changed
 *   ("cached plan must not change result type") until the connection prepares it again;
 * - any text beyond the first `maxStatements`, so texts built per call (an `in` list of varying
 *   length) cannot grow every connection's set of prepared statements without bound.
 */
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** How many distinct statement texts get a name (each pooled connection prepares at most these). */
export const MAX_PREPARED_STATEMENTS = 256;

export function preparingPool(
	pool: pg.Pool,
	maxStatements = MAX_PREPARED_STATEMENTS
): PostgresPool {
	const names = new Map<string, string>();
	const nameOf = (text: string): string | undefined => {
		const known = names.get(text);
		if (known || names.size >= maxStatements || text.includes('*')) return known;
		const name = `kysely_${names.size + 1}`;
		names.set(text, name);
		return name;
	};
	// One wrapper per pg client: Kysely keeps its connection object per client it is given.
	const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
	const wrap = (client: pg.PoolClient): PostgresPoolClient => ({
		query: ((textOrCursor: unknown, parameters?: readonly unknown[]) => {
			if (typeof textOrCursor !== 'string') return client.query(textOrCursor as never);
			// Kysely hands each query a fresh array of its own: pg may take it as it is.
			const values = (parameters ?? []) as unknown[];
			const name = values.length > 0 ? nameOf(textOrCursor) : undefined;
			return client.query(
				name ? { name, text: textOrCursor, values } : { text: textOrCursor, values }
			);
		}) as unknown as PostgresPoolClient['query'], // one function for both of its overloads
		release: (destroy) => client.release(destroy)
	});
	return {
		connect: async () => {
			const client = await pool.connect();
			let wrapper = wrappers.get(client);
			if (!wrapper) wrappers.set(client, (wrapper = wrap(client)));
			return wrapper;
		},
		end: () => pool.end()
	};
}
