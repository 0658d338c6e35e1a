import type { Node } from 'web-tree-sitter';

import { type BicepFile, lineOf } from './bicep-file';
import { modulesCalling } from './bicep-modules';
import {
  callOf,
  declarationTypeString,
  descendants,
  nestedResources,
  objectEntries,
  objectProperty,
  plainString,
  toDeclaration,
  topLevelDeclarations,
} from './bicep-syntax';
import { traceStringLiteral } from './bicep-values';
import { looksLikeSecretName } from './checks/secret-outputs';
import type { Finding } from './finding';

/** A function app found in the Bicep, with the app settings it is given. */
export interface FunctionAppSettings {
  file: BicepFile;
  resource: Node;
  symbol: string;
  /** Setting name → the expression that sets it (and the file that expression is in). */
  settings: Map<string, SettingValue>;
}

export interface SettingValue {
  node: Node;
  file: BicepFile;
}

/**
 * Finds every `Microsoft.Web/sites` resource whose kind mentions functionapp and
 * gathers the names of its app settings, following variables, union(),
 * conditionals (a key counts only if both branches set it) and module
 * parameters back to the callers that pass them.
 */
export function findFunctionAppSettings(files: BicepFile[]): FunctionAppSettings[] {
  return files.flatMap((file) =>
    descendants(file.root)
      .filter((node) => isFunctionApp(node, file))
      .map((resource) => {
        const declaration = toDeclaration(resource);
        const symbol = declaration?.name ?? '';
        const settings = new Map<string, SettingValue>();
        for (const source of settingSources(resource, symbol, file)) {
          for (const [key, value] of collectSettings(source, file, files, 0)) settings.set(key, value);
        }
        return { file, resource, symbol, settings };
      }),
  );
}

/**
 * A setting the app does not get: a finding of `check`, unless src/config.ts requires the setting in Azure
 * (requiredAppSettings), which the app-settings check reports, so that it is reported once.
 */
export function missingSettingFindings(
  app: FunctionAppSettings,
  setting: string,
  requiredAppSettings: readonly string[],
  check: string,
): Finding[] {
  if (requiredAppSettings.includes(setting)) return [];
  return [
    {
      file: app.file.displayPath,
      line: lineOf(app.resource),
      check,
      message: `function app ${app.symbol} does not set ${setting}`,
    },
  ];
}

/** The app's settings whose names mention a service (`service` matches the name) and look like a key or secret. */
export function keyLikeSettings(app: FunctionAppSettings, service: RegExp): [string, SettingValue][] {
  return [...app.settings].filter(([name]) => service.test(name) && looksLikeSecretName(name));
}

function isFunctionApp(node: Node, file: BicepFile): boolean {
  if (node.type !== 'resource_declaration') return false;
  const resourceType = (plainString(declarationTypeString(node)) ?? '').toLowerCase();
  if (!resourceType.startsWith('microsoft.web/sites@')) return false;
  const kind = traceStringLiteral(objectProperty(toDeclaration(node)?.value, 'kind'), file) ?? '';
  return kind.toLowerCase().includes('functionapp');
}

/** Expressions that hold app settings: siteConfig.appSettings, and `config` resources named appsettings. */
function settingSources(resource: Node, symbol: string, file: BicepFile): Node[] {
  const body = toDeclaration(resource)?.value;
  if (!body) return [];
  const sources: Node[] = [];
  const siteConfigSettings = objectProperty(
    objectProperty(objectProperty(body, 'properties'), 'siteConfig'),
    'appSettings',
  );
  if (siteConfigSettings) sources.push(siteConfigSettings);
  const nestedConfigs = nestedResources(body).filter((child) =>
    plainString(declarationTypeString(child))?.toLowerCase().startsWith('config'),
  );
  const topLevelConfigs = topLevelDeclarations(file.root)
    .filter(
      (d) =>
        d.kind === 'resource' &&
        (plainString(declarationTypeString(d.node)) ?? '').toLowerCase().startsWith('microsoft.web/sites/config@'),
    )
    .filter((d) => objectProperty(d.value, 'parent')?.text === symbol)
    .map((d) => d.node);
  for (const config of [...nestedConfigs, ...topLevelConfigs]) {
    const configBody = toDeclaration(config)?.value;
    if (traceStringLiteral(objectProperty(configBody, 'name'), file)?.toLowerCase() !== 'appsettings') continue;
    const properties = objectProperty(configBody, 'properties');
    if (properties) sources.push(properties);
  }
  return sources;
}

function collectSettings(node: Node, file: BicepFile, files: BicepFile[], depth: number): Map<string, SettingValue> {
  const found = new Map<string, SettingValue>();
  if (depth > 20) return found;
  if (node.type === 'object') {
    for (const entry of objectEntries(node)) found.set(entry.key, { node: entry.value, file });
  } else if (node.type === 'array') {
    for (const element of node.namedChildren) {
      const name = traceStringLiteral(objectProperty(element, 'name'), file);
      const value = objectProperty(element, 'value');
      if (name !== undefined && value) found.set(name, { node: value, file });
    }
  } else if (node.type === 'parenthesized_expression' && node.namedChildren[0]) {
    return collectSettings(node.namedChildren[0], file, files, depth + 1);
  } else if (node.type === 'ternary_expression') {
    return bothBranches(node, file, files, depth);
  } else if (node.type === 'identifier') {
    return collectFromSymbol(node.text, file, files, depth);
  } else {
    const call = callOf(node);
    if (call?.name === 'union') {
      for (const argument of call.args)
        for (const [key, value] of collectSettings(argument, file, files, depth + 1)) found.set(key, value);
    }
  }
  return found;
}

function bothBranches(node: Node, file: BicepFile, files: BicepFile[], depth: number): Map<string, SettingValue> {
  const consequence = node.childForFieldName('consequence');
  const alternative = node.childForFieldName('alternative');
  if (!consequence || !alternative) return new Map<string, SettingValue>();
  const whenTrue = collectSettings(consequence, file, files, depth + 1);
  const whenFalse = collectSettings(alternative, file, files, depth + 1);
  return new Map([...whenTrue].filter(([key]) => whenFalse.has(key)));
}

/** A variable's value, or for a parameter, what each module call passes (else its default). */
function collectFromSymbol(
  symbol: string,
  file: BicepFile,
  files: BicepFile[],
  depth: number,
): Map<string, SettingValue> {
  const declaration = topLevelDeclarations(file.root).find(
    (d) => (d.kind === 'var' || d.kind === 'param') && d.name === symbol,
  );
  if (!declaration) return new Map<string, SettingValue>();
  if (declaration.kind === 'var')
    return declaration.value
      ? collectSettings(declaration.value, file, files, depth + 1)
      : new Map<string, SettingValue>();
  const passed = modulesCalling(file, files).flatMap(({ caller, params }) => {
    const argument = objectProperty(params, symbol);
    return argument ? [collectSettings(argument, caller, files, depth + 1)] : [];
  });
  if (passed.length === 0)
    return declaration.value
      ? collectSettings(declaration.value, file, files, depth + 1)
      : new Map<string, SettingValue>();
  return passed.reduce((all, next) => new Map([...all].filter(([key]) => next.has(key))));
}
