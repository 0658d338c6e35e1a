import type { Node } from 'web-tree-sitter';

import { type BicepFile, lineOf } from '../bicep-file';
import { declarationTypeString, descendants, objectProperty, plainString, toDeclaration } from '../bicep-syntax';
import { traceStringLiteral } from '../bicep-values';
import { BUILT_IN_ROLES, builtInRoleById, GUID } from '../built-in-roles';
import type { Finding } from '../finding';

/**
 * Role ids are documented built-in roles, written next to their names, and
 * every role assignment carries a one-line justification comment above it.
 */
export function checkRoleAssignments(file: BicepFile): Finding[] {
  return [
    ...checkGuidLiterals(file),
    ...descendants(file.root)
      .filter(isRoleAssignment)
      .flatMap((node) => checkAssignment(node, file)),
  ];
}

function checkGuidLiterals(file: BicepFile): Finding[] {
  const lines = file.root.text.split('\n');
  return descendants(file.root).flatMap((node): Finding[] => {
    const value = plainString(node);
    if (value === undefined || !GUID.test(value)) return [];
    const finding = (message: string): Finding => ({
      file: file.displayPath,
      line: lineOf(node),
      check: 'role-id',
      message,
    });
    const role = builtInRoleById(value);
    if (!role)
      return [
        finding(`${value} is not in the table of documented built-in role ids (scripts/lint-infra/built-in-roles.ts)`),
      ];
    const comment = commentOnLine(lines[node.startPosition.row] ?? '');
    if (comment === undefined || !comment.includes(role.name)) {
      return [finding(`${value} is "${role.name}": write that name in a comment on the same line`)];
    }
    return [];
  });
}

function checkAssignment(resource: Node, file: BicepFile): Finding[] {
  const declaration = toDeclaration(resource);
  const name = declaration?.name ?? 'role assignment';
  const finding = (message: string): Finding => ({
    file: file.displayPath,
    line: lineOf(resource),
    check: 'role-assignment',
    message,
  });
  const findings: Finding[] = [];
  if (!hasJustificationAbove(resource))
    findings.push(finding(`${name} needs a one-line justification comment directly above it`));
  const roleDefinitionId = objectProperty(objectProperty(declaration?.value, 'properties'), 'roleDefinitionId');
  const roleId = traceStringLiteral(roleDefinitionId, file)?.split('/').at(-1);
  const role = roleId === undefined ? undefined : builtInRoleById(roleId);
  if (!role) {
    findings.push(
      finding(
        `${name}: roleDefinitionId does not trace to a documented built-in role id (${BUILT_IN_ROLES.length} known)`,
      ),
    );
  } else if (role.broad) {
    findings.push(finding(`${name} assigns the broad role "${role.name}"; use a narrower built-in role`));
  }
  return findings;
}

function isRoleAssignment(node: Node): boolean {
  if (node.type !== 'resource_declaration') return false;
  const resourceType = plainString(declarationTypeString(node)) ?? '';
  return resourceType.toLowerCase().startsWith('microsoft.authorization/roleassignments@');
}

function hasJustificationAbove(resource: Node): boolean {
  let previous = resource.previousNamedSibling;
  if (previous?.type === 'decorators') previous = previous.previousNamedSibling;
  if (previous?.type !== 'comment') return false;
  const adjacent = previous.endPosition.row === resource.startPosition.row - 1;
  return adjacent && previous.text.replace(/^\/\/|^\/\*|\*\/$/g, '').trim().length >= 10;
}

/** The `// …` comment at the end of a source line, ignoring `//` inside quoted strings. */
function commentOnLine(line: string): string | undefined {
  let inString = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index];
    if (char === "'") inString = !inString;
    else if (char === '\\' && inString) index += 1;
    else if (!inString && char === '/' && line[index + 1] === '/') return line.slice(index + 2).trim();
  }
  return undefined;
}
