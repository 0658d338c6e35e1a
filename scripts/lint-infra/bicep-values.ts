import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Node } from 'web-tree-sitter';

import type { BicepFile } from './bicep-file';
import { callOf, objectEntries, objectProperty, plainString, topLevelDeclarations } from './bicep-syntax';

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

/** What `evaluate` returns for an expression whose value is only known at deployment time. */
export const UNKNOWN: unique symbol = Symbol('unknown');

/**
 * The value of an expression when it is written out in the Bicep, within one file: literals, arrays and objects of
 * them, variables, `.property` of such values, and `loadJsonContent('<file>')` (the JSON file, read relative to the
 * Bicep file as Bicep reads it). UNKNOWN for parameters, resource properties, other functions and anything else.
 */
export function evaluate(node: Node | null | undefined, file: BicepFile, depth = 0): unknown {
  if (!node || depth > 20) return UNKNOWN;
  switch (node.type) {
    case 'string':
      return plainString(node) ?? UNKNOWN;
    case 'number':
      return Number(node.text);
    case 'boolean':
      return node.text === 'true';
    case 'null':
      return null;
    case 'parenthesized_expression':
      return evaluate(node.namedChildren[0], file, depth + 1);
    case 'identifier':
      return evaluate(valueOfVariable(file, node.text), file, depth + 1);
    case 'array': {
      const items = node.namedChildren
        .filter((child) => child.type !== 'comment')
        .map((child) => evaluate(child, file, depth + 1));
      return items.includes(UNKNOWN) ? UNKNOWN : items;
    }
    case 'object': {
      const entries = objectEntries(node).map((entry) => [entry.key, evaluate(entry.value, file, depth + 1)] as const);
      return entries.some(([, value]) => value === UNKNOWN) ? UNKNOWN : Object.fromEntries(entries);
    }
    case 'member_expression': {
      const target = evaluate(node.childForFieldName('object'), file, depth + 1);
      const property = node.childForFieldName('property')?.text;
      if (target === null || typeof target !== 'object' || Array.isArray(target) || property === undefined)
        return UNKNOWN;
      return Object.hasOwn(target, property) ? (target as Record<string, unknown>)[property] : UNKNOWN;
    }
    case 'call_expression':
      return loadedJson(node, file);
    default:
      return UNKNOWN;
  }
}

function loadedJson(node: Node, file: BicepFile): unknown {
  const call = callOf(node);
  const relativePath =
    call?.name === 'loadJsonContent' && call.args.length === 1 ? plainString(call.args[0]) : undefined;
  if (relativePath === undefined) return UNKNOWN;
  try {
    return JSON.parse(readFileSync(path.resolve(path.dirname(file.absolutePath), relativePath), 'utf8')) as unknown;
  } catch {
    return UNKNOWN;
  }
}

/** The expressions a value may come from: through variables, parentheses and both branches of `c ? a : b`. */
export function alternativesOf(node: Node | null | undefined, file: BicepFile, depth = 0): Node[] {
  if (!node || depth > 20) return [];
  if (node.type === 'parenthesized_expression') return alternativesOf(node.namedChildren[0], file, depth + 1);
  if (node.type === 'ternary_expression') {
    return [node.childForFieldName('consequence'), node.childForFieldName('alternative')].flatMap((branch) =>
      alternativesOf(branch, file, depth + 1),
    );
  }
  if (node.type === 'identifier') {
    const value = valueOfVariable(file, node.text);
    if (value) return alternativesOf(value, file, depth + 1);
  }
  return [node];
}
