/**
 * PostgreSQL inside vitest: `testDatabase()` gives a suite a fresh database of its own, in the
 * server `TEST_DATABASE_URL` names or in the run's private cluster (see ./postgres-global-setup).
 * Drop it in afterAll.
 */
import { inject } from 'vitest';
import { createTestDatabase, type TestDatabase } from './postgres';

export type { TestDatabase } from './postgres';

declare module 'vitest' {
	export interface ProvidedContext {
		/** The admin URL of the run's private cluster; empty when TEST_DATABASE_URL is used. */
		postgresAdminUrl: string;
	}
}

/** A fresh, uniquely named database for one suite. */
export function testDatabase(): Promise<TestDatabase> {
	return createTestDatabase(inject('postgresAdminUrl') || undefined);
}
