/**
 * A node of the built server while its PostgreSQL restarts under load: it does not die (queries in
 * flight fail, the broken connections are replaced), a client message that arrives while the
 * database is down is neither applied nor refused (the socket is closed with 1001, so the client
 * resends it from its outbox once it is back), and afterwards the same message is applied once,
 * events flow again, and nothing committed before the crash is lost.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, postAction } from '../support/chaos-auth';
import { Cluster } from '../support/cluster';
import { TestClient, type Frame } from '../support/server-client';

describe('a node while PostgreSQL restarts', () => {
	let cluster: Cluster;

	beforeAll(async () => {
		if (!existsSync('build/server.js')) throw new Error('build/server.js missing: npm run build');
		cluster = await Cluster.start({ nodes: 1, env: { REALTIME_RETAINED_EVENTS: '100000' } });
	}, 60_000);

	afterAll(async () => {
		await cluster?.stop();
	});

	it('survives a crash of PostgreSQL with requests in flight and loses no message', async () => {
		const node = cluster.nodes[0];
		const [user] = await cluster.addUsers(1, 'restart');
		const auth = await login(cluster.origin, user.email);
		const cookie = auth.cookie!;
		const socketUrl = `${node.origin.replace('http', 'ws')}/ws`;
		const open = async () => {
			const client = new TestClient(socketUrl, {
				token: auth.token!,
				headers: { 'x-forwarded-for': '127.0.0.7' }
			});
			const welcome = await client.next('welcome', 10_000);
			client.send({
				type: 'resume',
				data: { lastSeq: (welcome.data as { lastSeq: number }).lastSeq }
			});
			return client;
		};
		const emit = () =>
			postAction(node.origin, '/simulate?/notification', { category: 'system' }, { cookie });

		const before = await open();
		expect((await emit()).result?.type).toBe('success');
		const notification: Frame = await before.next('notification:new', 10_000);
		const notificationId = String((notification.data as { id: string }).id);
		const message = {
			type: 'notification:read',
			id: 'sent-while-down',
			data: { id: notificationId }
		};

		// Load while PostgreSQL crashes: form actions and sockets with queries in flight.
		let loading = true;
		const load = Array.from({ length: 4 }, async () => {
			while (loading) await emit().catch(() => undefined);
		});
		await new Promise((resolve) => setTimeout(resolve, 300));
		await cluster.postgres!.down('immediate');
		before.send(message);
		const closed = await before.waitClosed(10_000);
		expect(closed).toEqual({ code: 1001, reason: 'store unavailable' });
		expect(before.pending.filter((frame) => frame.type === 'error')).toEqual([]);
		await cluster.postgres!.startServer();
		loading = false;
		await Promise.all(load);
		expect(node.running).toBe(true);
		expect(node.exits).toEqual([]);

		// Back: the resent message is applied once, and events flow again.
		const after = await open();
		after.send(message);
		expect((await after.next('ack', 10_000)).data).toEqual({ id: 'sent-while-down' });
		const { rows } = await cluster.db.query<{ read: number }>(
			'SELECT read FROM notifications WHERE user_id = $1 AND id = $2',
			[user.id, notificationId]
		);
		expect(Number(rows[0].read)).toBe(1);
		expect((await emit()).result?.type).toBe('success');
		const latest = await after.next('notification:new', 10_000);
		const { rows: log } = await cluster.db.query<{ seq: number }>(
			'SELECT seq FROM event_log WHERE user_id = $1 ORDER BY seq',
			[user.id]
		);
		expect(latest.seq).toBe(Number(log.at(-1)!.seq));
		// Every seq from 1 to the latest is in the log: nothing committed was lost in the crash.
		expect(log.map((row) => Number(row.seq))).toEqual(log.map((_, i) => i + 1));
		after.close();
	}, 60_000);
});
