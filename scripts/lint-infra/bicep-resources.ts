import type { Node } from 'web-tree-sitter';

import type { BicepFile } from './bicep-file';
import { type ModuleOutput, moduleOutputOf, moduleTarget } from './bicep-modules';
import {
  isExistingResource,
  nestedResources,
  objectProperty,
  toDeclaration,
  topLevelDeclarations,
} from './bicep-syntax';

/** A resource declaration and the file it is in. */
export interface ResourceRef {
  file: BicepFile;
  node: Node;
}

/**
 * The resource a symbol stands for: `storage` (a top-level resource) or `storage::blobServices::container` (nested
 * resources, as Bicep's `::` accessor names them). Undefined for anything else.
 */
export function resolveResourceSymbol(node: Node | null | undefined, file: BicepFile): Node | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') {
    return topLevelDeclarations(file.root).find((d) => d.kind === 'resource' && d.name === node.text)?.node;
  }
  if (node.type !== 'resource_expression') return undefined;
  const [outer, inner] = node.namedChildren.filter((child) => child.type !== 'comment');
  const parent = resolveResourceSymbol(outer, file);
  const body = parent ? toDeclaration(parent)?.value : undefined;
  if (!body || inner?.type !== 'identifier') return undefined;
  return nestedResources(body).find((child) => toDeclaration(child)?.name === inner.text);
}

/** The resource a resource is a child of: the one it is nested in, or the one its `parent:` names. */
export function enclosingResource(resource: Node, file: BicepFile): Node | undefined {
  for (let ancestor = resource.parent; ancestor; ancestor = ancestor.parent) {
    if (ancestor.type === 'resource_declaration') return ancestor;
  }
  return resolveResourceSymbol(objectProperty(toDeclaration(resource)?.value, 'parent'), file);
}

/**
 * The deployed resource a declaration stands for: itself, or for an `existing` reference whose name is a module
 * output (through parameters, as moduleOutputOf follows them), the resource that output names (`<resource>.name`).
 * Undefined when the reference cannot be followed.
 */
export function deployedResource(resource: Node, file: BicepFile, files: BicepFile[]): ResourceRef | undefined {
  if (!isExistingResource(resource)) return { file, node: resource };
  const origin = moduleOutputOf(objectProperty(toDeclaration(resource)?.value, 'name'), file, files);
  return origin ? outputResource(origin, files) : undefined;
}

/** For a module output written `<resource>.name` (or `a::b::c.name`) in the module's file: that resource. */
export function outputResource(origin: ModuleOutput, files: BicepFile[]): ResourceRef | undefined {
  const value = outputValue(origin, files);
  if (!value) return undefined;
  const { base, path } = memberPath(value.node);
  if (path.join('.') !== 'name') return undefined;
  const node = resolveResourceSymbol(base, value.file);
  return node ? { file: value.file, node } : undefined;
}

/** The expression a module output is declared with, in the module's file. */
export function outputValue(origin: ModuleOutput, files: BicepFile[]): { file: BicepFile; node: Node } | undefined {
  const target = moduleTarget(origin.caller, origin.module, files);
  const output = target
    ? topLevelDeclarations(target.root).find((d) => d.kind === 'output' && d.name === origin.output)
    : undefined;
  return target && output?.value ? { file: target, node: output.value } : undefined;
}

/** `storage.properties.primaryEndpoints.blob` → the node `storage` and ['properties', 'primaryEndpoints', 'blob']. */
export function memberPath(node: Node): { base: Node; path: string[] } {
  const path: string[] = [];
  let base = node;
  while (base.type === 'member_expression') {
    const object = base.childForFieldName('object');
    const property = base.childForFieldName('property');
    if (!object || !property) break;
    path.unshift(property.text);
    base = object;
  }
  return { base, path };
}

export function sameResource(a: ResourceRef | undefined, b: ResourceRef | undefined): boolean {
  return a !== undefined && b !== undefined && a.file.absolutePath === b.file.absolutePath && a.node.equals(b.node);
}
