/**
 * Password guessing against the built server, as an attacker would run it: failed sign-ins are
 * throttled per account and per client address (taken from X-Forwarded-For, as the proxy
 * deployment sets ADDRESS_HEADER and XFF_DEPTH), a throttled attempt is 429 with Retry-After and
 * its password is not checked, success resets the run, parallel guesses cannot all slip through
 * while the count reads free, two server processes on one store throttle the same run, and an
 * unknown e-mail and a wrong password get the same answer, in the same time. On both engines:
 * the two processes on PostgreSQL are two nodes of a cluster.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatWait } from '../../src/lib/format';
import type { DatabaseConfig } from '../../src/lib/server/db';
import { addUsers, DEMO_USERS, PASSWORD } from '../support/chaos-auth';
import { ServerProcess } from '../support/chaos-server';
import { testDatabase } from '../support/postgres-vitest';

/**
 * Behind a proxy, and waits of a minute after the free failures: long enough that no attempt of
 * a test comes after its wait is over, however slow a loaded machine runs the password hashes.
 * The default curve (1 s, 2 s, …) is tested in tests/server/signin-*.test.ts; here only how long
 * the wait is differs.
 */
const SERVER_ENV = {
	ADDRESS_HEADER: 'X-Forwarded-For',
	XFF_DEPTH: '1',
	SIGNIN_FIRST_DELAY_MS: '60000',
	SIGNIN_MAX_DELAY_MS: '60000'
};

interface Answer {
	status: number;
	retryAfter: string | null;
	setCookie: string[];
	/**
	 * The headers, without those that differ between any two answers: the date, and digests and
	 * lengths of the body (which holds a fresh nonce and the echoed e-mail).
	 */
	headers: Record<string, string>;
	/** The body with CSP nonces and the echoed e-mail blanked out. */
	body: string;
	ms: number;
}

let addressCounter = 0;
/** An address no other attempt of this file uses. */
const freshAddress = () => `198.18.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

/**
 * POST /login as a plain form (HTML answer) or as `use:enhance` does (JSON), from `address` (the
 * address a proxy would have appended to X-Forwarded-For; null: no such header, straight to the
 * server).
 */
async function attempt(
	server: ServerProcess,
	email: string,
	password: string,
	{ address = freshAddress() as string | null, enhanced = false } = {}
): Promise<Answer> {
	const started = performance.now();
	const response = await fetch(`${server.origin}/login`, {
		method: 'POST',
		redirect: 'manual',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			origin: server.origin,
			// What the client wrote itself (left) changes every time; the proxy appended `address`.
			...(address !== null && { 'x-forwarded-for': `${freshAddress()}, ${address}` }),
			...(enhanced
				? { accept: 'application/json', 'x-sveltejs-action': 'true' }
				: { accept: 'text/html' })
		},
		body: new URLSearchParams({ email, password })
	});
	const text = await response.text();
	const ms = performance.now() - started;
	const blank = (value: string) =>
		value
			.replace(/nonce-[\w+/=-]+/g, 'nonce-N')
			.replace(/nonce="[^"]+"/g, 'nonce="N"')
			.replaceAll(email, 'EMAIL');
	const headers = Object.fromEntries(
		[...response.headers]
			.filter(([name]) => !['date', 'etag', 'content-length', 'set-cookie'].includes(name))
			.map(([name, value]) => [name, blank(value)])
	);
	return {
		status: response.status,
		retryAfter: response.headers.get('retry-after'),
		setCookie: response.headers.getSetCookie(),
		headers,
		body: blank(text),
		ms
	};
}

/** The text of the form's alert in an HTML answer, or the JSON action result's message. */
function message(answer: Answer): string | undefined {
	const html = /data-testid="login-error"[^>]*>([^<]*)</.exec(answer.body)?.[1];
	if (html) return html;
	const result = JSON.parse(answer.body) as { data?: string };
	// devalue: [{ email: 1, message: 2 }, "EMAIL", "the message"]
	return (JSON.parse(result.data ?? '[]') as unknown[]).find(
		(item): item is string => typeof item === 'string' && item !== 'EMAIL'
	);
}

/** A refusal: 429, Retry-After within the minute, the same wait in words, no session. */
function expectRefused(answer: Answer): void {
	expect(answer.status).toBe(429);
	const seconds = Number(answer.retryAfter);
	expect(seconds).toBeGreaterThanOrEqual(1);
	expect(seconds).toBeLessThanOrEqual(60);
	expect(message(answer)).toBe(
		`Too many failed sign-ins. Wait ${formatWait(seconds * 1000)}, then try again.`
	);
	expect(answer.setCookie).toEqual([]);
}

/** The answer without the wait's length (two refusals may be a second apart). */
function withoutWait(answer: Answer) {
	const blank = (text: string) => text.replace(/Wait [^,]+, then/, 'Wait W, then');
	return {
		...answer,
		ms: 0,
		retryAfter: answer.retryAfter && 'R',
		headers: { ...answer.headers, ...(answer.retryAfter && { 'retry-after': 'R' }) },
		body: blank(answer.body)
	};
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

/** Where the servers keep their data: a SQLite file of the first server's, or a PostgreSQL database. */
interface Engine {
	name: string;
	/** Environment for every server process of the suite, and what addUsers writes to. */
	open(): Promise<{ env: Record<string, string>; drop(): Promise<void> }>;
}

const ENGINES: Engine[] = [
	{ name: 'sqlite', open: async () => ({ env: {}, drop: async () => {} }) },
	{
		name: 'postgres',
		async open() {
			const database = await testDatabase();
			return { env: { DATABASE_URL: database.url }, drop: () => database.drop() };
		}
	}
];

describe.each(ENGINES)('on $name', (engine) => {
	let server: ServerProcess;
	let serverEnv: Record<string, string>;
	let store: string | DatabaseConfig;
	let drop = async () => {};

	beforeAll(async () => {
		if (!existsSync('build/server.js')) throw new Error('build/server.js missing: npm run build');
		const opened = await engine.open();
		drop = opened.drop;
		serverEnv = { ...SERVER_ENV, ...opened.env };
		server = await ServerProcess.start({ env: serverEnv });
		store = opened.env.DATABASE_URL
			? { engine: 'postgres', url: opened.env.DATABASE_URL }
			: server.databasePath;
	}, 60_000);

	afterAll(async () => {
		await server?.stop();
		await drop();
	});

	describe('per account', () => {
		it('5 failures are free, the 6th from any address is 429 with Retry-After and the right password is not checked', async () => {
			for (let i = 0; i < 5; i++) {
				const answer = await attempt(server, 'sam@example.com', `wrong-${i}`);
				expect(answer.status, `failure ${i + 1}`).toBe(400);
				expect(message(answer)).toBe('Incorrect email or password');
				expect(answer.retryAfter).toBeNull();
			}
			expectRefused(await attempt(server, 'sam@example.com', PASSWORD));
			// The enhanced form gets 429 too, with the same words.
			expectRefused(await attempt(server, 'SAM@example.com', PASSWORD, { enhanced: true }));
		});

		it('a success resets the run: the next five mistakes are free again', async () => {
			const [user] = await addUsers(store, 1, 'reset');
			for (let i = 0; i < 4; i++) {
				expect((await attempt(server, user.email, 'wrong')).status).toBe(400);
			}
			const signedIn = await attempt(server, user.email, PASSWORD);
			expect(signedIn.status).toBe(303);
			expect(signedIn.setCookie.some((line) => line.startsWith('session='))).toBe(true);
			for (let i = 0; i < 5; i++) {
				expect((await attempt(server, user.email, 'wrong')).status, `failure ${i + 1}`).toBe(400);
			}
			expectRefused(await attempt(server, user.email, 'wrong'));
		});
	});

	describe('per client address', () => {
		it('5 failures on 5 accounts from one address are free, the 6th is 429; other addresses are not affected', async () => {
			const address = freshAddress();
			for (let i = 0; i < 5; i++) {
				const answer = await attempt(server, `nobody-${i}@example.com`, 'guess', { address });
				expect(answer.status, `failure ${i + 1}`).toBe(400);
			}
			expectRefused(await attempt(server, 'alex@example.com', PASSWORD, { address }));
			// The same account from another address signs in (and that does not forgive the address).
			expect((await attempt(server, 'alex@example.com', PASSWORD)).status).toBe(303);
			expectRefused(await attempt(server, 'other@example.com', 'guess', { address }));
		});
	});

	describe('the same answer for every failure', () => {
		it.each([false, true])(
			'an unknown e-mail and a wrong password: identical answers, before and while throttled (enhanced: %s)',
			async (enhanced) => {
				const run = enhanced ? 'e' : 'p';
				const users = await addUsers(store, 1, `same-${run}`);
				const real = users[0].email;
				// No such account, and the same length, so not even Content-Length tells them apart.
				const ghost = real.replace('same-', 'sane-');
				expect(ghost.length).toBe(real.length);
				for (let i = 0; i < 5; i++) {
					const wrong = await attempt(server, real, 'wrong', { enhanced });
					const missing = await attempt(server, ghost, 'wrong', { enhanced });
					expect(withoutWait(missing), `failure ${i + 1}`).toEqual(withoutWait(wrong));
					// The enhanced form's failure travels in a 200 JSON answer (SvelteKit's convention).
					expect(wrong.status).toBe(enhanced ? 200 : 400);
					expect(message(wrong)).toBe('Incorrect email or password');
				}
				const wrong = await attempt(server, real, 'wrong', { enhanced });
				const missing = await attempt(server, ghost, 'wrong', { enhanced });
				expect(withoutWait(missing)).toEqual(withoutWait(wrong));
				expectRefused(wrong);
			}
		);

		it('an unknown e-mail takes as long as a wrong password (the password hash is checked either way)', async () => {
			const users = await addUsers(store, 8, 'timing');
			const times = { wrong: [] as number[], missing: [] as number[] };
			// Interleaved, each on an account and address of its own, so load and throttle hit both alike.
			for (const { email } of users) {
				times.wrong.push((await attempt(server, email, 'wrong')).ms);
				times.missing.push((await attempt(server, email.replace('timing', 'timinq'), 'wrong')).ms);
			}
			// A lookup that skipped the hash would answer in a fraction of the time: scrypt dominates.
			const ratio = median(times.missing) / median(times.wrong);
			expect(ratio, JSON.stringify(times)).toBeGreaterThan(0.5);
			expect(ratio, JSON.stringify(times)).toBeLessThan(2);
		});
	});

	describe('two server processes on one store', () => {
		let second: ServerProcess;

		beforeAll(async () => {
			second = await ServerProcess.start({ databasePath: server.databasePath, env: serverEnv });
		}, 60_000);
		afterAll(async () => {
			await second?.stop();
		});

		it('throttle one run of guesses together', async () => {
			const [victim] = await addUsers(store, 1, 'shared');
			for (const [i, node] of [server, second, server, second, server].entries()) {
				expect((await attempt(node, victim.email, 'wrong')).status, `failure ${i + 1}`).toBe(400);
			}
			expectRefused(await attempt(second, victim.email, PASSWORD));
			expectRefused(await attempt(server, victim.email, PASSWORD));
		});

		it('20 parallel guesses from one address, spread over both: only the 5 free ones are checked', async () => {
			const address = freshAddress();
			const answers = await Promise.all(
				Array.from({ length: 20 }, (_, i) =>
					attempt(i % 2 ? second : server, `parallel-${i}@example.com`, 'guess', { address })
				)
			);
			const statuses = answers.map((answer) => answer.status).sort();
			expect(statuses).toEqual([...Array(5).fill(400), ...Array(15).fill(429)]);
		});
	});

	describe('a sign-in that did not come through the proxy', () => {
		it('cannot pick its own address: without the header it fails, as adapter-node fails it', async () => {
			const direct = await attempt(server, DEMO_USERS[0], 'wrong', { address: null });
			expect(direct.status).toBe(500);
		});
	});
});
