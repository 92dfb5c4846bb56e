/**
 * What the browser tests observe inside the page, installed before the app's scripts run:
 * - every toast text ever shown (each toast is a child of `.toaster`; a toast that updates in
 *   place, e.g. "Reconnecting…" becoming "Reconnected" or a group counting up, logs each text it
 *   showed), kept after it is dismissed, so "shown exactly once" and "never shown" can be checked
 *   after the fact; and the most toasts ever on screen at once;
 * - `websocket:reconnected` events on window;
 * - every oscillator started on an AudioContext (the notification beep), by wrapping the
 *   page's AudioContext class;
 * - the page's WebSockets (by wrapping its WebSocket class): how many it created, how many are
 *   open now, when each opened (epoch ms, sub-millisecond) and the ids of the messages it wrote,
 *   to tell the leader tab, to time a failover and to count what went to the server.
 */
import type { BrowserContext, Page } from '@playwright/test';

interface Probes {
	/** Each text a toast showed, in order. */
	toasts: string[];
	/** The most toasts on screen at one time. */
	maxToasts: number;
	beeps: number;
	/** `websocket:reconnected` events dispatched on window (page data reloaded after a gap). */
	reconnected: number;
	sockets: { created: number; open: number; openedAt: number[]; sentIds: string[] };
}

declare global {
	interface Window {
		__e2eProbes?: Probes;
	}
}

function probeScript(): void {
	const probes: Probes = {
		toasts: [],
		maxToasts: 0,
		beeps: 0,
		reconnected: 0,
		sockets: { created: 0, open: 0, openedAt: [], sentIds: [] }
	};
	window.__e2eProbes = probes;
	window.addEventListener('websocket:reconnected', () => (probes.reconnected += 1));

	const lastText = new WeakMap<Element, string>();
	const record = (element: Element) => {
		const text = (element.textContent ?? '').replace(/\s+/g, ' ').trim();
		if (lastText.get(element) === text) return;
		lastText.set(element, text);
		probes.toasts.push(text);
	};
	new MutationObserver(() => {
		const shown = document.querySelectorAll('.toaster > *');
		probes.maxToasts = Math.max(probes.maxToasts, shown.length);
		shown.forEach(record);
	}).observe(document, { childList: true, subtree: true, characterData: true });

	const NativeWebSocket = window.WebSocket;
	window.WebSocket = class extends NativeWebSocket {
		constructor(url: string | URL, protocols?: string | string[]) {
			super(url, protocols);
			const { sockets } = probes;
			sockets.created += 1;
			let opened = false;
			this.addEventListener('open', () => {
				opened = true;
				sockets.open += 1;
				sockets.openedAt.push(performance.timeOrigin + performance.now());
			});
			this.addEventListener('close', () => {
				if (opened) sockets.open -= 1;
			});
		}

		send(data: Parameters<WebSocket['send']>[0]): void {
			if (typeof data === 'string') {
				const id = (JSON.parse(data) as { id?: unknown }).id;
				if (typeof id === 'string') probes.sockets.sentIds.push(id);
			}
			super.send(data);
		}
	};

	const Original = window.AudioContext;
	if (!Original) return;
	window.AudioContext = class extends Original {
		createOscillator(): OscillatorNode {
			const oscillator = super.createOscillator();
			const start = oscillator.start;
			oscillator.start = function (this: OscillatorNode, ...args) {
				probes.beeps += 1;
				return start.apply(this, args);
			};
			return oscillator;
		}
	};
}

/** Install the probes in every page of `context` (call before opening pages). */
export async function installProbes(context: BrowserContext): Promise<void> {
	await context.addInitScript(probeScript);
}

/** Every text a toast showed in this page since it loaded, in order, whitespace collapsed. */
export async function toastLog(page: Page): Promise<string[]> {
	return page.evaluate(() => window.__e2eProbes?.toasts ?? []);
}

/** The most toasts that were on screen at one time since the page loaded. */
export async function maxToastsOnScreen(page: Page): Promise<number> {
	return page.evaluate(() => window.__e2eProbes?.maxToasts ?? 0);
}

/** How many toasts shown since the page loaded contain `text`. */
export async function toastCount(page: Page, text: string | RegExp): Promise<number> {
	const log = await toastLog(page);
	return log.filter((entry) => (typeof text === 'string' ? entry.includes(text) : text.test(entry)))
		.length;
}

/** How many beeps (oscillator starts) the page played since it loaded. */
export async function beepCount(page: Page): Promise<number> {
	return page.evaluate(() => window.__e2eProbes?.beeps ?? 0);
}

/** How many `websocket:reconnected` events the page saw since it loaded. */
export async function reconnectedCount(page: Page): Promise<number> {
	return page.evaluate(() => window.__e2eProbes?.reconnected ?? 0);
}

/**
 * The types of the frames the page's sockets receive from now on (read the array later): what
 * the server said, seen on the wire rather than through the app.
 */
export function receivedFrameTypes(page: Page): string[] {
	const types: string[] = [];
	page.on('websocket', (socket) =>
		socket.on('framereceived', ({ payload }) => {
			try {
				types.push(String(JSON.parse(String(payload)).type));
			} catch {
				types.push('(not JSON)');
			}
		})
	);
	return types;
}

/** The page's WebSockets: created since it loaded, open now, and when each opened (epoch ms). */
export async function socketProbe(page: Page): Promise<Probes['sockets']> {
	return page.evaluate(
		() => window.__e2eProbes?.sockets ?? { created: 0, open: 0, openedAt: [], sentIds: [] }
	);
}
