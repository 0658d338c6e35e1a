import type { Node } from 'web-tree-sitter';

import type { BicepFile } from './bicep-file';
import { type ModuleOutput, moduleOutputOf, moduleTarget, passedExpression } from './bicep-modules';
import {
  isExistingResource,
  nestedResources,
  objectProperty,
  toDeclaration,
  topLevelDeclarations,
} from './bicep-syntax';
import { alternativesOf, resolveObject } from './bicep-values';

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
  const member = outputMember(origin, files);
  return member?.path === 'name' ? member.resource : undefined;
}

/**
 * For a module output written `<resource>.<path>` in the module's file (`storage.properties.primaryEndpoints.blob`):
 * that resource as declared there (an `existing` reference is not followed) and the path, dot-joined.
 */
export function outputMember(
  origin: ModuleOutput,
  files: BicepFile[],
): { resource: ResourceRef; path: string } | undefined {
  const value = outputValue(origin, files);
  if (!value) return undefined;
  const { base, path } = memberPath(value.node);
  const node = resolveResourceSymbol(base, value.file);
  return node ? { resource: { file: value.file, node }, path: path.join('.') } : undefined;
}

/**
 * Whether an expression (an app setting's value, say) is a module output written `<resource>.<path>` for the deployed
 * resource `resource`, following the expression through parameters to the module output and `existing` references to
 * the resource they name.
 */
export function isOutputOf(
  node: Node,
  file: BicepFile,
  files: BicepFile[],
  resource: ResourceRef,
  path: string,
): boolean {
  const origin = moduleOutputOf(node, file, files);
  const member = origin ? outputMember(origin, files) : undefined;
  return (
    member?.path === path && sameResource(deployedResource(member.resource.node, member.resource.file, files), resource)
  );
}

/**
 * Where a resource's `properties.<name>` is not the boolean literal `expected`: the property, or the resource itself
 * when the property is missing. Undefined when it is that literal; a parameter or any other expression does not count,
 * as the lint cannot tell its value.
 */
export function notBooleanLiteral(resource: ResourceRef, name: string, expected: boolean): Node | undefined {
  const value = objectProperty(resourceProperties(resource), name);
  return value?.type === 'boolean' && value.text === String(expected) ? undefined : (value ?? resource.node);
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

/** A resource's `properties` object, written out or in a variable. */
export function resourceProperties({ file, node }: ResourceRef): Node | undefined {
  return resolveObject(objectProperty(toDeclaration(node)?.value, 'properties'), file);
}

/**
 * The expressions a value ends in: followed through parameters (to what every caller passes), variables, parentheses,
 * both branches of `c ? a : b`, module outputs (to the output's expression in the module's file) and the elements of
 * arrays. Each comes with the file it is written in.
 */
export function valueLeaves(
  node: Node | null | undefined,
  file: BicepFile,
  files: BicepFile[],
  depth = 0,
): { file: BicepFile; node: Node }[] {
  if (!node || depth > 20) return [];
  const source = passedExpression(node, file, files);
  if (!source) return [];
  return alternativesOf(source.node, source.file).flatMap((alternative) => {
    if (alternative.type === 'array') {
      return alternative.namedChildren
        .filter((child) => child.type !== 'comment')
        .flatMap((element) => valueLeaves(element, source.file, files, depth + 1));
    }
    const origin = moduleOutputOf(alternative, source.file, files);
    const output = origin ? outputValue(origin, files) : undefined;
    if (output) return valueLeaves(output.node, output.file, files, depth + 1);
    return [{ file: source.file, node: alternative }];
  });
}

/**
 * The deployed resources whose `<resource>.<path>` (`id`, `properties.mailFromSenderDomain`, …) a value is made of,
 * wherever valueLeaves leads, inside string interpolations too; `existing` references are followed to the resource they
 * name, as deployedResource does.
 */
export function resourcesReferenced(
  node: Node | null | undefined,
  file: BicepFile,
  files: BicepFile[],
  path: string,
): ResourceRef[] {
  return valueLeaves(node, file, files).flatMap((leaf) => {
    const expressions =
      leaf.node.type === 'string'
        ? leaf.node.namedChildren.flatMap((part) => (part.type === 'interpolation' ? part.namedChildren : []))
        : [leaf.node];
    return expressions.flatMap((expression) => {
      const member = memberPath(expression);
      if (member.path.join('.') !== path) return [];
      const resource = resolveResourceSymbol(member.base, leaf.file);
      const deployed = resource ? deployedResource(resource, leaf.file, files) : undefined;
      return deployed ? [deployed] : [];
    });
  });
}
