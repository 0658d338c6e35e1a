import type { Node } from 'web-tree-sitter';

import { type BicepFile, resolveModulePath } from './bicep-file';
import {
  type Declaration,
  declarationTypeString,
  objectProperty,
  plainString,
  topLevelDeclarations,
} from './bicep-syntax';

/** Every `module x '<path to target>' = {…}` in the other files, with the file it is in and its `params` object. */
export function modulesCalling(
  target: BicepFile,
  files: BicepFile[],
): { caller: BicepFile; params: Node | undefined }[] {
  return files.flatMap((caller) =>
    topLevelDeclarations(caller.root)
      .filter((d) => d.kind === 'module')
      .filter((d) => moduleTargetPath(caller, d) === target.absolutePath)
      .map((d) => ({ caller, params: objectProperty(d.value, 'params') })),
  );
}

/** The parsed file a local module declaration deploys, if it is one of `files`. */
export function moduleTarget(caller: BicepFile, module: Declaration, files: BicepFile[]): BicepFile | undefined {
  const target = moduleTargetPath(caller, module);
  return target === undefined ? undefined : files.find((file) => file.absolutePath === target);
}

function moduleTargetPath(caller: BicepFile, module: Declaration): string | undefined {
  const modulePath = plainString(declarationTypeString(module.node));
  return modulePath === undefined ? undefined : resolveModulePath(caller, modulePath);
}

/** A value that is `<module>.outputs.<output>`: the module declaration, the file declaring it and the output. */
export interface ModuleOutput {
  caller: BicepFile;
  module: Declaration;
  output: string;
}

/**
 * Follows an expression back to the module output it is, through variables and through parameters to what every
 * caller of the file passes (all callers must pass the same output). Undefined for anything else.
 */
export function moduleOutputOf(
  node: Node | null | undefined,
  file: BicepFile,
  files: BicepFile[],
  depth = 0,
): ModuleOutput | undefined {
  if (!node || depth > 20) return undefined;
  if (node.type === 'parenthesized_expression') return moduleOutputOf(node.namedChildren[0], file, files, depth + 1);
  if (node.type === 'member_expression') return directModuleOutput(node, file);
  if (node.type !== 'identifier') return undefined;
  const declaration = topLevelDeclarations(file.root).find(
    (d) => (d.kind === 'var' || d.kind === 'param') && d.name === node.text,
  );
  if (declaration?.kind === 'var') return moduleOutputOf(declaration.value, file, files, depth + 1);
  if (declaration?.kind !== 'param') return undefined;
  const passed = modulesCalling(file, files).map(({ caller, params }) =>
    moduleOutputOf(objectProperty(params, node.text), caller, files, depth + 1),
  );
  const [first] = passed;
  return first && passed.every((origin) => origin !== undefined && sameModuleOutput(origin, first)) ? first : undefined;
}

export function sameModule(a: ModuleOutput, b: ModuleOutput): boolean {
  return a.caller.absolutePath === b.caller.absolutePath && a.module.name === b.module.name;
}

function sameModuleOutput(a: ModuleOutput, b: ModuleOutput): boolean {
  return sameModule(a, b) && a.output === b.output;
}

/** `<module>.outputs.<output>` written out. */
function directModuleOutput(node: Node, file: BicepFile): ModuleOutput | undefined {
  const outputs = node.childForFieldName('object');
  const output = node.childForFieldName('property')?.text;
  if (outputs?.type !== 'member_expression' || outputs.childForFieldName('property')?.text !== 'outputs')
    return undefined;
  const symbol = outputs.childForFieldName('object')?.text;
  const module = topLevelDeclarations(file.root).find((d) => d.kind === 'module' && d.name === symbol);
  return module && output ? { caller: file, module, output } : undefined;
}

/**
 * Where a parameter's value comes from: follows a parameter to what every caller of its file passes (all callers must
 * pass the same text), as far as callers go, and returns that expression with its file. Anything that is not a
 * parameter is its own source. Undefined when callers disagree.
 */
export function passedExpression(
  node: Node | null | undefined,
  file: BicepFile,
  files: BicepFile[],
  depth = 0,
): { file: BicepFile; node: Node } | undefined {
  if (!node || depth > 20) return undefined;
  if (node.type !== 'identifier') return { file, node };
  const isParameter = topLevelDeclarations(file.root).some((d) => d.kind === 'param' && d.name === node.text);
  const callers = isParameter ? modulesCalling(file, files) : [];
  if (callers.length === 0) return { file, node };
  const sources = callers.map(({ caller, params }) =>
    passedExpression(objectProperty(params, node.text), caller, files, depth + 1),
  );
  const [first] = sources;
  return first && sources.every((source) => source !== undefined && sameExpression(source, first)) ? first : undefined;
}

function sameExpression(a: { file: BicepFile; node: Node }, b: { file: BicepFile; node: Node }): boolean {
  return a.file.absolutePath === b.file.absolutePath && a.node.text === b.node.text;
}
