/**
 * The control server the model tests stand on, checked with bare `ws` clients: if it lied about
 * what it does, every path test above it would prove nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startControlServer, waitFor, type ControlServer } from '../support/control-server';

let server: ControlServer;
const sockets: WebSocket[] = [];

beforeEach(async () => {
	server = await startControlServer({ heartbeatInterval: 1234, retain: 3 });
});

afterEach(async () => {
	for (const socket of sockets.splice(0)) socket.terminate();
	await server.close();
});

/** A bare socket that records the frames it receives and how it ended. */
function open(client: string) {
	const socket = new WebSocket(server.url(client));
	sockets.push(socket);
	const frames: Array<{ type: string; seq?: number; data?: unknown }> = [];
	const ended: { code?: number; error?: string } = {};
	socket.on('message', (data) => frames.push(JSON.parse(data.toString())));
	socket.on('close', (code) => (ended.code = code));
	socket.on('error', (error) => (ended.error = error.message));
	const opened = new Promise<void>((resolve) => socket.once('open', () => resolve()));
	return { socket, frames, ended, opened };
}

describe('control server', () => {
	it('accepts with a welcome, replays after resume, acks messages and answers ping', async () => {
		server.emit('notification:new', { n: 1 });
		server.emit('notification:new', { n: 2 });
		const a = open('a');
		await a.opened;
		a.socket.send(JSON.stringify({ type: 'resume', data: { lastSeq: 1 } }));
		a.socket.send(JSON.stringify({ type: 'note', id: 'm-1', data: {} }));
		a.socket.send(JSON.stringify({ type: 'ping' }));
		await waitFor(() => a.frames.length === 4, 2_000, 'four frames');
		expect(a.frames).toEqual([
			{ type: 'welcome', data: { heartbeatInterval: 1234, lastSeq: 2 } },
			expect.objectContaining({ type: 'notification:new', seq: 2, data: { n: 2 } }),
			{ type: 'ack', data: { id: 'm-1' } },
			{ type: 'pong' }
		]);
		expect(server.framesFrom('a')).toHaveLength(3);
	});

	it('answers resync to a resume older than the retained events', async () => {
		for (let n = 1; n <= 5; n++) server.emit('notification:new', { n });
		const a = open('a');
		await a.opened;
		a.socket.send(JSON.stringify({ type: 'resume', data: { lastSeq: 1 } }));
		await waitFor(() => a.frames.length === 2, 2_000, 'welcome and resync');
		expect(a.frames[1]).toEqual({ type: 'resync', data: { lastSeq: 5 } });
	});

	it('refuses with 503, drops, and holds upgrades until released', async () => {
		server.setMode('refuse');
		const refused = open('r');
		await waitFor(() => refused.ended.code !== undefined, 2_000, 'refused socket closed');
		expect(refused.ended).toEqual({ code: 1006, error: 'Unexpected server response: 503' });

		server.setMode('drop');
		const dropped = open('d');
		await waitFor(() => dropped.ended.code === 1006, 2_000, 'dropped socket closed');

		server.setMode('hang');
		const held = open('h');
		await server.waitFor((s) => s.heldUpgrades('h') === 1, 2_000, 'held upgrade');
		expect(held.socket.readyState).toBe(WebSocket.CONNECTING);
		expect(server.release('silent', 'h')).toBe(1);
		await held.opened;
		held.socket.send(JSON.stringify({ type: 'ping' }));
		await server.waitFor((s) => s.framesFrom('h').length === 1, 2_000, 'ping received');
		expect(held.frames).toEqual([]);
		expect(server.stats('h')).toEqual({ attempts: 1, connections: 1, open: 1, maxOpen: 1 });
	});

	it('notices a client giving up on a held upgrade', async () => {
		server.setMode('hang');
		const held = open('h');
		await server.waitFor((s) => s.heldUpgrades('h') === 1, 2_000, 'held upgrade');
		held.socket.terminate();
		await server.waitFor((s) => s.heldUpgrades('h') === 0, 2_000, 'held upgrade gone');
	});

	it('goes silent on open sockets, closes with a code, and counts concurrent sockets', async () => {
		const a = open('a');
		const b = open('a');
		await Promise.all([a.opened, b.opened]);
		await server.waitFor((s) => s.stats('a').maxOpen === 2, 2_000, 'two open counted');
		server.setMode('silent');
		a.socket.send(JSON.stringify({ type: 'ping' }));
		await server.waitFor((s) => s.framesFrom('a').length === 1, 2_000, 'ping received');
		server.closeSockets(4401, 'bye', 'a');
		await waitFor(() => a.ended.code === 4401 && b.ended.code === 4401, 2_000, 'both closed');
		expect(a.frames).toEqual([{ type: 'welcome', data: { heartbeatInterval: 1234, lastSeq: 0 } }]);
		expect(server.openSockets('a')).toBe(0);
	});

	it('stops (cutting every socket) and restarts on the same port', async () => {
		const a = open('a');
		await a.opened;
		const port = server.port;
		await server.stop();
		expect(server.liveSockets()).toBe(0);
		await waitFor(() => a.ended.code === 1006, 2_000, 'the client to see the cut');
		const refused = open('b');
		await waitFor(() => refused.ended.error !== undefined, 2_000, 'connection refused');
		expect(refused.ended.error).toMatch(/ECONNREFUSED/);
		await server.restart();
		expect(server.port).toBe(port);
		const b = open('b');
		await b.opened;
		expect(server.openSockets('b')).toBe(1);
	});
});
