import { describe, expect, it } from 'vitest';
import { isExternalHref, safeHref } from '../../src/lib/url';

describe('safeHref', () => {
	it('keeps same-origin paths as given', () => {
		expect(safeHref('/jobs')).toBe('/jobs');
		expect(safeHref('/applications?status=interview#top')).toBe(
			'/applications?status=interview#top'
		);
	});

	it('normalises absolute http and https URLs', () => {
		expect(safeHref('https://example.com/jobs/1')).toBe('https://example.com/jobs/1');
		expect(safeHref('HTTP://Example.com')).toBe('http://example.com/');
	});

	it.each([
		'javascript:alert(1)',
		'JaVaScRiPt:alert(1)',
		'data:text/html,<script>alert(1)</script>',
		'vbscript:msgbox(1)',
		'file:///etc/passwd',
		'mailto:someone@example.com',
		'//evil.example/path',
		'/\\evil.example',
		'/\t/evil.example',
		' /jobs',
		'java\nscript:alert(1)',
		'jobs/1',
		'',
		'http://',
		'x'.repeat(3000)
	])('refuses %j', (raw) => {
		expect(safeHref(raw)).toBeNull();
	});

	it('refuses values that are not strings', () => {
		expect(safeHref(undefined)).toBeNull();
		expect(safeHref(null)).toBeNull();
		expect(safeHref(42)).toBeNull();
		expect(safeHref({ href: '/jobs' })).toBeNull();
	});
});

describe('isExternalHref', () => {
	it('tells site paths from other origins', () => {
		expect(isExternalHref('/jobs')).toBe(false);
		expect(isExternalHref('https://example.com/')).toBe(true);
	});
});
