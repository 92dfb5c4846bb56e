/**
 * A TCP fault proxy on 127.0.0.1 for chaos tests: it sits between clients and the server and can,
 * for one connection or for all, cut (RST both legs), black-hole (keep both sockets open but forward
 * nothing: the half-open case), delay (ms per chunk) and throttle (bytes per second). Memory is
 * bounded: a direction holding more than `maxBufferedBytes` pauses its source until it drains.
 *
 * A connection can name its client with an `x-chaos-client` header in the HTTP upgrade request; the
 * proxy reads it from the first bytes so tests can count connections per client on the wire.
 */
import net from 'node:net';

/** What a connection (or the proxy, for new connections) does with the bytes it gets. */
export interface Faults {
	/** Forward nothing in either direction and drop what arrives; sockets stay open. */
	blackhole: boolean;
	/** Extra latency added to every chunk, in ms. */
	delayMs: number;
	/** Bytes per second per direction; 0 means unlimited. */
	bytesPerSecond: number;
}

export interface FaultProxyOptions {
	/** The server the proxy forwards to. */
	target: { host?: string; port: number };
	/** Bytes one direction may hold before its source is paused. Default 1 MiB. */
	maxBufferedBytes?: number;
	/** New connections beyond this are reset at once. Default 5000. */
	maxConnections?: number;
	/**
	 * Connect upstream from the client's own source address (any 127.x.y.z works on Linux), so a
	 * server's per-address limits see the clients, not the proxy. Default false.
	 */
	preserveSourceAddress?: boolean;
}

/** A proxied connection, as tests see it. */
export interface ProxyConnection {
	readonly id: number;
	/** The `x-chaos-client` header of the upgrade request, once seen. */
	readonly clientTag: string | null;
	readonly openedAt: number;
	/** Whether the client leg (client <-> proxy) is still open. */
	readonly clientOpen: boolean;
	/** Whether the upstream leg (proxy <-> server) is still open. */
	readonly upstreamOpen: boolean;
	readonly faults: Readonly<Faults>;
	/** Bytes dropped by the black hole, both directions. */
	readonly droppedBytes: number;
	/** Bytes queued in the proxy, both directions (bounded by twice `maxBufferedBytes` + a chunk). */
	readonly bufferedBytes: number;
}

type Selector = number | ((connection: ProxyConnection) => boolean) | undefined;

const NO_FAULTS: Faults = { blackhole: false, delayMs: 0, bytesPerSecond: 0 };
const TAG_HEADER = /\r\nx-chaos-client:\s*([^\r\n]*)\r\n/i;
const HEADER_SNIFF_LIMIT = 8192;

/** One direction of a connection: an ordered, bounded, delayable, throttleable byte queue. */
class Pipe {
	private queue: { chunk: Buffer; readyAt: number }[] = [];
	private queued = 0;
	private timer: NodeJS.Timeout | null = null;
	private draining = false;
	private ended = false;
	private budget = 0;
	private budgetAt = Date.now();

	constructor(
		private readonly source: net.Socket,
		private readonly sink: net.Socket,
		private readonly link: Link,
		private readonly maxBuffered: number
	) {}

	push(chunk: Buffer): void {
		if (this.link.faults.blackhole) {
			this.link.droppedBytes += chunk.length;
			return;
		}
		this.queue.push({ chunk, readyAt: Date.now() + this.link.faults.delayMs });
		this.queued += chunk.length;
		if (this.queued > this.maxBuffered) this.source.pause();
		this.pump();
	}

	/** The source ended: end the sink once everything queued has gone out. */
	end(): void {
		this.ended = true;
		this.pump();
	}

	/** Re-evaluate after the faults changed. */
	kick(): void {
		if (this.link.faults.blackhole) {
			this.link.droppedBytes += this.queued;
			this.queue = [];
			this.queued = 0;
			this.source.resume();
		}
		this.clearTimer();
		this.pump();
	}

	/** Bytes waiting to be forwarded. */
	get buffered(): number {
		return this.queued;
	}

	stop(): void {
		this.clearTimer();
		this.queue = [];
		this.queued = 0;
	}

	private clearTimer(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
	}

	private wait(ms: number): void {
		this.timer = setTimeout(
			() => {
				this.timer = null;
				this.pump();
			},
			Math.max(1, ms)
		);
	}

	private pump(): void {
		if (this.timer || this.draining || this.sink.destroyed) return;
		while (this.queue.length > 0) {
			const head = this.queue[0];
			const now = Date.now();
			if (head.readyAt > now) return this.wait(head.readyAt - now);
			let piece = head.chunk;
			const rate = this.link.faults.bytesPerSecond;
			if (rate > 0) {
				this.budget = Math.min(rate, this.budget + ((now - this.budgetAt) * rate) / 1000);
				this.budgetAt = now;
				if (this.budget < 1) return this.wait(Math.ceil(((1 - this.budget) * 1000) / rate));
				const allowed = Math.floor(this.budget);
				if (piece.length > allowed) {
					head.chunk = piece.subarray(allowed);
					piece = piece.subarray(0, allowed);
				} else this.queue.shift();
				this.budget -= piece.length;
			} else this.queue.shift();
			this.queued -= piece.length;
			const flushed = this.sink.write(piece);
			if (!flushed) {
				this.source.pause();
				this.draining = true;
				this.sink.once('drain', () => {
					this.draining = false;
					this.pump();
				});
				return;
			}
		}
		if (this.queued <= this.maxBuffered) this.source.resume();
		if (this.ended && !this.link.faults.blackhole) this.sink.end();
	}
}

/** Both legs of one proxied connection. */
class Link implements ProxyConnection {
	clientTag: string | null = null;
	readonly openedAt = Date.now();
	droppedBytes = 0;
	faults: Faults;
	private sniffed = '';
	private readonly up: Pipe;
	private readonly down: Pipe;

	constructor(
		readonly id: number,
		readonly client: net.Socket,
		readonly upstream: net.Socket,
		faults: Faults,
		maxBuffered: number,
		private readonly onClosed: (link: Link) => void
	) {
		this.faults = { ...faults };
		this.up = new Pipe(client, upstream, this, maxBuffered);
		this.down = new Pipe(upstream, client, this, maxBuffered);
		client.on('data', (chunk: Buffer) => {
			this.sniff(chunk);
			this.up.push(chunk);
		});
		upstream.on('data', (chunk: Buffer) => this.down.push(chunk));
		client.on('end', () => this.up.end());
		upstream.on('end', () => this.down.end());
		// A black-holed leg that closes does not tell the other side: that is the half-open case.
		client.on('close', () => this.legClosed(upstream));
		upstream.on('close', () => this.legClosed(client));
		client.on('error', () => {});
		upstream.on('error', () => {});
	}

	get clientOpen(): boolean {
		return !this.client.destroyed;
	}

	get upstreamOpen(): boolean {
		return !this.upstream.destroyed;
	}

	get bufferedBytes(): number {
		return this.up.buffered + this.down.buffered;
	}

	setFaults(change: Partial<Faults>): void {
		this.faults = { ...this.faults, ...change };
		this.up.kick();
		this.down.kick();
	}

	/** RST both legs at once. */
	cut(): void {
		this.stopPipes();
		if (!this.client.destroyed) this.client.resetAndDestroy();
		if (!this.upstream.destroyed) this.upstream.resetAndDestroy();
	}

	destroy(): void {
		this.stopPipes();
		this.client.destroy();
		this.upstream.destroy();
	}

	private stopPipes(): void {
		this.up.stop();
		this.down.stop();
	}

	private legClosed(other: net.Socket): void {
		if (!this.faults.blackhole && !other.destroyed) other.destroy();
		if (this.client.destroyed && this.upstream.destroyed) {
			this.stopPipes();
			this.onClosed(this);
		}
	}

	private sniff(chunk: Buffer): void {
		if (this.clientTag !== null || this.sniffed.length >= HEADER_SNIFF_LIMIT) return;
		this.sniffed += chunk.toString('latin1', 0, Math.min(chunk.length, HEADER_SNIFF_LIMIT));
		const match = TAG_HEADER.exec(this.sniffed);
		if (match) this.clientTag = match[1].trim();
		if (match || this.sniffed.includes('\r\n\r\n')) this.sniffed = ' '.repeat(HEADER_SNIFF_LIMIT);
	}
}

/** A running fault proxy. Create with {@link startFaultProxy}. */
export class FaultProxy {
	private readonly links = new Map<number, Link>();
	private nextId = 1;
	private defaults: Faults = { ...NO_FAULTS };
	private target: { host: string; port: number };
	/** Every connection ever accepted, for counts after the run. */
	accepted = 0;

	private constructor(
		private readonly server: net.Server,
		options: FaultProxyOptions
	) {
		this.target = { host: options.target.host ?? '127.0.0.1', port: options.target.port };
		const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
		const maxConnections = options.maxConnections ?? 5000;
		server.on('connection', (client) => {
			if (this.links.size >= maxConnections) return client.resetAndDestroy();
			this.accepted++;
			client.setNoDelay(true);
			const upstream = net.connect({
				...this.target,
				noDelay: true,
				...(options.preserveSourceAddress && { localAddress: client.remoteAddress })
			});
			const link = new Link(this.nextId++, client, upstream, this.defaults, maxBuffered, (l) =>
				this.links.delete(l.id)
			);
			this.links.set(link.id, link);
		});
	}

	/** @internal use {@link startFaultProxy} */
	static async listen(options: FaultProxyOptions): Promise<FaultProxy> {
		const server = net.createServer({ noDelay: true });
		const proxy = new FaultProxy(server, options);
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => resolve());
		});
		return proxy;
	}

	get port(): number {
		return (this.server.address() as net.AddressInfo).port;
	}

	/** `ws://127.0.0.1:<port><path>` */
	wsUrl(path = '/ws'): string {
		return `ws://127.0.0.1:${this.port}${path}`;
	}

	/** Forward new connections somewhere else (e.g. a restarted server on another port). */
	retarget(port: number, host = '127.0.0.1'): void {
		this.target = { host, port };
	}

	/** Open connections (either leg still open). */
	connections(selector?: Selector): ProxyConnection[] {
		return this.select(selector);
	}

	/** RST both legs of the selected connections (all by default). Returns how many. */
	cut(selector?: Selector): number {
		const chosen = this.select(selector);
		for (const link of chosen) link.cut();
		return chosen.length;
	}

	/** Black-hole the selected connections; with `forNew`, new connections too. */
	blackhole(selector?: Selector, forNew = false): number {
		return this.apply({ blackhole: true }, selector, forNew);
	}

	delay(ms: number, selector?: Selector, forNew = false): number {
		return this.apply({ delayMs: Math.max(0, ms) }, selector, forNew);
	}

	throttle(bytesPerSecond: number, selector?: Selector, forNew = false): number {
		return this.apply({ bytesPerSecond: Math.max(0, bytesPerSecond) }, selector, forNew);
	}

	/** Remove every fault from the selected connections and from new ones. */
	heal(selector?: Selector): number {
		this.defaults = { ...NO_FAULTS };
		return this.apply(NO_FAULTS, selector, false);
	}

	/** Stop listening and destroy every connection. */
	async close(): Promise<void> {
		for (const link of this.links.values()) link.destroy();
		this.links.clear();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private apply(change: Partial<Faults>, selector: Selector, forNew: boolean): number {
		if (forNew) this.defaults = { ...this.defaults, ...change };
		const chosen = this.select(selector);
		for (const link of chosen) link.setFaults(change);
		return chosen.length;
	}

	private select(selector: Selector): Link[] {
		const all = [...this.links.values()];
		if (selector === undefined) return all;
		if (typeof selector === 'number') return all.filter((l) => l.id === selector);
		return all.filter((l) => selector(l));
	}
}

/** Start a fault proxy on 127.0.0.1 on an ephemeral port. */
export function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
	return FaultProxy.listen(options);
}
