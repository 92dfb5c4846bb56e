/**
 * The toasts on screen, kept calm: at most `MAX_TOASTS` at once (the oldest leaves for a new one),
 * and repeats of one group folded into one toast that counts them ("4 new notifications", with the
 * latest title). A group may instead replace its toast (the network toasts: "Reconnecting…" gives
 * way to "Reconnected"). Built on svelte-french-toast's store, which keeps the timers; every show
 * gets a fresh toast id, so an updated toast starts its full duration again (the library keys its
 * timers by id), while `ToastHost` keys the element by group, so it updates in place.
 */
import { get } from 'svelte/store';
import toast, { useToasterStore, type Toast } from 'svelte-french-toast';

/** How many toasts may be on screen at once. */
export const MAX_TOASTS = 3;

export type DeckKind = 'success' | 'error' | 'info' | 'loading';

/** What one toast says; `count` is how many repeats of its group it stands for. */
export interface DeckContent {
	title: string;
	detail?: string;
	href?: string;
	actionLabel?: string;
	testid?: string;
	count: number;
	group: string;
}

export interface DeckToast {
	/** Toasts of one group share one slot on screen. */
	group: string;
	kind: DeckKind;
	title: string;
	detail?: string;
	href?: string;
	actionLabel?: string;
	testid?: string;
	/** ms on screen; Infinity stays until closed or replaced. */
	duration: number;
	/** Leaves last when room is needed (the network toast: news must not push "Connection Lost" away). */
	sticky?: boolean;
	/**
	 * How the toast reads once it stands for `count` > 1 repeats, e.g. "4 new notifications"; the
	 * latest title moves to the detail line. Without it, a repeat replaces the toast (count 1).
	 */
	countTitle?: (count: number) => string;
}

/** The few calls of the toast library the deck makes (the library itself, or a test double). */
export interface ToastApi {
	show(kind: DeckKind, content: DeckContent, options: { id: string; duration: number }): void;
	remove(id: string): void;
	dismiss(id: string): void;
	/** The library still holds the toast (visible, or fading out). */
	exists(id: string): boolean;
	/** The toast is on screen and not leaving. */
	isVisible(id: string): boolean;
}

interface Entry {
	group: string;
	id: string;
	count: number;
	sticky: boolean;
}

export class ToastDeck {
	/** The deck's toasts the library still holds, oldest first. */
	#entries: Entry[] = [];
	#serial = 0;

	constructor(
		private readonly api: ToastApi = libraryApi,
		private readonly max = MAX_TOASTS
	) {}

	/** Show `t`, folding it into its group's toast when that is still on screen. Returns its id. */
	show(t: DeckToast): string {
		this.#entries = this.#entries.filter((e) => this.api.exists(e.id));
		const previous = this.#entries.find((e) => e.group === t.group);
		const count =
			previous && t.countTitle && this.api.isVisible(previous.id) ? previous.count + 1 : 1;
		if (previous) this.#drop(previous);
		// Room for one more: the oldest leave first, sticky ones only when nothing else can.
		const visible = this.#entries.filter((e) => this.api.isVisible(e.id));
		const leaving = [...visible.filter((e) => !e.sticky), ...visible.filter((e) => e.sticky)];
		for (const entry of leaving.slice(0, Math.max(0, visible.length - this.max + 1))) {
			this.#drop(entry);
		}
		const id = `${t.group}#${++this.#serial}`;
		const { group, title, detail, href, actionLabel, testid } = t;
		const content: DeckContent =
			count > 1 && t.countTitle
				? { group, count, title: t.countTitle(count), detail: title, href, actionLabel, testid }
				: { group, count, title, detail, href, actionLabel, testid };
		this.api.show(t.kind, content, { id, duration: t.duration });
		this.#entries.push({ group: t.group, id, count, sticky: t.sticky ?? false });
		return id;
	}

	/** Take a group's toast away (it fades out), e.g. the network toast once nothing is wrong. */
	dismissGroup(group: string): void {
		const entry = this.#entries.find((e) => e.group === group);
		if (entry) this.api.dismiss(entry.id);
	}

	#drop(entry: Entry): void {
		this.api.remove(entry.id);
		this.#entries = this.#entries.filter((e) => e !== entry);
	}
}

const store = useToasterStore().toasts;
const find = (id: string): Toast | undefined => get(store).find((t) => t.id === id);

const SHOW = {
	success: toast.success,
	error: toast.error,
	loading: toast.loading,
	info: (message, options) => toast(message, { icon: 'ℹ️', ...options })
} satisfies Record<DeckKind, typeof toast.success>;

/** svelte-french-toast, with the deck's content handed to `ToastHost` as the toast's props. */
export const libraryApi: ToastApi = {
	show: (kind, content, { id, duration }) =>
		void SHOW[kind](content.title, { id, duration, props: { ...content } }),
	remove: (id) => toast.remove(id),
	dismiss: (id) => toast.dismiss(id),
	exists: (id) => find(id) !== undefined,
	isVisible: (id) => find(id)?.visible === true
};

/** What a toast of the library says, as the deck put it (or its bare message otherwise). */
export function contentOf(t: Toast): DeckContent {
	const props = t.props as Partial<DeckContent> | undefined;
	if (props?.group && props.title !== undefined) return props as DeckContent;
	return { group: t.id, count: 1, title: typeof t.message === 'string' ? t.message : '' };
}
