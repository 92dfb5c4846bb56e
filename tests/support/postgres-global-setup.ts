/**
 * Vitest global setup: one private PostgreSQL cluster for the whole run (unless `TEST_DATABASE_URL`
 * names a server to use instead), handed to the suites as `postgresAdminUrl`; each suite creates
 * its own database in it (`testDatabase()` in ./postgres-vitest). Stopped and removed at the end
 * of the run, failed or not.
 */
import type { TestProject } from 'vitest/node';
import { PrivatePostgres, TEST_DATABASE_URL_ENV } from './postgres';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	if (process.env[TEST_DATABASE_URL_ENV]) {
		project.provide('postgresAdminUrl', '');
		return async () => {};
	}
	const cluster = await PrivatePostgres.start();
	project.provide('postgresAdminUrl', cluster.adminUrl);
	return () => cluster.stop();
}
