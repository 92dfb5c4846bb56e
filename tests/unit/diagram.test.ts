/**
 * docs/connection-diagram.md is generated from the chart: regenerate it in memory and compare, and
 * check that the generator leaves out no state, timer or transition.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { connectionMachine } from '../../machines/connection';
import { diagramDocument, mermaidDiagram, withDiagram } from '../../machines/diagram';

type StateNode = typeof connectionMachine.root;

function allNodes(node: StateNode): StateNode[] {
	return (Object.values(node.states) as StateNode[]).flatMap((child) => [
		child,
		...allNodes(child)
	]);
}

describe('connection diagram', () => {
	it('matches the committed docs/connection-diagram.md (run npm run machine:diagram)', () => {
		const committed = readFileSync(
			new URL('../../docs/connection-diagram.md', import.meta.url),
			'utf8'
		);
		expect(committed).toBe(diagramDocument(connectionMachine, 'machines/connection.ts'));
	});

	it('is the diagram in the package README too (run npm run machine:diagram)', () => {
		const readme = readFileSync(new URL('../../machines/README.md', import.meta.url), 'utf8');
		expect(readme).toBe(withDiagram(readme, connectionMachine));
		expect(readme).toContain(mermaidDiagram(connectionMachine));
	});

	it('shows every state, every named delay and every transition', () => {
		const diagram = mermaidDiagram(connectionMachine);
		const document = diagramDocument(connectionMachine, 'machines/connection.ts');
		const nodes = [connectionMachine.root, ...allNodes(connectionMachine.root)];
		for (const node of nodes.slice(1)) expect(diagram).toMatch(new RegExp(`\\b${node.key}\\b`));
		for (const delay of ['backoff', 'connectTimeout', 'heartbeatInterval', 'heartbeatTimeout']) {
			expect(diagram).toContain(`after ${delay}`);
		}
		const transitions = nodes.flatMap((node) => [
			...[...node.transitions.values()].flat(),
			...(node.always ?? [])
		]);
		const arrows = diagram
			.split('\n')
			.filter((line) => line.includes('-->') && !line.includes('[*]'));
		const notes = diagram.split('\n').filter((line) => line.includes('from any state'));
		const stays = document
			.split('\n')
			.filter((line) => line.startsWith('| '))
			.slice(2) // the header and the separator
			.map((row) => row.split(' | ')[4].replace(/ \|$/, ''))
			.flatMap((cell) => (cell === '-' ? [] : cell.split('<br>')));
		expect(arrows.length + notes.length + stays.length).toBe(transitions.length);
	});
});
