/**
 * Three nodes of the built server on one PostgreSQL database behind a real nginx (round robin,
 * WebSocket upgrade headers, X-Forwarded-For): an event emitted through any node reaches every
 * socket of its user on every node exactly once and in seq order, and no one else's; signing out
 * through one node closes that session's sockets on all of them at once; a client message resent
 * to another node is applied once. Each response through nginx names the node it came from
 * (X-Upstream), so the test knows where every socket lives.
 *
 * All of it twice: the nodes on the server itself, and with a PgBouncer in transaction mode
 * between their queries and the server (two server connections for the three nodes' pools), as on
 * a managed PostgreSQL: DATABASE_PREPARED_STATEMENTS=off, LISTEN and NOTIFY on DATABASE_DIRECT_URL,
 * and the sweep held off (REALTIME_SWEEP_MS ten minutes), so every event and sign-out that reaches
 * another node got there by NOTIFY.
 */
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { login, postAction } from '../support/chaos-auth';
import { Cluster, type ClusterUser } from '../support/cluster';
import { PgBouncer } from '../support/pgbouncer';
import { testDatabase, type TestDatabase } from '../support/postgres-vitest';
import { TestClient, type Frame } from '../support/server-client';

const EVENTS = 30;

interface Placed {
	client: TestClient;
	/** Index of the node the socket reached through nginx. */
	node: number;
	welcomeSeq: number;
}

describe.each([
	{ setup: 'three nodes on PostgreSQL behind nginx', pooled: false },
	{ setup: 'three nodes behind nginx, their queries through PgBouncer', pooled: true }
])('$setup', ({ pooled }) => {
	let database: TestDatabase;
	let bouncer: PgBouncer | undefined;
	let cluster: Cluster;
	const clients: TestClient[] = [];

	beforeAll(async () => {
		if (!existsSync('build/server.js')) throw new Error('build/server.js missing: npm run build');
		database = await testDatabase();
		if (pooled) bouncer = await PgBouncer.start({ serverUrl: database.url, poolSize: 2 });
		const env = bouncer && {
			DATABASE_URL: bouncer.urlOf(database.url),
			DATABASE_DIRECT_URL: database.url,
			DATABASE_PREPARED_STATEMENTS: 'off',
			REALTIME_SWEEP_MS: '600000'
		};
		cluster = await Cluster.start({ database, env });
	}, 120_000);

	afterEach(() => {
		for (const client of clients.splice(0)) client.close();
	});

	afterAll(async () => {
		await cluster?.stop();
		await bouncer?.stop();
		await database?.drop();
	});

	async function signIn(user: ClusterUser): Promise<{ token: string; cookie: string }> {
		const result = await login(cluster.origin, user.email);
		if (!result.token || !result.cookie) throw new Error(`login failed with ${result.status}`);
		return { token: result.token, cookie: result.cookie };
	}

	/** A socket through nginx, resumed from its welcome (so it gets live events). */
	async function openSocket(token: string): Promise<Placed> {
		const client = new TestClient(cluster.wsUrl, { token, origin: cluster.origin });
		clients.push(client);
		const upstream = new Promise<string | undefined>((resolve) =>
			client.ws.once('upgrade', (response) => resolve(response.headers['x-upstream'] as string))
		);
		const welcome = await client.next('welcome', 10_000);
		const welcomeSeq = (welcome.data as { lastSeq: number }).lastSeq;
		client.send({ type: 'resume', data: { lastSeq: welcomeSeq } });
		return { client, node: cluster.nodeIndexOf(await upstream), welcomeSeq };
	}

	/** Sockets until every node holds at least `perNode` of them (round robin needs 3 per round). */
	async function socketsOnEveryNode(token: string, perNode: number): Promise<Placed[]> {
		const placed: Placed[] = [];
		const count = (node: number) => placed.filter((p) => p.node === node).length;
		for (let i = 0; i < perNode * cluster.nodes.length * 3; i++) {
			placed.push(await openSocket(token));
			if (cluster.nodes.every((_, node) => count(node) >= perNode)) return placed;
		}
		throw new Error(`sockets did not reach every node: ${placed.map((p) => p.node).join(',')}`);
	}

	/** Emit a notification for the cookie's user through node `node` (the app's /simulate action). */
	async function emitThrough(node: number, cookie: string): Promise<void> {
		const result = await postAction(
			cluster.nodes[node].origin,
			'/simulate?/notification',
			{ category: 'system' },
			{ cookie }
		);
		expect(result.result?.type, result.text.slice(0, 300)).toBe('success');
	}

	async function loggedEvents(userId: number): Promise<{ seq: number; id: string }[]> {
		const { rows } = await cluster.db.query<{ seq: number; id: string }>(
			'SELECT seq, id FROM event_log WHERE user_id = $1 ORDER BY seq',
			[userId]
		);
		return rows.map((row) => ({ seq: Number(row.seq), id: row.id }));
	}

	/** The next `count` event frames (control frames skipped). */
	async function events(client: TestClient, count: number): Promise<Frame[]> {
		const frames: Frame[] = [];
		while (frames.length < count) {
			const frame = await client.next(undefined, 10_000);
			if (frame.seq !== undefined) frames.push(frame);
		}
		return frames;
	}

	it('delivers events emitted through any node to every socket of the user on every node, once and in order', async () => {
		const [alice, bob] = await cluster.addUsers(2, 'fanout');
		const [aliceAuth, bobAuth] = await Promise.all([signIn(alice), signIn(bob)]);
		const aliceSockets = await socketsOnEveryNode(aliceAuth.token, 2);
		const bobSockets = await socketsOnEveryNode(bobAuth.token, 1);

		// Emitted through the three nodes at once, so appends from different nodes interleave.
		await Promise.all(
			Array.from({ length: EVENTS }, (_, i) => emitThrough(i % 3, aliceAuth.cookie))
		);
		const logged = await loggedEvents(alice.id);
		expect(logged.map((row) => row.seq)).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
		for (const socket of aliceSockets) {
			const received = await events(socket.client, EVENTS);
			expect(
				received.map((frame) => [frame.seq, frame.id]),
				`socket on node ${socket.node}`
			).toEqual(logged.map((row) => [row.seq, row.id]));
		}

		// Nothing more was on its way: a last event through another node is the very next frame on
		// every socket (a duplicate would come before it), and Bob's sockets had nothing of Alice's.
		await emitThrough(1, aliceAuth.cookie);
		await emitThrough(2, bobAuth.cookie);
		for (const socket of aliceSockets) {
			expect((await events(socket.client, 1))[0].seq).toBe(EVENTS + 1);
		}
		for (const socket of bobSockets) {
			const [only] = await events(socket.client, 1);
			expect(only.seq).toBe(1);
			expect(only.id).toBe((await loggedEvents(bob.id))[0].id);
		}
	}, 90_000);

	it("signing out through one node closes that session's sockets on every node at once", async () => {
		const [carol] = await cluster.addUsers(1, 'signout');
		const [leaving, staying] = [await signIn(carol), await signIn(carol)];
		const leavingSockets = await socketsOnEveryNode(leaving.token, 1);
		const stayingSocket = await openSocket(staying.token);

		const signOut = await postAction(
			cluster.nodes[0].origin,
			'/logout',
			{},
			{
				cookie: leaving.cookie
			}
		);
		expect(signOut.result).toMatchObject({ type: 'redirect', location: '/login' });
		const closes = await Promise.all(
			leavingSockets.map((socket) => socket.client.waitClosed(5_000))
		);
		expect(closes.map((close) => close.code)).toEqual(leavingSockets.map(() => 4401));

		// The other session of the same user is untouched, wherever it lives.
		await emitThrough(2, staying.cookie);
		expect((await events(stayingSocket.client, 1))[0].seq).toBeGreaterThan(
			stayingSocket.welcomeSeq
		);
		// And the signed-out session is refused by every node.
		for (const node of cluster.nodes) {
			const client = new TestClient(node.origin.replace('http', 'ws') + '/ws', {
				token: leaving.token,
				headers: { 'x-forwarded-for': '127.0.0.9' }
			});
			clients.push(client);
			expect((await client.waitClosed(5_000)).code).toBe(4401);
		}
	}, 60_000);

	it('applies a client message resent to another node once (dedupe by id in the shared store)', async () => {
		const [dave] = await cluster.addUsers(1, 'dedupe');
		const auth = await signIn(dave);
		const first = await socketsOnEveryNode(auth.token, 1);
		await emitThrough(0, auth.cookie);
		const [notification] = await events(first[0].client, 1);
		const notificationId = String((notification.data as { id: string }).id);
		const message = { type: 'notification:read', id: 'read-once', data: { id: notificationId } };

		const onNode = (node: number) => first.find((socket) => socket.node === node)!.client;
		onNode(0).send(message);
		expect((await onNode(0).next('ack', 10_000)).data).toEqual({ id: 'read-once' });
		const read = async () =>
			(
				await cluster.db.query<{ read: number }>(
					'SELECT read FROM notifications WHERE user_id = $1 AND id = $2',
					[dave.id, notificationId]
				)
			).rows[0].read;
		expect(Number(await read())).toBe(1);

		// The user marks it unread elsewhere; the resend of the old message (as after a failover
		// whose ack was lost) reaches another node: acked again, not applied again.
		await cluster.db.query('UPDATE notifications SET read = 0 WHERE user_id = $1 AND id = $2', [
			dave.id,
			notificationId
		]);
		for (const node of [1, 2]) {
			onNode(node).send(message);
			expect((await onNode(node).next('ack', 10_000)).data).toEqual({ id: 'read-once' });
		}
		expect(Number(await read())).toBe(0);
		const { rows } = await cluster.db.query<{ count: string }>(
			'SELECT COUNT(*) AS count FROM client_messages WHERE user_id = $1 AND id = $2',
			[dave.id, 'read-once']
		);
		expect(Number(rows[0].count)).toBe(1);
	}, 60_000);
});
