import type { Node } from 'web-tree-sitter';

import { type BicepFile, lineOf } from '../bicep-file';
import {
  resourceProperties,
  type ResourceRef,
  resourcesReferenced,
  sameResource,
  valueLeaves,
} from '../bicep-resources';
import { descendants, isExistingResource, objectProperty, resourceTypeOf, toDeclaration } from '../bicep-syntax';
import { absenceFinding, type Finding } from '../finding';

const ALERT_TYPES = new Set([
  'microsoft.insights/scheduledqueryrules',
  'microsoft.insights/metricalerts',
  'microsoft.insights/activitylogalerts',
]);
const ACTION_GROUPS = 'microsoft.insights/actiongroups';

/** The runbook alerts are matched against: its display path (for findings) and text, or undefined when missing. */
export interface Runbook {
  displayPath: string;
  text: string | undefined;
}

/**
 * Every alert rule the Bicep deploys (scheduled query, metric and activity log alerts) has a runbook entry: a
 * heading in docs/operations.md that is the rule's name less its interpolations (`'${namePrefix}-5xx-rate'` →
 * `5xx-rate`), and notifies an action group the Bicep deploys (its `.id` in the rule's `actions`). There must be an
 * action group.
 */
export function checkAlerts(files: BicepFile[], mainBicep: BicepFile, runbook: Runbook): Finding[] {
  const alerts = deployed(files, (type) => ALERT_TYPES.has(type));
  if (alerts.length === 0) return [];
  const actionGroups = deployed(files, (type) => type === ACTION_GROUPS);
  const headings = runbookHeadings(runbook.text);
  return [
    ...(runbook.text === undefined
      ? [
          {
            file: runbook.displayPath,
            line: 1,
            check: 'alerts',
            message: 'the runbook is missing: every alert rule needs an entry in it',
          },
        ]
      : []),
    ...(actionGroups.length === 0
      ? [absenceFinding(mainBicep, 'alerts', 'no Microsoft.Insights/actionGroups resource: alert rules notify nobody')]
      : []),
    ...alerts.flatMap((alert) => [
      ...runbookFindings(alert, headings, runbook),
      ...(actionGroups.length === 0 ? [] : actionGroupFindings(alert, actionGroups, files)),
    ]),
  ];
}

/** An alert rule's key in the runbook: its `name` less `${…}` interpolations and the dashes around them. */
export function alertKey(alert: ResourceRef): string | undefined {
  const name = objectProperty(toDeclaration(alert.node)?.value, 'name');
  if (name?.type !== 'string') return undefined;
  const literal = name.text
    .slice(1, -1)
    .replace(/\$\{[^}]*\}/g, ' ')
    .split(/\s+/)
    .map((part) => part.replace(/^-+|-+$/g, ''))
    .filter((part) => part.length > 0)
    .join('-');
  return literal.length > 0 ? literal : undefined;
}

function runbookHeadings(text: string | undefined): Set<string> {
  if (text === undefined) return new Set();
  return new Set(
    [...text.matchAll(/^#{2,6}\s+(.+?)\s*#*\s*$/gm)].map((match) => (match[1] ?? '').replace(/`/g, '').trim()),
  );
}

interface DeployedAlert extends ResourceRef {
  symbol: string;
}

function runbookFindings(alert: DeployedAlert, headings: Set<string>, runbook: Runbook): Finding[] {
  if (runbook.text === undefined) return [];
  const key = alertKey(alert);
  if (key === undefined) {
    return [
      finding(
        alert,
        alert.node,
        `alert rule ${alert.symbol} has no literal part in its name to find its runbook entry by`,
      ),
    ];
  }
  if (headings.has(key)) return [];
  return [
    finding(
      alert,
      alert.node,
      `alert rule ${alert.symbol} (${key}) has no runbook entry: add a "## ${key}" section to ${runbook.displayPath} ` +
        '(what it means, a KQL query to confirm it, what to do)',
    ),
  ];
}

function actionGroupFindings(alert: DeployedAlert, actionGroups: DeployedAlert[], files: BicepFile[]): Finding[] {
  const actions = objectProperty(resourceProperties(alert), 'actions');
  const used = valueLeaves(actions, alert.file, files).flatMap((leaf) => {
    if (leaf.node.type !== 'object') return resourcesReferenced(leaf.node, leaf.file, files, 'id');
    return ['actionGroups', 'actionGroupId'].flatMap((key) =>
      resourcesReferenced(objectProperty(leaf.node, key), leaf.file, files, 'id'),
    );
  });
  if (used.some((group) => actionGroups.some((deployedGroup) => sameResource(group, deployedGroup)))) return [];
  return [
    finding(
      alert,
      actions ?? alert.node,
      `alert rule ${alert.symbol} notifies no action group the Bicep deploys (its .id in properties.actions)`,
    ),
  ];
}

function deployed(files: BicepFile[], matches: (type: string) => boolean): DeployedAlert[] {
  return files.flatMap((file) =>
    descendants(file.root)
      .filter(
        (node) => node.type === 'resource_declaration' && matches(resourceTypeOf(node)) && !isExistingResource(node),
      )
      .map((node) => ({ file, node, symbol: toDeclaration(node)?.name ?? 'resource' })),
  );
}

function finding(alert: ResourceRef, node: Node, message: string): Finding {
  return { file: alert.file.displayPath, line: lineOf(node), check: 'alerts', message };
}
