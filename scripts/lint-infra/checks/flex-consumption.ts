import type { Node } from 'web-tree-sitter';

import { findFunctionAppSettings } from '../app-settings';
import { type BicepFile, lineOf } from '../bicep-file';
import {
  declarationTypeString,
  descendants,
  nestedResources,
  objectEntries,
  objectProperty,
  plainString,
  toDeclaration,
  topLevelDeclarations,
} from '../bicep-syntax';
import { resolveObject, traceStringLiteral } from '../bicep-values';
import type { Finding } from '../finding';

/**
 * Where Microsoft lists what Flex Consumption apps do not support: "Flex Consumption plan deprecations" in the Azure
 * Functions app settings reference. The two lists below are its table, as Microsoft first published it with the plan
 * (2024-04), with Microsoft's reason for each entry. The page may have grown since: compare, and add entries here.
 */
export const FLEX_DEPRECATIONS_SOURCE =
  'https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations';

/** Site properties (`properties.…` or `properties.siteConfig.…` of the site, or a `config` 'web' resource). */
export const FLEX_UNSUPPORTED_SITE_PROPERTIES: Readonly<Record<string, string>> = {
  ftpsState: 'FTPS not supported',
  use32BitWorkerProcess: '32-bit not supported',
  isReserved: 'not valid',
  IsXenon: 'not valid',
  windowsFxVersion: 'not valid',
  alwaysOn: 'not valid',
  preWarmedInstanceCount: 'renamed: always-ready instances, in properties.functionAppConfig.scaleAndConcurrency',
  functionAppScaleLimit: 'renamed as maximumInstanceCount',
  containerSize: 'renamed as instanceMemoryMB',
  javaVersion: 'replaced by version in properties.functionAppConfig.runtime',
  powerShellVersion: 'replaced by version in properties.functionAppConfig.runtime',
  netFrameworkVersion: 'replaced by version in properties.functionAppConfig.runtime',
  LinuxFxVersion: 'replaced by properties.functionAppConfig.runtime',
};

/** App settings. */
export const FLEX_UNSUPPORTED_APP_SETTINGS: Readonly<Record<string, string>> = {
  WEBSITE_NODE_DEFAULT_VERSION: 'replaced by version in properties.functionAppConfig.runtime',
  FUNCTIONS_EXTENSION_VERSION: 'set by the backend',
  FUNCTIONS_WORKER_RUNTIME: 'replaced by name in properties.functionAppConfig.runtime',
  FUNCTIONS_WORKER_RUNTIME_VERSION: 'replaced by version in properties.functionAppConfig.runtime',
  FUNCTIONS_MAX_HTTP_CONCURRENCY: "replaced by scale and concurrency's trigger section",
  FUNCTIONS_WORKER_PROCESS_COUNT: 'not valid',
  FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED: 'not valid',
  WEBSITE_CONTENTAZUREFILECONNECTIONSTRING: "replaced by functionAppConfig's deployment section",
  WEBSITE_CONTENTSHARE: "replaced by functionAppConfig's deployment section",
};

/**
 * No Flex Consumption site sets a property or app setting Microsoft lists as unsupported there (ARM refuses some,
 * e.g. error 51021 for ftpsState in some regions). A site is on Flex Consumption when it has
 * `properties.functionAppConfig`, which only Flex Consumption sites take. Names match without regard to case, as in
 * ARM.
 */
export function checkFlexConsumption(files: BicepFile[]): Finding[] {
  const flexSites = files.flatMap((file) =>
    descendants(file.root)
      .filter((node) => isFlexSite(node, file))
      .map((resource) => ({ file, resource })),
  );
  return [
    ...flexSites.flatMap(({ file, resource }) => sitePropertyFindings(file, resource)),
    ...appSettingFindings(files, new Set(flexSites.map(({ resource }) => resource))),
  ];
}

function isFlexSite(node: Node, file: BicepFile): boolean {
  if (node.type !== 'resource_declaration') return false;
  const resourceType = (plainString(declarationTypeString(node)) ?? '').toLowerCase();
  if (!resourceType.startsWith('microsoft.web/sites@')) return false;
  const properties = resolveObject(objectProperty(toDeclaration(node)?.value, 'properties'), file);
  return objectProperty(properties, 'functionAppConfig') !== undefined;
}

function sitePropertyFindings(file: BicepFile, site: Node): Finding[] {
  const declaration = toDeclaration(site);
  const symbol = declaration?.name ?? 'site';
  const properties = resolveObject(objectProperty(declaration?.value, 'properties'), file);
  const siteConfig = resolveObject(objectProperty(properties, 'siteConfig'), file);
  const places: { prefix: string; object: Node | undefined }[] = [
    { prefix: 'properties', object: properties },
    { prefix: 'siteConfig', object: siteConfig },
    ...webConfigs(file, site, symbol).map((object) => ({ prefix: "config 'web'", object })),
  ];
  return places.flatMap(({ prefix, object }) =>
    (object ? objectEntries(object) : []).flatMap((entry) => {
      const reason = lookUp(FLEX_UNSUPPORTED_SITE_PROPERTIES, entry.key);
      return reason === undefined
        ? []
        : [finding(file, entry.keyNode, `Flex Consumption site ${symbol} sets ${prefix}.${entry.key}`, reason)];
    }),
  );
}

/** The properties of `config` resources named 'web' on the site: nested in it, or top-level with it as parent. */
function webConfigs(file: BicepFile, site: Node, symbol: string): Node[] {
  const body = toDeclaration(site)?.value;
  const nested = body ? nestedResources(body) : [];
  const topLevel = topLevelDeclarations(file.root)
    .filter((d) => d.kind === 'resource' && objectProperty(d.value, 'parent')?.text === symbol)
    .map((d) => d.node);
  return [...nested, ...topLevel].flatMap((config) => {
    const configType = (plainString(declarationTypeString(config)) ?? '').toLowerCase();
    if (!configType.startsWith('config') && !configType.startsWith('microsoft.web/sites/config@')) return [];
    const configBody = toDeclaration(config)?.value;
    if (traceStringLiteral(objectProperty(configBody, 'name'), file)?.toLowerCase() !== 'web') return [];
    const properties = resolveObject(objectProperty(configBody, 'properties'), file);
    return properties ? [properties] : [];
  });
}

function appSettingFindings(files: BicepFile[], flexSites: Set<Node>): Finding[] {
  return findFunctionAppSettings(files)
    .filter((app) => flexSites.has(app.resource))
    .flatMap((app) =>
      [...app.settings].flatMap(([name, value]) => {
        const reason = lookUp(FLEX_UNSUPPORTED_APP_SETTINGS, name);
        if (reason === undefined) return [];
        // The setting's value sits in the file that sets it; its key is on the same line.
        return [
          finding(value.file, value.node, `Flex Consumption site ${app.symbol} sets app setting ${name}`, reason),
        ];
      }),
    );
}

function lookUp(list: Readonly<Record<string, string>>, name: string): string | undefined {
  const key = Object.keys(list).find((listed) => listed.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : list[key];
}

function finding(file: BicepFile, node: Node, what: string, reason: string): Finding {
  return {
    file: file.displayPath,
    line: lineOf(node),
    check: 'flex-consumption',
    message: `${what}, which Flex Consumption does not support (${reason}; ${FLEX_DEPRECATIONS_SOURCE})`,
  };
}
