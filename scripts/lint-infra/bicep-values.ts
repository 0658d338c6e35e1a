import type { Node } from 'web-tree-sitter';

import type { BicepFile } from './bicep-file';
import { callOf, objectProperty, plainString, topLevelDeclarations } from './bicep-syntax';

/** Functions that wrap a role definition GUID into a resource id; the GUID is their last argument. */
const RESOURCE_ID_FUNCTIONS = new Set([
  'subscriptionResourceId',
  'resourceId',
  'tenantResourceId',
  'extensionResourceId',
]);

/**
 * Follows an expression to the string literal it stands for, within one file:
 * literals, variables, `var.property`, `resource.id` of a resource with a
 * literal name, and `…ResourceId(type, literal)`. Undefined when the value is
 * only known at deployment time (parameters, outputs of other modules).
 */
export function traceStringLiteral(node: Node | null | undefined, file: BicepFile, depth = 0): string | undefined {
  if (!node || depth > 20) return undefined;
  const literal = plainString(node);
  if (literal !== undefined) return literal;
  if (node.type === 'parenthesized_expression') return traceStringLiteral(node.namedChildren[0], file, depth + 1);
  if (node.type === 'identifier') return traceStringLiteral(valueOfVariable(file, node.text), file, depth + 1);
  const call = callOf(node);
  if (call)
    return RESOURCE_ID_FUNCTIONS.has(call.name) ? traceStringLiteral(call.args.at(-1), file, depth + 1) : undefined;
  if (node.type === 'member_expression') {
    const target = node.childForFieldName('object');
    const property = node.childForFieldName('property')?.text;
    if (!target || !property) return undefined;
    if (target.type === 'identifier') {
      const resourceBody = bodyOfResource(file, target.text);
      if (resourceBody && property === 'id')
        return traceStringLiteral(objectProperty(resourceBody, 'name'), file, depth + 1);
      if (resourceBody && property === 'name')
        return traceStringLiteral(objectProperty(resourceBody, 'name'), file, depth + 1);
    }
    const objectValue = resolveObject(target, file, depth + 1);
    return traceStringLiteral(objectValue ? objectProperty(objectValue, property) : undefined, file, depth + 1);
  }
  return undefined;
}

/** The object literal an expression stands for (a literal or a variable holding one). */
export function resolveObject(node: Node | null | undefined, file: BicepFile, depth = 0): Node | undefined {
  if (!node || depth > 20) return undefined;
  if (node.type === 'object') return node;
  if (node.type === 'parenthesized_expression') return resolveObject(node.namedChildren[0], file, depth + 1);
  if (node.type === 'identifier') return resolveObject(valueOfVariable(file, node.text), file, depth + 1);
  return undefined;
}

export function valueOfVariable(file: BicepFile, name: string): Node | undefined {
  const declaration = topLevelDeclarations(file.root).find((d) => d.kind === 'var' && d.name === name);
  return declaration?.value ?? undefined;
}

function bodyOfResource(file: BicepFile, symbol: string): Node | undefined {
  const declaration = topLevelDeclarations(file.root).find((d) => d.kind === 'resource' && d.name === symbol);
  return declaration?.value?.type === 'object' ? declaration.value : undefined;
}
