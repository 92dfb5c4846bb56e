/**
 * The fault proxy itself: every fault does what the chaos suite relies on, against real sockets.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { waitFor } from '../support/chaos-wait';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	while (cleanups.length) await cleanups.pop()!();
});

async function echoServer(): Promise<net.Server> {
	const server = net.createServer((socket) => {
		socket.on('error', () => {});
		socket.pipe(socket);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
	return server;
}

async function proxyTo(server: net.Server | WebSocketServer): Promise<FaultProxy> {
	const port = (server.address() as net.AddressInfo).port;
	const proxy = await startFaultProxy({ target: { port }, maxBufferedBytes: 64 * 1024 });
	cleanups.push(() => proxy.close());
	return proxy;
}

async function connect(proxy: FaultProxy): Promise<net.Socket> {
	const socket = net.connect({ port: proxy.port, host: '127.0.0.1' });
	socket.on('error', () => {});
	await new Promise<void>((resolve) => socket.once('connect', resolve));
	cleanups.push(() => void socket.destroy());
	await waitFor(() => proxy.connections().length > 0, 'proxy accepted');
	return socket;
}

function collect(socket: net.Socket): { bytes: () => number; text: () => string } {
	const chunks: Buffer[] = [];
	socket.on('data', (chunk: Buffer) => chunks.push(chunk));
	return {
		bytes: () => chunks.reduce((n, c) => n + c.length, 0),
		text: () => Buffer.concat(chunks).toString()
	};
}

describe('fault proxy', () => {
	it('forwards both ways when no fault is set', async () => {
		const proxy = await proxyTo(await echoServer());
		const socket = await connect(proxy);
		const got = collect(socket);
		socket.write('hello');
		await waitFor(() => got.text() === 'hello', 'echo');
	});

	it('cut resets both legs (the client sees ECONNRESET)', async () => {
		const proxy = await proxyTo(await echoServer());
		const socket = await connect(proxy);
		const error = new Promise<NodeJS.ErrnoException>((resolve) => socket.once('error', resolve));
		expect(proxy.cut()).toBe(1);
		expect((await error).code).toBe('ECONNRESET');
		await waitFor(() => proxy.connections().length === 0, 'link gone');
	});

	it('black-hole keeps the sockets open, forwards nothing, and heals', async () => {
		const proxy = await proxyTo(await echoServer());
		const socket = await connect(proxy);
		const got = collect(socket);
		proxy.blackhole();
		socket.write('lost');
		await waitFor(() => proxy.connections()[0].droppedBytes === 4, 'bytes dropped');
		expect(got.bytes()).toBe(0);
		expect(socket.destroyed).toBe(false);
		expect(proxy.connections()[0].upstreamOpen).toBe(true);
		proxy.heal();
		socket.write('back');
		await waitFor(() => got.text() === 'back', 'forwarding again after heal');
	});

	it('a black-holed client that goes away leaves the server leg open (half-open)', async () => {
		const server = await echoServer();
		const proxy = await proxyTo(server);
		const socket = await connect(proxy);
		proxy.blackhole();
		socket.destroy();
		await waitFor(() => !proxy.connections()[0]?.clientOpen, 'client leg closed');
		expect(proxy.connections()[0].upstreamOpen).toBe(true);
	});

	it('delay holds every chunk at least the given time, in order', async () => {
		const proxy = await proxyTo(await echoServer());
		const socket = await connect(proxy);
		const got = collect(socket);
		proxy.delay(150);
		const sentAt = Date.now();
		socket.write('a');
		socket.write('b');
		await waitFor(() => got.text() === 'ab', 'delayed echo');
		// Two legs, each delayed: the lower bound is a correctness property, not a timing benchmark.
		expect(Date.now() - sentAt).toBeGreaterThanOrEqual(300);
	});

	it('throttle limits the rate and keeps the proxy buffer bounded', async () => {
		const sink = net.createServer((s) => s.on('data', () => {}).on('error', () => {}));
		await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
		cleanups.push(() => new Promise<void>((resolve) => sink.close(() => resolve())));
		const proxy = await proxyTo(sink);
		const socket = await connect(proxy);
		const rate = 200_000;
		proxy.throttle(rate);
		const total = 256 * 1024;
		const started = Date.now();
		let maxBuffered = 0;
		const watcher = setInterval(() => {
			const link = proxy.connections()[0];
			if (link) maxBuffered = Math.max(maxBuffered, link.bufferedBytes);
		}, 5);
		cleanups.push(() => clearInterval(watcher));
		await new Promise<void>((resolve) => socket.write(Buffer.alloc(total), () => resolve()));
		socket.end();
		await waitFor(() => proxy.connections().length === 0, 'all bytes through', 20_000);
		// The bucket starts empty, so 256 KiB at 200 kB/s cannot pass in under (256 KiB / rate) seconds.
		expect(Date.now() - started).toBeGreaterThanOrEqual(Math.floor((total / rate) * 1000) - 50);
		expect(maxBuffered).toBeLessThanOrEqual(2 * 64 * 1024 + 65536);
	});

	it('reads the x-chaos-client tag of a WebSocket upgrade', async () => {
		const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
		await new Promise<void>((resolve) => wss.once('listening', resolve));
		cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
		const proxy = await proxyTo(wss);
		const ws = new WebSocket(proxy.wsUrl(), { headers: { 'x-chaos-client': 'c-7' } });
		cleanups.push(() => ws.terminate());
		await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
		expect(proxy.connections().map((c) => c.clientTag)).toEqual(['c-7']);
	});

	it('can connect upstream from the client source address', async () => {
		const seen: string[] = [];
		const server = net.createServer((s) => {
			seen.push(s.remoteAddress ?? '');
			s.on('error', () => {}).end();
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
		const port = (server.address() as net.AddressInfo).port;
		const proxy = await startFaultProxy({ target: { port }, preserveSourceAddress: true });
		cleanups.push(() => proxy.close());
		const socket = net.connect({ port: proxy.port, host: '127.0.0.1', localAddress: '127.0.0.9' });
		socket.on('error', () => {});
		cleanups.push(() => void socket.destroy());
		await waitFor(() => seen.length === 1, 'upstream connection');
		expect(seen).toEqual(['127.0.0.9']);
	});

	it('resets connections beyond maxConnections and stops everything on close', async () => {
		const server = await echoServer();
		const port = (server.address() as net.AddressInfo).port;
		const proxy = await startFaultProxy({ target: { port }, maxConnections: 1 });
		const first = net.connect({ port: proxy.port, host: '127.0.0.1' }).on('error', () => {});
		await waitFor(() => proxy.connections().length === 1, 'first accepted');
		const second = net.connect({ port: proxy.port, host: '127.0.0.1' });
		const error = new Promise<NodeJS.ErrnoException>((resolve) => second.once('error', resolve));
		expect((await error).code).toBe('ECONNRESET');
		const closed = new Promise<void>((resolve) => first.once('close', () => resolve()));
		await proxy.close();
		await closed;
		expect(proxy.connections()).toEqual([]);
	});
});
