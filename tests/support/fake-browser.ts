/**
 * A stand-in for the browser's `window` and `document` in Node: real EventTargets put on
 * globalThis, so the client's environment actor listens to them exactly as in a browser, and the
 * test fires `online`, `offline`, `visibilitychange`, `pagehide`, `pageshow`, `freeze` and
 * `resume` on them. It counts the
 * listeners attached, so a test can check that a stopped client left none behind.
 */

/** An EventTarget that knows how many listeners are attached to it. */
class CountingTarget extends EventTarget {
	listeners = 0;

	override addEventListener(
		...args: Parameters<EventTarget['addEventListener']>
	): ReturnType<EventTarget['addEventListener']> {
		if (args[1]) this.listeners += 1;
		super.addEventListener(...args);
	}

	override removeEventListener(
		...args: Parameters<EventTarget['removeEventListener']>
	): ReturnType<EventTarget['removeEventListener']> {
		if (args[1]) this.listeners -= 1;
		super.removeEventListener(...args);
	}
}

export interface FakeBrowser {
	window: CountingTarget;
	document: CountingTarget & { visibilityState: string };
	/** Listeners attached to `window` and `document` together. */
	listeners(): number;
	online(): void;
	offline(): void;
	/** The page becomes visible again. */
	visible(): void;
	/** The page goes away (closed, reloaded, navigated off). */
	pageHide(): void;
	/** The page comes back from the back/forward cache. */
	pageShow(): void;
	/** The browser freezes the page (lifecycle `freeze`). */
	freeze(): void;
	/** Take `window` and `document` off globalThis again. */
	uninstall(): void;
}

/** Put a `window` and a `document` on globalThis; clients created afterwards see them. */
export function installFakeBrowser(): FakeBrowser {
	const scope = globalThis as { window?: unknown; document?: unknown };
	if (scope.window !== undefined || scope.document !== undefined) {
		throw new Error('a window or document is already installed');
	}
	const window = new CountingTarget();
	const document = Object.assign(new CountingTarget(), { visibilityState: 'visible' });
	scope.window = window;
	scope.document = document;
	return {
		window,
		document,
		listeners: () => window.listeners + document.listeners,
		online: () => void window.dispatchEvent(new Event('online')),
		offline: () => void window.dispatchEvent(new Event('offline')),
		visible: () => void document.dispatchEvent(new Event('visibilitychange')),
		pageHide: () => void window.dispatchEvent(new Event('pagehide')),
		pageShow: () => {
			const event = Object.assign(new Event('pageshow'), { persisted: true });
			window.dispatchEvent(event);
		},
		freeze: () => void document.dispatchEvent(new Event('freeze')),
		uninstall() {
			delete scope.window;
			delete scope.document;
		}
	};
}
