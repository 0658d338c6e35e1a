import type { Node } from 'web-tree-sitter';

/**
 * Small readers over tree-sitter-bicep nodes. The grammar names children by
 * position rather than by field for declarations, so these helpers say what
 * each position holds.
 */

export interface Declaration {
  kind: 'param' | 'var' | 'output' | 'module' | 'resource';
  name: string;
  node: Node;
  /** The value after `=`; for conditional modules/resources, the object inside `if (...)`. */
  value: Node | null;
}

const DECLARATION_KINDS = {
  parameter_declaration: 'param',
  variable_declaration: 'var',
  output_declaration: 'output',
  module_declaration: 'module',
  resource_declaration: 'resource',
} as const;

/** Top-level declarations of a file, in source order. */
export function topLevelDeclarations(root: Node): Declaration[] {
  return root.namedChildren.flatMap((child) => {
    const declaration = toDeclaration(child);
    return declaration ? [declaration] : [];
  });
}

export function toDeclaration(node: Node): Declaration | undefined {
  const kind = (DECLARATION_KINDS as Record<string, Declaration['kind'] | undefined>)[node.type];
  if (!kind) return undefined;
  const name = node.namedChildren.find((child) => child.type === 'identifier')?.text ?? '';
  return { kind, name, node, value: declarationValue(node) };
}

/** The expression after `=` (or the body of `if (...) {}`), if any. */
function declarationValue(node: Node): Node | null {
  const children = node.children;
  const equalsIndex = children.findIndex((child) => child.type === '=');
  if (equalsIndex < 0) return null;
  const value = children[equalsIndex + 1] ?? null;
  if (value?.type === 'if_statement') return value.namedChildren.find((child) => child.type === 'object') ?? null;
  return value;
}

/** For `module x 'path' = …` and `resource x 'type@version' = …`: the quoted string node. */
export function declarationTypeString(node: Node): Node | undefined {
  return node.namedChildren.find((child) => child.type === 'string');
}

/** `Microsoft.Web/sites` of `resource x 'Microsoft.Web/sites@2024-04-01'`, lower-cased; '' for anything else. */
export function resourceTypeOf(node: Node): string {
  if (node.type !== 'resource_declaration') return '';
  return (plainString(declarationTypeString(node)) ?? '').split('@')[0]?.toLowerCase() ?? '';
}

/** `resource x '…' existing = {…}`: a reference to a resource deployed elsewhere, not a deployment of it. */
export function isExistingResource(node: Node): boolean {
  return node.children.some((child) => child.type === 'existing');
}

/** `… = if (condition) {…}`: deployed only when the condition holds. */
export function isConditional(node: Node): boolean {
  return node.children.some((child) => child.type === 'if_statement');
}

/** The text of a string literal without interpolation; undefined for anything else. */
export function plainString(node: Node | null | undefined): string | undefined {
  if (!node || node.type !== 'string') return undefined;
  if (node.namedChildren.some((child) => child.type === 'interpolation')) return undefined;
  const content = node.namedChildren.filter(
    (child) => child.type === 'string_content' || child.type === 'escape_sequence',
  );
  return content.map((part) => unescapeBicep(part)).join('');
}

function unescapeBicep(part: Node): string {
  if (part.type !== 'escape_sequence') return part.text;
  const escaped = part.text.slice(1);
  return ({ n: '\n', r: '\r', t: '\t' } as Record<string, string | undefined>)[escaped] ?? escaped;
}

/** `param x string = …` has a default; so has a nullable `param x string?`. */
export function parameterIsOptional(declaration: Declaration): boolean {
  if (declaration.value) return true;
  return declaration.node.descendantsOfType('nullable_type').length > 0;
}

/** Decorator names (`secure`, `description`, …) written above a declaration. */
export function decoratorNames(declarationNode: Node): string[] {
  return decoratorCalls(declarationNode).map((call) => call.name);
}

/** Arguments of the decorator `name` above a declaration (`@minLength(1)` → [1]); undefined without one. */
export function decoratorArguments(declarationNode: Node, name: string): Node[] | undefined {
  return decoratorCalls(declarationNode).find((call) => call.name === name)?.args;
}

function decoratorCalls(declarationNode: Node): { name: string; args: Node[] }[] {
  const previous = declarationNode.previousNamedSibling;
  if (previous?.type !== 'decorators') return [];
  return previous.namedChildren.flatMap((decorator) => {
    const call = decorator.namedChildren.find((child) => child.type === 'call_expression');
    const parsed = call ? callOf(call) : undefined;
    return parsed ? [parsed] : [];
  });
}

export interface ObjectEntry {
  key: string;
  keyNode: Node;
  value: Node;
}

/** Properties of an object literal whose keys are identifiers or plain strings. */
export function objectEntries(objectNode: Node): ObjectEntry[] {
  if (objectNode.type !== 'object') return [];
  return objectNode.namedChildren.flatMap((property) => {
    if (property.type !== 'object_property') return [];
    const [keyNode, value] = property.namedChildren.filter((child) => child.type !== 'comment');
    if (!keyNode || !value) return [];
    const key = keyNode.type === 'identifier' ? keyNode.text : plainString(keyNode);
    return key === undefined ? [] : [{ key, keyNode, value }];
  });
}

export function objectProperty(objectNode: Node | null | undefined, key: string): Node | undefined {
  if (!objectNode) return undefined;
  return objectEntries(objectNode).find((entry) => entry.key === key)?.value;
}

/** Resources declared inside a resource body (`resource child 'config' = {…}`). */
export function nestedResources(resourceBody: Node): Node[] {
  // The grammar wraps a nested resource in an object_property of the parent body.
  return resourceBody.namedChildren.flatMap((child) => {
    if (child.type === 'resource_declaration') return [child];
    if (child.type !== 'object_property') return [];
    return child.namedChildren.filter((inner) => inner.type === 'resource_declaration');
  });
}

/** Name and arguments of a call like `union(a, b)`; undefined for other nodes. */
export function callOf(node: Node): { name: string; args: Node[] } | undefined {
  if (node.type !== 'call_expression') return undefined;
  const [callee, argumentList] = node.namedChildren;
  if (!callee || !argumentList) return undefined;
  const name = callee.type === 'member_expression' ? (callee.childForFieldName('property')?.text ?? '') : callee.text;
  return { name, args: argumentList.namedChildren.filter((child) => child.type !== 'comment') };
}

/** All nodes below `node` (inclusive) in document order. */
export function descendants(node: Node): Node[] {
  const found: Node[] = [node];
  for (const child of node.namedChildren) found.push(...descendants(child));
  return found;
}
