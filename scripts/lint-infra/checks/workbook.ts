import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Node } from 'web-tree-sitter';

import { type BicepFile, lineOf } from '../bicep-file';
import { moduleTarget } from '../bicep-modules';
import { resourceProperties } from '../bicep-resources';
import {
  callOf,
  descendants,
  isExistingResource,
  objectProperty,
  plainString,
  resourceTypeOf,
  toDeclaration,
  topLevelDeclarations,
} from '../bicep-syntax';
import { evaluate, UNKNOWN, valueOfVariable } from '../bicep-values';
import { absenceFinding, type Finding } from '../finding';

const WORKBOOKS = 'microsoft.insights/workbooks';

interface DeployedWorkbook {
  file: BicepFile;
  node: Node;
  symbol: string;
}

/**
 * The chat metrics have a workbook: main.bicep deploys (itself or through its modules) a Microsoft.Insights/workbooks
 * resource of category 'workbook' whose serializedData, written out in the Bicep or loaded from a file
 * (`loadTextContent`, `loadJsonContent`, through `replace()` and variables), is workbook JSON with a query naming each
 * metric in METRICS (src/telemetry/catalogue.ts), so that a metric added to the catalogue gets a chart.
 */
export function checkWorkbook(files: BicepFile[], mainBicep: BicepFile, metricNames: readonly string[]): Finding[] {
  const deployedFiles = filesDeployedBy(mainBicep, files);
  const workbooks = files.flatMap((file) =>
    descendants(file.root)
      .filter((node) => resourceTypeOf(node) === WORKBOOKS && !isExistingResource(node))
      .map((node) => ({ file, node, symbol: toDeclaration(node)?.name ?? 'workbook' })),
  );
  const deployed = workbooks.filter((workbook) => deployedFiles.has(workbook.file.absolutePath));
  if (deployed.length === 0) {
    const [undeployed] = workbooks;
    return [
      undeployed
        ? finding(
            undeployed.file,
            undeployed.node,
            `workbook ${undeployed.symbol} is in a file main.bicep does not deploy (no module path leads to it): ` +
              'the chat metrics have no workbook',
          )
        : absenceFinding(
            mainBicep,
            'workbook',
            'no Microsoft.Insights/workbooks resource: the chat metrics have no workbook',
          ),
    ];
  }
  return deployed.flatMap((workbook) => [...categoryFindings(workbook), ...contentFindings(workbook, metricNames)]);
}

/** main.bicep and every file a module declaration in a deployed file points at, transitively. */
function filesDeployedBy(mainBicep: BicepFile, files: BicepFile[]): Set<string> {
  const deployed = new Set([mainBicep.absolutePath]);
  const queue = [mainBicep];
  for (let file = queue.shift(); file; file = queue.shift()) {
    for (const module of topLevelDeclarations(file.root).filter((declaration) => declaration.kind === 'module')) {
      const target = moduleTarget(file, module, files);
      if (target && !deployed.has(target.absolutePath)) {
        deployed.add(target.absolutePath);
        queue.push(target);
      }
    }
  }
  return deployed;
}

function categoryFindings(workbook: DeployedWorkbook): Finding[] {
  const category = objectProperty(resourceProperties(workbook), 'category');
  if (plainString(category) === 'workbook') return [];
  return [
    finding(
      workbook.file,
      category ?? workbook.node,
      `workbook ${workbook.symbol} does not set properties.category: 'workbook' (a literal): the portal lists it ` +
        'among workbooks only then',
    ),
  ];
}

function contentFindings(workbook: DeployedWorkbook, metricNames: readonly string[]): Finding[] {
  const serializedData = objectProperty(resourceProperties(workbook), 'serializedData');
  if (!serializedData) {
    return [finding(workbook.file, workbook.node, `workbook ${workbook.symbol} has no properties.serializedData`)];
  }
  const text = textOf(serializedData, workbook.file);
  if (text === undefined) {
    return [
      finding(
        workbook.file,
        serializedData,
        `workbook ${workbook.symbol}: serializedData is neither written out in the Bicep nor loaded from a file ` +
          '(loadTextContent, loadJsonContent), so lint:infra cannot see which metrics it shows',
      ),
    ];
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    return [
      finding(
        workbook.file,
        serializedData,
        `workbook ${workbook.symbol}: serializedData is not JSON (${(error as Error).message})`,
      ),
    ];
  }
  const queries = queriesOf(content);
  const missing = metricNames.filter((name) => !queries.some((query) => namesMetric(query, name)));
  if (missing.length === 0) return [];
  return [
    finding(
      workbook.file,
      serializedData,
      `workbook ${workbook.symbol} has no query for ${missing.join(', ')} (METRICS in src/telemetry/catalogue.ts): ` +
        'add a chart for each',
    ),
  ];
}

/**
 * The text a serializedData expression stands for: string literals, variables, `loadTextContent`/`loadJsonContent`
 * of a literal path (read relative to the Bicep file, as Bicep does), `replace(text, literal, literal)` (a replacement
 * known only at deployment, such as a resource id, leaves the text as it is) and `string()` of a value written out.
 */
function textOf(node: Node | null | undefined, file: BicepFile, depth = 0): string | undefined {
  if (!node || depth > 20) return undefined;
  const literal = plainString(node);
  if (literal !== undefined) return literal;
  if (node.type === 'parenthesized_expression') return textOf(node.namedChildren[0], file, depth + 1);
  if (node.type === 'identifier') return textOf(valueOfVariable(file, node.text), file, depth + 1);
  const call = callOf(node);
  if (!call) return undefined;
  const [first, search, replacement] = call.args;
  switch (call.name) {
    case 'loadTextContent':
    case 'loadJsonContent': {
      const relativePath = plainString(first);
      if (relativePath === undefined) return undefined;
      try {
        return readFileSync(path.resolve(path.dirname(file.absolutePath), relativePath), 'utf8');
      } catch {
        return undefined;
      }
    }
    case 'replace': {
      const text = textOf(first, file, depth + 1);
      const from = plainString(search);
      const to = plainString(replacement);
      return text !== undefined && from !== undefined && to !== undefined ? text.split(from).join(to) : text;
    }
    case 'string': {
      const value = evaluate(first, file);
      return value === UNKNOWN ? textOf(first, file, depth + 1) : JSON.stringify(value);
    }
    default:
      return undefined;
  }
}

/** Every `query` string of the workbook's items, groups included. */
function queriesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(queriesOf);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === 'query' && typeof inner === 'string' ? [inner] : queriesOf(inner),
  );
}

/** `chat.event.lag` in a query, not as part of a longer name such as `chat.event.lag_ms`. */
function namesMetric(query: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.])${escaped}(?![\\w.])`).test(query);
}

function finding(file: BicepFile, node: Node, message: string): Finding {
  return { file: file.displayPath, line: lineOf(node), check: 'workbook', message };
}
