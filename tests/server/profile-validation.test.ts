/** The profile form's server-side check: a message per bad field, the profile only when all pass. */
import { describe, expect, it } from 'vitest';
import {
	profileFormValues,
	validateProfileForm,
	type ProfileFormValues
} from '../../src/lib/server/domain/profile-form';

const GOOD: ProfileFormValues = {
	name: '  Alex   Morgan ',
	headline: 'Frontend engineer who likes realtime',
	location: 'Lisbon, Portugal',
	remote_preference: 'remote',
	skills: 'TypeScript, svelte,\nNode , typescript, C++, C#, .NET, CI/CD',
	portfolio_url: ' https://alex.example.com/work '
};

describe('validateProfileForm', () => {
	it('accepts a good profile, trimmed, skills normalised and de-duplicated', () => {
		expect(validateProfileForm(GOOD)).toEqual({
			ok: true,
			profile: {
				name: 'Alex Morgan',
				headline: 'Frontend engineer who likes realtime',
				location: 'Lisbon, Portugal',
				remote_preference: 'remote',
				skills: ['typescript', 'svelte', 'node', 'c++', 'c#', '.net', 'ci/cd'],
				portfolio_url: 'https://alex.example.com/work'
			}
		});
	});

	it('lets headline, location, skills and portfolio be empty', () => {
		const result = validateProfileForm({
			...GOOD,
			headline: '',
			location: ' ',
			skills: ' , ',
			portfolio_url: ''
		});
		expect(result).toMatchObject({
			ok: true,
			profile: { headline: '', location: '', skills: [], portfolio_url: null }
		});
	});

	it('gives one message per bad field and keeps what was typed', () => {
		const bad: ProfileFormValues = {
			name: '   ',
			headline: 'h'.repeat(141),
			location: 'l'.repeat(101),
			remote_preference: 'moon',
			skills: 'typescript, <script>',
			portfolio_url: 'javascript:alert(1)'
		};
		const result = validateProfileForm(bad);
		expect(result).toEqual({
			ok: false,
			values: bad,
			errors: {
				name: 'Name is required',
				headline: 'Headline must be at most 140 characters',
				location: 'Location must be at most 100 characters',
				remote_preference: 'Choose one of the remote preferences',
				skills: expect.stringContaining('"<script>" is not a skill name'),
				portfolio_url: expect.stringContaining('must be a full http:// or https:// address')
			}
		});
	});

	it('refuses a skill that is too long, too many skills, and links that are not http(s)', () => {
		const errors = (values: Partial<ProfileFormValues>) => {
			const result = validateProfileForm({ ...GOOD, ...values });
			return result.ok ? {} : result.errors;
		};
		expect(errors({ skills: 'x'.repeat(41) })).toEqual({
			skills: 'Each skill must be at most 40 characters'
		});
		const many = Array.from({ length: 51 }, (_, i) => `skill${i}`).join(',');
		expect(errors({ skills: many })).toEqual({ skills: 'List at most 50 skills' });
		for (const url of ['/relative/path', 'ftp://example.com', 'example.com', '//evil.example']) {
			expect(Object.keys(errors({ portfolio_url: url }))).toEqual(['portfolio_url']);
		}
		expect(errors({ name: 'n'.repeat(101) })).toEqual({
			name: 'Name must be at most 100 characters'
		});
	});
});

describe('profileFormValues', () => {
	it('reads every field as text, absent or file fields as empty', () => {
		const form = new FormData();
		form.set('name', 'Sam');
		form.append('skills', 'python');
		form.append('skills', 'ignored second value');
		form.set('portfolio_url', new Blob(['x']));
		expect(profileFormValues(form)).toEqual({
			name: 'Sam',
			headline: '',
			location: '',
			remote_preference: '',
			skills: 'python',
			portfolio_url: ''
		});
	});
});
