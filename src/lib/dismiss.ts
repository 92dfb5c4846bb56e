/**
 * How a disclosure that floats over the page (the menu, the status details) closes: Escape while
 * focus is in it (focus goes back to its button, and the key is marked handled so the toasts do
 * not also take it), or a pointer pressed anywhere outside it.
 */
export interface Dismissable {
	/** The disclosure's wrapper (its button and what it opens). */
	root: () => HTMLElement | undefined;
	/** Its button, which gets focus back after Escape. */
	button: () => HTMLElement | undefined;
	isOpen: () => boolean;
	close: () => void;
}

/** The two handlers: `onkeydown` for the wrapper, `onpointerdown` for the document. */
export function dismissHandlers({ root, button, isOpen, close }: Dismissable) {
	return {
		onkeydown(event: KeyboardEvent) {
			if (event.key !== 'Escape' || !isOpen()) return;
			close();
			button()?.focus();
			event.preventDefault();
		},
		onpointerdown(event: PointerEvent) {
			if (isOpen() && !root()?.contains(event.target as Node)) close();
		}
	};
}
