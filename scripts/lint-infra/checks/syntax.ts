import type { Node } from 'web-tree-sitter';

import { type BicepFile, lineOf } from '../bicep-file';
import type { Finding } from '../finding';

/** Every ERROR or MISSING node tree-sitter-bicep produced, reported once per location. */
export function checkSyntax(file: BicepFile): Finding[] {
  const findings: Finding[] = [];
  collect(file.root, file, findings);
  return findings;
}

function collect(node: Node, file: BicepFile, findings: Finding[]): void {
  if (node.isMissing) {
    findings.push({
      file: file.displayPath,
      line: lineOf(node),
      check: 'syntax',
      message: `missing ${describe(node)}`,
    });
    return;
  }
  if (node.isError) {
    const excerpt = node.text.split('\n')[0]?.trim().slice(0, 60) ?? '';
    findings.push({
      file: file.displayPath,
      line: lineOf(node),
      check: 'syntax',
      message: `cannot parse near "${excerpt}"`,
    });
    return;
  }
  if (!node.hasError) return;
  for (const child of node.children) collect(child, file, findings);
}

function describe(node: Node): string {
  return node.isNamed ? node.type : `"${node.type}"`;
}
