/**
 * The peers bench's server, a process of its own (forked by bench/peers/index.ts, commands over
 * IPC). One `ws` server for the WebSocket clients and one socket.io server (WebSocket transport),
 * both on 127.0.0.1, sending the same JSON text frames: an event frame of this package's
 * protocol, whose `id` carries `process.hrtime.bigint()` at the moment of sending, so the client
 * process measures latency on the same monotonic clock (one machine, so one clock).
 *
 * It speaks just enough of the protocol for statechart-websocket: a `welcome` on connection and
 * a `seq` that grows for the life of the process; other clients ignore both.
 */
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Server as SocketIoServer, type Socket as SocketIoSocket } from 'socket.io';
import { WebSocketServer, type WebSocket } from 'ws';

/** Commands from the bench process. */
export type ServerCommand =
	| { cmd: 'blast'; count: number }
	| { cmd: 'paced'; count: number; perMs: number }
	| { cmd: 'outage'; ms: number }
	| { cmd: 'counts' }
	| { cmd: 'stop' };

/** Replies to the bench process. */
export type ServerReply =
	| { type: 'ready'; wsPort: number; ioPort: number }
	| { type: 'done'; cmd: ServerCommand['cmd'] }
	| { type: 'listening-again'; at: string }
	/** Sockets opened since the server listened again, and the most open at once. */
	| { type: 'counts'; opened: number; maxOpen: number; open: number };

type Sink = { send(text: string): void; buffered(): number };

const PAD = 'x'.repeat(48);
let seq = 0;

/** One frame, about 227 bytes; `id` is the send time in ns. */
function frame(): string {
	seq++;
	return JSON.stringify({
		type: 'notification:new',
		id: process.hrtime.bigint().toString(),
		seq,
		ts: Date.now(),
		data: {
			id: `n-${seq}`,
			category: 'system',
			title: 'Interview invitation',
			description: PAD,
			timestamp: '2026-01-01T00:00:00.000Z'
		}
	});
}

const reply = (message: ServerReply) => process.send!(message);

let sinks: Sink[] = [];
let open = 0;
let maxOpen = 0;
let opened = 0;

function track(sink: Sink, onClose: (listener: () => void) => void): void {
	sinks.push(sink);
	open++;
	opened++;
	maxOpen = Math.max(maxOpen, open);
	onClose(() => {
		open--;
		sinks = sinks.filter((other) => other !== sink);
	});
}

/** Every TCP connection of both servers, to cut them all at once in an outage. */
const connections = new Set<Duplex>();
const trackConnections = (server: Server) =>
	server.on('connection', (socket) => {
		connections.add(socket);
		socket.on('close', () => connections.delete(socket));
	});

const http = createServer();
trackConnections(http);
const wss = new WebSocketServer({ server: http });
wss.on('connection', (socket: WebSocket) => {
	socket.send(
		JSON.stringify({ type: 'welcome', data: { heartbeatInterval: 30_000, lastSeq: seq } })
	);
	track({ send: (text) => socket.send(text), buffered: () => socket.bufferedAmount }, (listener) =>
		socket.on('close', listener)
	);
	// The client's `resume`, pings and messages need no answer here but a pong.
	socket.on('message', (raw) => {
		if (String(raw) === '{"type":"ping"}') socket.send('{"type":"pong"}');
	});
});

const ioHttp = createServer();
trackConnections(ioHttp);
const io = new SocketIoServer(ioHttp, { transports: ['websocket'], serveClient: false });
io.on('connection', (socket: SocketIoSocket) => {
	track(
		{
			send: (text) => socket.emit('m', text),
			buffered: () => 0
		},
		(listener) => socket.on('disconnect', listener)
	);
});

const listen = (server: Server, port = 0) =>
	new Promise<number>((resolve) =>
		server.listen(port, '127.0.0.1', () => {
			const address = server.address();
			resolve(typeof address === 'object' && address ? address.port : 0);
		})
	);

/**
 * Send `count` frames as fast as the sockets take them (backing off while a buffer is full). The
 * frames are built first, so the server's own JSON work does not set the pace: the client's does.
 */
async function blast(count: number): Promise<void> {
	const frames = Array.from({ length: count }, frame);
	for (let sent = 0; sent < count;) {
		const chunk = Math.min(500, count - sent);
		for (const sink of sinks) for (let i = 0; i < chunk; i++) sink.send(frames[sent + i]);
		sent += chunk;
		await new Promise((resolve) => setImmediate(resolve));
		while (sinks.some((sink) => sink.buffered() > 1 << 20)) {
			await new Promise((resolve) => setTimeout(resolve, 1));
		}
	}
}

/** Send `count` frames at `perMs` per millisecond, each stamped when it is written. */
async function paced(count: number, perMs: number): Promise<void> {
	const start = process.hrtime.bigint();
	for (let sent = 0; sent < count;) {
		const due = Math.min(
			count,
			Math.floor((Number(process.hrtime.bigint() - start) / 1e6) * perMs)
		);
		for (; sent < due; sent++) for (const sink of sinks) sink.send(frame());
		await new Promise((resolve) => setTimeout(resolve, 1));
	}
}

/**
 * An outage: stop listening and cut every connection (as a crashed or unplugged server would:
 * no close frame), wait `ms`, then listen on the same ports again.
 */
async function outage(ms: number, ports: { wsPort: number; ioPort: number }): Promise<void> {
	const closed = Promise.all([
		new Promise((resolve) => http.close(resolve)),
		new Promise((resolve) => ioHttp.close(resolve))
	]);
	for (const socket of connections) socket.destroy();
	await closed;
	await new Promise((resolve) => setTimeout(resolve, ms));
	opened = 0;
	maxOpen = open;
	await Promise.all([listen(http, ports.wsPort), listen(ioHttp, ports.ioPort)]);
	reply({ type: 'listening-again', at: process.hrtime.bigint().toString() });
}

const wsPort = await listen(http);
const ioPort = await listen(ioHttp);
process.on('message', async (command: ServerCommand) => {
	switch (command.cmd) {
		case 'blast':
			await blast(command.count);
			break;
		case 'paced':
			await paced(command.count, command.perMs);
			break;
		case 'outage':
			await outage(command.ms, { wsPort, ioPort });
			return;
		case 'counts':
			reply({ type: 'counts', opened, maxOpen, open });
			return;
		case 'stop':
			for (const client of wss.clients) client.terminate();
			io.close();
			http.close();
			process.disconnect();
			return;
	}
	reply({ type: 'done', cmd: command.cmd });
});
reply({ type: 'ready', wsPort, ioPort });
