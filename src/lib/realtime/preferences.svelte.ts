/**
 * The notification preferences as reactive state, loaded from localStorage in the browser and kept
 * in step across tabs through the `storage` event.
 */
import type { NotificationCategory } from '$lib/protocol';
import {
	defaultPreferences,
	parsePreferences,
	PREFERENCES_KEY,
	serializePreferences,
	type NotificationPreferences
} from './preferences';

export class PreferencesState {
	/** The current preferences (defaults until `load()` runs in the browser). */
	current = $state<NotificationPreferences>(defaultPreferences());

	/** Read the stored preferences and follow other tabs' changes; returns the cleanup. */
	load(): () => void {
		this.current = parsePreferences(readStorage());
		const onStorage = (event: StorageEvent) => {
			if (event.key === PREFERENCES_KEY) this.current = parsePreferences(event.newValue);
		};
		window.addEventListener('storage', onStorage);
		return () => window.removeEventListener('storage', onStorage);
	}

	setSound(on: boolean): void {
		this.#save({ ...this.current, sound: on });
	}

	setCategory(category: NotificationCategory, on: boolean): void {
		this.#save({ ...this.current, categories: { ...this.current.categories, [category]: on } });
	}

	#save(next: NotificationPreferences): void {
		this.current = next;
		try {
			localStorage.setItem(PREFERENCES_KEY, serializePreferences(next));
		} catch {
			// Storage full or blocked: the choice still holds for this page.
		}
	}
}

function readStorage(): string | null {
	try {
		return localStorage.getItem(PREFERENCES_KEY);
	} catch {
		return null;
	}
}
