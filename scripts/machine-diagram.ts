/**
 * `npm run machine:diagram`: writes docs/connection-diagram.md, the Mermaid diagram of the
 * connection statechart generated from the machine's own definition (machines/diagram.ts), and
 * the same diagram into the package README (machines/README.md, between its markers).
 * tests/unit/diagram.test.ts fails when the committed files and the chart differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { connectionMachine } from '../machines/connection';
import { diagramDocument, withDiagram } from '../machines/diagram';

const target = new URL('../docs/connection-diagram.md', import.meta.url);
writeFileSync(target, diagramDocument(connectionMachine, 'machines/connection.ts'));
console.log(`wrote ${target.pathname}`);
const readme = new URL('../machines/README.md', import.meta.url);
writeFileSync(readme, withDiagram(readFileSync(readme, 'utf8'), connectionMachine));
console.log(`wrote the diagram into ${readme.pathname}`);
