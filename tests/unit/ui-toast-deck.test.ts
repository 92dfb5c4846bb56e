import { describe, expect, it } from 'vitest';
import {
	ToastDeck,
	type DeckContent,
	type DeckKind,
	type ToastApi
} from '../../src/lib/realtime/toast-deck';

/** The toast library reduced to a list: shown, dismissed (fading) or removed. */
class FakeToasts implements ToastApi {
	list: { id: string; kind: DeckKind; content: DeckContent; duration: number; visible: boolean }[] =
		[];
	show(kind: DeckKind, content: DeckContent, { id, duration }: { id: string; duration: number }) {
		this.list.unshift({ id, kind, content, duration, visible: true });
	}
	remove(id: string) {
		this.list = this.list.filter((t) => t.id !== id);
	}
	dismiss(id: string) {
		for (const t of this.list) if (t.id === id) t.visible = false;
	}
	exists = (id: string) => this.list.some((t) => t.id === id);
	isVisible = (id: string) => this.list.some((t) => t.id === id && t.visible);
	titles = () => this.list.filter((t) => t.visible).map((t) => t.content.title);
}

const note = (group: string, title: string) => ({
	group,
	kind: 'info' as const,
	title,
	duration: 6000,
	countTitle: (n: number) => `${n} new notifications`
});

describe('ToastDeck', () => {
	it('folds repeats of a group into one toast with a fresh id, counting them', () => {
		const api = new FakeToasts();
		const deck = new ToastDeck(api);
		const first = deck.show(note('social', 'A'));
		const second = deck.show(note('social', 'B'));
		expect(second).not.toBe(first); // a fresh id: the library restarts its timer
		expect(api.list).toHaveLength(1);
		expect(api.list[0].content).toMatchObject({
			title: '2 new notifications',
			detail: 'B',
			count: 2
		});
	});

	it('starts counting again once the group toast has left', () => {
		const api = new FakeToasts();
		const deck = new ToastDeck(api);
		const id = deck.show(note('social', 'A'));
		api.dismiss(id); // timed out, fading
		deck.show(note('social', 'B'));
		expect(api.list).toHaveLength(1); // the fading one is gone: one element per group
		expect(api.list[0].content).toMatchObject({ title: 'B', count: 1 });
	});

	it('keeps at most three on screen: the oldest leaves for a new one', () => {
		const api = new FakeToasts();
		const deck = new ToastDeck(api);
		for (const group of ['a', 'b', 'c', 'd', 'e']) deck.show(note(group, group));
		expect(api.titles()).toEqual(['e', 'd', 'c']);
	});

	it('lets a sticky toast (the network one) leave last', () => {
		const api = new FakeToasts();
		const deck = new ToastDeck(api);
		deck.show({
			group: 'network',
			kind: 'error',
			title: 'Connection Lost',
			duration: 8000,
			sticky: true
		});
		for (const group of ['a', 'b', 'c', 'd']) deck.show(note(group, group));
		expect(api.titles()).toEqual(['d', 'c', 'Connection Lost']);
	});

	it('replaces a group without counting when it has no count title (network toasts)', () => {
		const api = new FakeToasts();
		const deck = new ToastDeck(api);
		deck.show({ group: 'network', kind: 'loading', title: 'Reconnecting…', duration: Infinity });
		deck.show({ group: 'network', kind: 'success', title: 'Reconnected', duration: 4000 });
		expect(api.list.map((t) => [t.kind, t.content.title, t.content.count])).toEqual([
			['success', 'Reconnected', 1]
		]);
		deck.dismissGroup('network');
		expect(api.titles()).toEqual([]);
	});
});
