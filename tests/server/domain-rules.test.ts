import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	RECOMMENDATION_THRESHOLD,
	describeMatch,
	isRecommended,
	normalizeSkills,
	scoreMatch
} from '../../src/lib/server/domain/scoring';
import { nextStatus } from '../../src/lib/server/domain/applications';

describe('scoreMatch', () => {
	it('is the share of the job skills the person has, rounded', () => {
		expect(scoreMatch(['a', 'b', 'c', 'd', 'e'], ['a', 'b', 'c', 'x']).score).toBe(60);
		expect(scoreMatch(['a', 'b', 'c'], ['a']).score).toBe(33);
		expect(scoreMatch(['a', 'b', 'c'], ['a', 'b']).score).toBe(67);
		expect(scoreMatch(['a', 'b'], ['a', 'b', 'c', 'd']).score).toBe(100);
		expect(scoreMatch(['a', 'b'], []).score).toBe(0);
	});

	it('ignores case, spaces and duplicates', () => {
		const match = scoreMatch([' TypeScript', 'svelte', 'SVELTE'], ['typescript ', 'Svelte']);
		expect(match).toEqual({ score: 100, matched: ['typescript', 'svelte'], missing: [] });
	});

	it('scores a job without skills 0, so it is never recommended', () => {
		expect(scoreMatch([], ['typescript']).score).toBe(0);
		expect(scoreMatch(['  ', ''], ['typescript']).score).toBe(0);
	});

	it('lists matched and missing skills in the job order', () => {
		const match = scoreMatch(['node', 'go', 'sql', 'redis'], ['sql', 'node']);
		expect(match.matched).toEqual(['node', 'sql']);
		expect(match.missing).toEqual(['go', 'redis']);
		expect(describeMatch(match)).toBe('Matches 2 of 4 skills: node, sql; missing go, redis.');
		expect(describeMatch(scoreMatch(['node'], ['node']))).toBe('Matches 1 of 1 skills: node.');
	});

	it('always lies in 0..100 and never drops when the person learns a skill', () => {
		const skill = fc.constantFrom('ts', 'svelte', 'node', 'sql', 'python', 'go', 'ml', 'css');
		fc.assert(
			fc.property(fc.array(skill), fc.array(skill), skill, (job, user, learned) => {
				const before = scoreMatch(job, user).score;
				const after = scoreMatch(job, [...user, learned]).score;
				return before >= 0 && before <= 100 && Number.isInteger(before) && after >= before;
			})
		);
	});
});

describe('recommendation threshold', () => {
	it('recommends from 60 up', () => {
		expect(RECOMMENDATION_THRESHOLD).toBe(60);
		expect(isRecommended(59)).toBe(false);
		expect(isRecommended(60)).toBe(true);
		expect(isRecommended(100)).toBe(true);
	});

	it('puts 3 of 5 skills in and 2 of 5 out', () => {
		const job = ['a', 'b', 'c', 'd', 'e'];
		expect(isRecommended(scoreMatch(job, ['a', 'b', 'c']).score)).toBe(true);
		expect(isRecommended(scoreMatch(job, ['a', 'b']).score)).toBe(false);
	});
});

describe('normalizeSkills', () => {
	it('trims, lowercases, de-duplicates and drops blanks', () => {
		expect(normalizeSkills([' SQL', 'sql', '', 'Node '])).toEqual(['sql', 'node']);
	});
});

describe('nextStatus', () => {
	it('follows the usual path and stops at an end', () => {
		expect(nextStatus('saved')).toBe('applied');
		expect(nextStatus('interview')).toBe('offer');
		expect(nextStatus('offer')).toBe('accepted');
		for (const end of ['accepted', 'rejected', 'declined', 'withdrawn'] as const) {
			expect(nextStatus(end)).toBeNull();
		}
	});
});
