/**
 * The schema's migrations, numbered, for Kysely's Migrator. Each runs once per database (Kysely
 * records it in `kysely_migration`), in name order, at start-up. A released migration is frozen:
 * change the schema by adding the next number, never by editing one.
 *
 * Numbers agreed between the issues working on the schema: 0001-0009 server core (issue 9),
 * 0010 sign-in throttle (issue 14), 0011 profile and jobs (issue 13); issue 12 (UI) needed none,
 * so 0012 went to the jobs' case-folded search text.
 */
import type { Migration, MigrationProvider } from 'kysely';
import type { Engine } from '../schema';
import { initial } from './0001_initial';
import { signinFailures } from './0010_signin_failures';
import { profileAndJobSearch } from './0011_profile_and_job_search';
import { foldedJobText } from './0012_folded_job_text';

/** Every migration by name, for one engine (a few column types differ). */
export function migrationsFor(engine: Engine): Record<string, Migration> {
	return {
		'0001_initial': initial(engine),
		'0010_signin_failures': signinFailures(engine),
		'0011_profile_and_job_search': profileAndJobSearch(engine),
		'0012_folded_job_text': foldedJobText(engine)
	};
}

/** The provider Kysely's Migrator reads them from (bundled, so no file system lookup). */
export function migrationProvider(engine: Engine): MigrationProvider {
	return { getMigrations: async () => migrationsFor(engine) };
}
