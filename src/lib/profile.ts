/** The profile's fields and choices, shared by the profile form and the server that checks it. */

/** Where a person wants to work; `any` means they do not mind. */
export const REMOTE_PREFERENCES = ['any', 'remote', 'hybrid', 'onsite'] as const;
export type RemotePreference = (typeof REMOTE_PREFERENCES)[number];

export const REMOTE_PREFERENCE_LABELS: Record<RemotePreference, string> = {
	any: 'No preference',
	remote: 'Remote only',
	hybrid: 'Hybrid',
	onsite: 'On-site'
};

/** The profile form's fields, in the order the form shows them. */
export const PROFILE_FIELDS = [
	'name',
	'headline',
	'location',
	'remote_preference',
	'skills',
	'portfolio_url'
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** A profile as the app stores and shows it. */
export interface Profile {
	name: string;
	headline: string;
	location: string;
	remote_preference: RemotePreference;
	skills: string[];
	portfolio_url: string | null;
}

export const PROFILE_LIMITS = {
	name: 100,
	headline: 140,
	location: 100,
	skill: 40,
	skills: 50,
	portfolio_url: 2048
} as const;

/** Skills as the form's text field shows them: "typescript, svelte, node". */
export function skillsText(skills: readonly string[]): string {
	return skills.join(', ');
}
