/**
 * Playwright global setup: run the browser tests against a private copy of build/, so another
 * `npm run build` in the working tree during the run cannot swap the files under the servers.
 * Returns the teardown that removes the copy.
 */
import { rmSync } from 'node:fs';
import { BUILD_DIR_ENV, copyE2EBuild } from './e2e-server';

export default function globalSetup(): () => void {
	const copy = copyE2EBuild();
	// Workers inherit the runner's environment, so every server fixture finds the copy.
	process.env[BUILD_DIR_ENV] = copy;
	return () => rmSync(copy, { recursive: true, force: true });
}
