/**
 * `npm run machine:diagram`: writes docs/connection-diagram.md, the Mermaid diagram of the
 * connection statechart generated from the machine's own definition (machines/diagram.ts).
 * tests/unit/diagram.test.ts fails when the committed file and the chart differ.
 */
import { writeFileSync } from 'node:fs';
import { connectionMachine } from '../machines/connection';
import { diagramDocument } from '../machines/diagram';

const target = new URL('../docs/connection-diagram.md', import.meta.url);
writeFileSync(target, diagramDocument(connectionMachine, 'machines/connection.ts'));
console.log(`wrote ${target.pathname}`);
