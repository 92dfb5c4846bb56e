/**
 * The profile form's server-side check: every field validated at once, so the page can show a
 * message next to each bad field, and nothing is stored unless all of them are good.
 */
import * as v from 'valibot';
import {
	PROFILE_FIELDS,
	PROFILE_LIMITS,
	REMOTE_PREFERENCES,
	type Profile,
	type ProfileField
} from '$lib/profile';
import { isExternalHref, safeHref } from '$lib/url';
import { normalizeSkills } from './scoring';

/** Letters (any script), digits, spaces and the punctuation skill names use: C++, C#, .NET, CI/CD. */
const SKILL_PATTERN = /^[\p{L}\p{N}.][\p{L}\p{N} +#./&()'-]*$/u;

const trimmed = (label: string, max: number) =>
	v.pipe(
		v.string(`${label} must be text`),
		v.trim(),
		v.maxLength(max, `${label} must be at most ${max} characters`)
	);

const skillsField = v.pipe(
	v.string('Skills must be text'),
	v.transform((text: string) => text.split(/[,\n]/)),
	v.transform((skills: string[]) => normalizeSkills(skills)),
	v.check(
		(skills) => skills.every((skill) => skill.length <= PROFILE_LIMITS.skill),
		`Each skill must be at most ${PROFILE_LIMITS.skill} characters`
	),
	v.rawCheck(({ dataset, addIssue }) => {
		if (!dataset.typed) return;
		const bad = dataset.value.find((skill) => !SKILL_PATTERN.test(skill));
		if (bad !== undefined) {
			addIssue({
				message: `"${bad.slice(0, PROFILE_LIMITS.skill)}" is not a skill name: use letters, digits, spaces and + # . / & ( ) ' -`
			});
		}
	}),
	v.maxLength(PROFILE_LIMITS.skills, `List at most ${PROFILE_LIMITS.skills} skills`)
);

const portfolioField = v.pipe(
	trimmed('Portfolio link', PROFILE_LIMITS.portfolio_url),
	v.check((url) => {
		if (url === '') return true;
		const href = safeHref(url);
		return href !== null && isExternalHref(href);
	}, 'Portfolio link must be a full http:// or https:// address, like https://example.com/me'),
	v.transform((url) => (url === '' ? null : safeHref(url)))
);

const ProfileFormSchema = v.object({
	name: v.pipe(
		trimmed('Name', PROFILE_LIMITS.name),
		v.nonEmpty('Name is required'),
		v.transform((name) => name.replace(/\s+/g, ' '))
	),
	headline: trimmed('Headline', PROFILE_LIMITS.headline),
	location: trimmed('Location', PROFILE_LIMITS.location),
	remote_preference: v.picklist(REMOTE_PREFERENCES, 'Choose one of the remote preferences'),
	skills: skillsField,
	portfolio_url: portfolioField
});

/** The form's fields as the browser sent them (absent ones as ''), to show them again. */
export type ProfileFormValues = Record<ProfileField, string>;

export type ProfileFormResult =
	| { ok: true; profile: Profile }
	| { ok: false; values: ProfileFormValues; errors: Partial<Record<ProfileField, string>> };

/** The form's text fields; a field sent twice counts once (its first value). */
export function profileFormValues(form: FormData): ProfileFormValues {
	const values = {} as ProfileFormValues;
	for (const field of PROFILE_FIELDS) {
		const value = form.get(field);
		values[field] = typeof value === 'string' ? value : '';
	}
	return values;
}

/** Check every field of the profile form; the first message per bad field. */
export function validateProfileForm(values: ProfileFormValues): ProfileFormResult {
	const result = v.safeParse(ProfileFormSchema, values, { abortPipeEarly: true });
	if (result.success) return { ok: true, profile: result.output };
	const errors: Partial<Record<ProfileField, string>> = {};
	for (const issue of result.issues) {
		const field = v.getDotPath(issue) as ProfileField | null;
		if (field && !(field in errors)) errors[field] = issue.message;
	}
	return { ok: false, values, errors };
}
