/** The Jobs page's URL query parameters: parsed leniently, written back without defaults. */
import { describe, expect, it } from 'vitest';
import {
	DEFAULT_JOB_SEARCH,
	isFiltered,
	jobSearchParams,
	jobSearchQuery,
	parseJobSearch,
	workModeOf
} from '../../src/lib/job-search';

const parse = (query: string) => parseJobSearch(new URLSearchParams(query));

describe('parseJobSearch', () => {
	it('reads every parameter', () => {
		expect(
			parse('q=Svelte+dev&skill=TypeScript&location=Berlin&remote=hybrid&min=75&sort=match&page=3')
		).toEqual({
			q: 'Svelte dev',
			skill: 'typescript',
			location: 'Berlin',
			remote: 'hybrid',
			minMatch: 75,
			sort: 'match',
			page: 3
		});
	});

	it('gives the defaults for an empty query', () => {
		expect(parse('')).toEqual(DEFAULT_JOB_SEARCH);
	});

	it('falls back to the default for values that make no sense', () => {
		expect(parse('remote=moon&min=250&sort=salary&page=0')).toEqual(DEFAULT_JOB_SEARCH);
		expect(parse('min=-5&page=abc')).toEqual(DEFAULT_JOB_SEARCH);
		expect(parse('min=1e2&page=2.5')).toEqual(DEFAULT_JOB_SEARCH);
	});

	it('trims, collapses spaces and cuts long text at 100 characters', () => {
		expect(parse(`q=${encodeURIComponent('  go   dev  ')}`).q).toBe('go dev');
		expect(parse(`q=${'x'.repeat(300)}`).q).toHaveLength(100);
	});
});

describe('jobSearchParams / jobSearchQuery', () => {
	it('round-trips through the URL', () => {
		const search = parse('q=go&skill=kubernetes&location=remote&remote=remote&min=60&sort=match');
		expect(parseJobSearch(jobSearchParams(search))).toEqual(search);
	});

	it('leaves defaults out and keeps a fixed order', () => {
		expect(jobSearchQuery(DEFAULT_JOB_SEARCH)).toBe('');
		expect(jobSearchQuery({ ...DEFAULT_JOB_SEARCH, page: 2, q: 'data' })).toBe('?q=data&page=2');
		expect(jobSearchQuery(parse('page=4&q=data'), { page: 1 })).toBe('?q=data');
	});
});

describe('isFiltered', () => {
	it('counts text and filters, not sort or page', () => {
		expect(isFiltered(parse('sort=match&page=2'))).toBe(false);
		expect(isFiltered(parse('remote=onsite'))).toBe(true);
		expect(isFiltered(parse('min=50'))).toBe(true);
	});
});

describe('workModeOf', () => {
	it('reads the mode from a location', () => {
		expect(workModeOf('Remote (EU)')).toBe('remote');
		expect(workModeOf('Berlin, Germany (hybrid)')).toBe('hybrid');
		expect(workModeOf('Austin, TX')).toBe('onsite');
		expect(workModeOf('Remoteville, OH')).toBe('onsite');
	});
});
