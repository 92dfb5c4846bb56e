/**
 * Writes docs/connection-diagram.md: the Mermaid diagram of the connection statechart, generated
 * from the machine's own definition (`npm run machine:diagram`).
 */
import { writeFileSync } from 'node:fs';
import { connectionMachine } from '../machines/connection';
import { diagramDocument } from '../machines/diagram';

export const DIAGRAM_PATH = new URL('../docs/connection-diagram.md', import.meta.url);

writeFileSync(DIAGRAM_PATH, diagramDocument(connectionMachine, 'machines/connection.ts'));
console.log(`wrote ${DIAGRAM_PATH.pathname}`);
