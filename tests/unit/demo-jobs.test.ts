/** The demo seed's jobs: enough, varied, valid and the same on every run. */
import { describe, expect, it } from 'vitest';
import { demoJobs } from '../../src/lib/server/demo-jobs';
import { WORK_MODES } from '../../src/lib/job-search';

describe('demoJobs', () => {
	const jobs = demoJobs();

	it('has at least 60 jobs, each title at a company once', () => {
		expect(jobs.length).toBeGreaterThanOrEqual(60);
		expect(new Set(jobs.map((job) => `${job.title}|${job.company}`)).size).toBe(jobs.length);
	});

	it('is the same list on every call', () => {
		expect(demoJobs()).toEqual(jobs);
	});

	it('varies titles, companies, locations, work modes, skills and pay', () => {
		const distinct = (values: unknown[]) => new Set(values).size;
		expect(distinct(jobs.map((job) => job.title))).toBeGreaterThanOrEqual(25);
		expect(distinct(jobs.map((job) => job.company))).toBeGreaterThanOrEqual(20);
		expect(distinct(jobs.map((job) => job.location))).toBeGreaterThanOrEqual(12);
		expect(distinct(jobs.map((job) => job.work_mode))).toBe(WORK_MODES.length);
		expect(distinct(jobs.flatMap((job) => job.skills))).toBeGreaterThanOrEqual(40);
		expect(distinct(jobs.map((job) => job.salary_range))).toBeGreaterThanOrEqual(30);
		expect(jobs.some((job) => job.salary_range === null)).toBe(true);
		expect(distinct(jobs.map((job) => job.daysAgo))).toBeGreaterThanOrEqual(15);
	});

	it('gives every job a description and one to six distinct skills', () => {
		for (const job of jobs) {
			expect(job.description.length).toBeGreaterThan(20);
			expect(job.skills.length).toBeGreaterThanOrEqual(1);
			expect(job.skills.length).toBeLessThanOrEqual(6);
			expect(new Set(job.skills).size).toBe(job.skills.length);
			expect(job.daysAgo).toBeGreaterThanOrEqual(1);
		}
	});
});
