/**
 * Server fuzzing: at least 10,000 arbitrary text frames, plus binary and oversize frames, from an
 * authenticated client into the real hub (in process, on a real HTTP server and a temporary
 * SQLite file, with the domain's real message handlers). Every frame is answered, by the protocol:
 * an `error` frame, an `ack`, a `pong`, a replay/resync, or a close code; the hub keeps serving;
 * and the heap, after a forced GC, stays within a bound of where it started.
 */
import { createServer } from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { clientControlSchemas } from '../../src/lib/protocol';
import { insertNotification } from '../../src/lib/server/domain/notifications';
import { socketAuthenticator } from '../../src/lib/server/auth';
import { createHub } from '../../src/lib/server/realtime/hub';
import { startRealtimeTestServer, type RealtimeTestServer } from '../support/server-harness';
import { hostileFrame, hostileString } from './arbitraries';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const TEXT_FRAMES = 10_000;
const MAX_PAYLOAD = 64 * 1024;

// The fuzz needs a real GC to measure retained heap honestly; expose it for this process.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

let server: RealtimeTestServer;
let url: string;
let token: string;
let userId: number;
let notificationId: string;

beforeAll(async () => {
	// The message rate limit is lifted so every fuzz frame reaches the parser; it is fuzzed below.
	server = await startRealtimeTestServer({
		hub: {
			messageRate: { burst: 1_000_000, perSecond: 1_000_000, closeAfter: 50 },
			connectionRate: { burst: 10_000, perSecond: 10_000 }
		}
	});
	url = server.url;
	userId = await server.createUser('fuzz');
	token = await server.makeToken(userId);
	notificationId = String(
		(
			await insertNotification(server.db, userId, {
				category: 'system',
				title: 't',
				description: 'd'
			})
		).id
	);
	// Something to replay, so resume frames exercise the replay path.
	for (let i = 0; i < 5; i++) await server.emit(userId, 'notification:new', { n: i });
});

afterAll(async () => {
	await server?.close();
});

/** A socket that collects answers and can wait for the answer to one frame. */
class Probe {
	readonly ws: WebSocket;
	private readonly inbox: string[] = [];
	private wake: (() => void) | null = null;
	closeCode: number | null = null;

	private constructor() {
		this.ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
		this.ws.on('message', (data) => {
			this.inbox.push(data.toString());
			this.wake?.();
		});
		this.ws.on('close', (code) => {
			this.closeCode = code;
			this.wake?.();
		});
		this.ws.on('error', () => {});
	}

	static async open(): Promise<Probe> {
		const probe = new Probe();
		const welcome = await probe.next();
		if (!welcome.includes('"welcome"')) throw new Error(`expected welcome, got ${welcome}`);
		// Resume (the replay path), and take the replay in before any frame under test, so each
		// answer holds only what its own frame caused.
		await probe.answerTo(JSON.stringify({ type: 'resume', data: { lastSeq: 5 } }));
		return probe;
	}

	/** The next frame, or '' once the socket closed. */
	async next(timeoutMs = 5000): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		while (this.inbox.length === 0) {
			if (this.closeCode !== null) return '';
			if (Date.now() > deadline) throw new Error('no answer from the hub');
			await new Promise<void>((resolve) => {
				this.wake = resolve;
				setTimeout(resolve, 50);
			});
			this.wake = null;
		}
		return this.inbox.shift()!;
	}

	/**
	 * Send a frame, then a sentinel message (acked through the same asynchronous path as every
	 * client message, so it is answered after anything the frame caused); return what came back
	 * before the sentinel's ack, or the close code.
	 */
	async answerTo(frame: string | Buffer): Promise<{ frames: string[]; closeCode: number | null }> {
		const sentinel = `sentinel-${++sentinels}`;
		this.ws.send(frame, { binary: Buffer.isBuffer(frame) });
		if (this.ws.readyState === WebSocket.OPEN) {
			this.ws.send(
				JSON.stringify({ type: 'notification:read', id: sentinel, data: { id: notificationId } })
			);
		}
		const sentinelAck = `{"type":"ack","data":{"id":"${sentinel}"}}`;
		const frames: string[] = [];
		for (;;) {
			const text = await this.next();
			if (text === '') return { frames, closeCode: this.closeCode };
			if (text === sentinelAck) return { frames, closeCode: null };
			frames.push(text);
		}
	}
}

let sentinels = 0;

/** What the protocol lets go unanswered: a pong, and a resume when the client is up to date. */
function silentAllowed(text: string): boolean {
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch {
		return false;
	}
	return v.is(clientControlSchemas.pong, raw) || v.is(clientControlSchemas.resume, raw);
}

// Events come back as replays of the user's log (a `resume`), which also holds the
// `notification:read` event of the first sentinel that marked the notification read.
const ANSWER_TYPES = new Set([
	'error',
	'ack',
	'pong',
	'resync',
	'notification:new',
	'notification:read'
]);

function heapAfterGc(): number {
	gc();
	gc();
	return process.memoryUsage().heapUsed;
}

describe('server fuzz: the hub answers every hostile frame and stays up', () => {
	it(`answers ${TEXT_FRAMES}+ arbitrary text frames with an error, ack, pong, replay or close`, async () => {
		let probe = await Probe.open();
		const tally: Record<string, number> = {};
		let frames = 0;
		let reopened = 0;
		const check = async (text: string) => {
			frames++;
			const answer = await probe.answerTo(text);
			if (answer.closeCode !== null) {
				tally[`close ${answer.closeCode}`] = (tally[`close ${answer.closeCode}`] ?? 0) + 1;
				probe = await Probe.open();
				reopened++;
				return;
			}
			if (answer.frames.length === 0) {
				expect(silentAllowed(text), `no answer to ${text.slice(0, 200)}`).toBe(true);
				tally.silent = (tally.silent ?? 0) + 1;
				return;
			}
			for (const reply of answer.frames) {
				const type = (JSON.parse(reply) as { type: string }).type;
				expect(ANSWER_TYPES.has(type), `answer type ${type}`).toBe(true);
				tally[type] = (tally[type] ?? 0) + 1;
			}
		};
		// Warm up, then measure the heap from here.
		for (let i = 0; i < 300; i++)
			await check(fc.sample(hostileFrame, { seed: SEED + i, numRuns: 1 })[0]);
		const heapBefore = heapAfterGc();
		// Valid client messages too: a real notification id to read, repeated ids, bad payloads.
		const clientFrame = fc.oneof(
			hostileFrame,
			fc
				.record({
					type: fc.constantFrom('notification:read', 'resume', 'ping', 'pong', 'nope'),
					id: fc.oneof(fc.constantFrom('m1', 'm2', ''), hostileString),
					data: fc.oneof(
						fc.constant({ id: notificationId }),
						fc.constant({ lastSeq: 2 }),
						fc.jsonValue()
					)
				})
				.map((frame) => JSON.stringify(frame))
		);
		await fc.assert(
			fc.asyncProperty(fc.array(clientFrame, { minLength: 40, maxLength: 40 }), async (batch) => {
				for (const text of batch) await check(text);
			}),
			{ seed: SEED, numRuns: Math.ceil(TEXT_FRAMES / 40), endOnFailure: true }
		);
		const heapAfter = heapAfterGc();
		const growth = heapAfter - heapBefore;
		console.log(
			`[fuzz:server] ${frames} text frames, answers ${JSON.stringify(tally)}, sockets reopened ${reopened}, ` +
				`heap ${(heapBefore / 1048576).toFixed(1)} -> ${(heapAfter / 1048576).toFixed(1)} MiB, hub ${JSON.stringify(server.hub.stats())}`
		);
		expect(frames).toBeGreaterThanOrEqual(TEXT_FRAMES);
		// Bounded: nothing per frame may be retained. The bound allows V8's own noise, not a leak of
		// ~10k frames (which at even 1 KiB each would be 10 MiB).
		expect(growth).toBeLessThan(8 * 1024 * 1024);
		probe.ws.close();
	}, 180_000);

	it('answers binary frames with an error and oversize frames with close 1009', async () => {
		const probe = await Probe.open();
		const binaries = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 2048 }), {
			seed: SEED,
			numRuns: 200
		});
		for (const bytes of binaries) {
			const answer = await probe.answerTo(Buffer.from(bytes));
			expect(answer.closeCode).toBeNull();
			expect(answer.frames.map((f) => JSON.parse(f).data?.code)).toEqual(['binary']);
		}
		probe.ws.close();
		for (const [size, binary] of [
			[MAX_PAYLOAD + 1, false],
			[MAX_PAYLOAD * 4, true],
			[5 * 1024 * 1024, false]
		] as const) {
			const big = await Probe.open();
			const payload = binary
				? Buffer.alloc(size, 1)
				: `{"type":"ping","pad":"${'x'.repeat(size)}"}`;
			const answer = await big.answerTo(payload);
			expect(answer.closeCode, `frame of ${size} bytes`).toBe(1009);
		}
		expect(server.hub.stats().dropped.too_big).toBeGreaterThanOrEqual(3);
	}, 60_000);

	it('a flood past the message rate limit is answered rate_limited, then closed 4429', async () => {
		const limited = createHub({
			store: server.store,
			authenticate: socketAuthenticator(server.db),
			logger: { info() {}, warn() {}, error() {} },
			messageRate: { burst: 20, perSecond: 1, closeAfter: 10 }
		});
		const http = createServer();
		limited.attach(http);
		await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
		try {
			const ws = new WebSocket(`ws://127.0.0.1:${(http.address() as { port: number }).port}/ws`, {
				headers: { authorization: `Bearer ${token}` }
			});
			const codes: string[] = [];
			ws.on('message', (d) =>
				codes.push(String(JSON.parse(d.toString()).data?.code ?? JSON.parse(d.toString()).type))
			);
			const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
			await new Promise<void>((resolve) => ws.once('open', () => resolve()));
			for (let i = 0; i < 100; i++) ws.send('not json');
			expect(await closed).toBe(4429);
			expect(codes).toContain('rate_limited');
			expect(codes.filter((c) => c === 'bad_json').length).toBeGreaterThan(0);
		} finally {
			await limited.close();
			await new Promise<void>((resolve) => http.close(() => resolve()));
		}
	});

	it('still serves a well-behaved client afterwards', async () => {
		const probe = await Probe.open();
		const answer = await probe.answerTo(
			JSON.stringify({
				type: 'notification:read',
				id: 'final-check',
				data: { id: notificationId }
			})
		);
		expect(answer.frames).toEqual(['{"type":"ack","data":{"id":"final-check"}}']);
		probe.ws.close();
		// A handler that threw anything but a 4xx DomainError would be a server bug.
		expect(server.logger.lines.filter((line) => line.includes('handler_failed'))).toEqual([]);
	});
});
