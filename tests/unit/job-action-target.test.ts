/** Where Save and Apply move an application (pure rule; the server tests run it for real). */
import { describe, expect, it } from 'vitest';
import { APPLICATION_STATUSES } from '../../src/lib/protocol';
import { jobActionTarget } from '../../src/lib/job-actions';

describe('jobActionTarget', () => {
	it('Save creates a saved application and leaves an existing one alone', () => {
		expect(jobActionTarget('save', null)).toBe('saved');
		for (const status of APPLICATION_STATUSES) expect(jobActionTarget('save', status)).toBeNull();
	});

	it('Apply creates, or moves a saved or withdrawn application to applied; nothing else', () => {
		expect(jobActionTarget('apply', null)).toBe('applied');
		expect(jobActionTarget('apply', 'saved')).toBe('applied');
		expect(jobActionTarget('apply', 'withdrawn')).toBe('applied');
		for (const status of APPLICATION_STATUSES.filter((s) => s !== 'saved' && s !== 'withdrawn')) {
			expect(jobActionTarget('apply', status), status).toBeNull();
		}
	});
});
