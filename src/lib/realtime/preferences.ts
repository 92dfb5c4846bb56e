/**
 * Notification preferences: whether to beep, and which categories may raise a toast. Kept in
 * localStorage under `notificationPreferences`; anything unreadable falls back field by field to
 * the defaults, so a hand-edited or outdated value never breaks the app.
 */
import * as v from 'valibot';
import { NOTIFICATION_CATEGORIES, type NotificationCategory } from '$lib/protocol';

/** The localStorage key. */
export const PREFERENCES_KEY = 'notificationPreferences';

export interface NotificationPreferences {
	/** Play a short beep when a toast is shown. */
	sound: boolean;
	/** Categories switched off show no toast (they still count on the bell). */
	categories: Record<NotificationCategory, boolean>;
}

/** Sound off (browsers block audio before a user gesture anyway), every category on. */
export function defaultPreferences(): NotificationPreferences {
	return {
		sound: false,
		categories: Object.fromEntries(NOTIFICATION_CATEGORIES.map((c) => [c, true])) as Record<
			NotificationCategory,
			boolean
		>
	};
}

const defaults = defaultPreferences();

const PreferencesSchema = v.object({
	sound: v.fallback(v.boolean(), defaults.sound),
	categories: v.fallback(
		v.object(
			Object.fromEntries(
				NOTIFICATION_CATEGORIES.map((c) => [c, v.fallback(v.boolean(), defaults.categories[c])])
			) as unknown as Record<NotificationCategory, v.GenericSchema<unknown, boolean>>
		),
		() => defaultPreferences().categories
	)
});

/** Read preferences from their stored JSON text; `null`, bad JSON or bad fields give defaults. */
export function parsePreferences(text: string | null): NotificationPreferences {
	if (text === null) return defaultPreferences();
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch {
		return defaultPreferences();
	}
	const result = v.safeParse(PreferencesSchema, raw);
	return result.success ? result.output : defaultPreferences();
}

/** The JSON text stored for `prefs`. */
export function serializePreferences(prefs: NotificationPreferences): string {
	return JSON.stringify({ sound: prefs.sound, categories: { ...prefs.categories } });
}

/** Whether a notification of `category` may raise a toast. */
export function allowsCategory(prefs: NotificationPreferences, category: NotificationCategory) {
	return prefs.categories[category] !== false;
}
