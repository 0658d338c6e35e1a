import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { METRICS } from '../../src/telemetry/catalogue';
import { type BicepFile, displayPathOf, loadBicepFiles } from './bicep-file';
import { loadBicepParser } from './bicep-parser';
import { checkAlerts } from './checks/alerts';
import { checkAttachments } from './checks/attachments';
import { checkAttachmentsAccess } from './checks/attachments-access';
import { checkContentSafety } from './checks/content-safety';
import { checkContentSafetyAccess } from './checks/content-safety-access';
import { checkEmail } from './checks/email';
import { checkEmailAccess } from './checks/email-access';
import { checkEventSubscriptions } from './checks/event-subscriptions';
import { checkFlexConsumption } from './checks/flex-consumption';
import { checkHostJson } from './checks/host-json';
import { checkModulePaths } from './checks/module-paths';
import { checkParameterDefaults } from './checks/parameter-defaults';
import { checkParameters } from './checks/parameters';
import { checkPreviewApiVersions } from './checks/preview-api-versions';
import { checkRequiredAppSettings } from './checks/required-app-settings';
import { checkRoleAssignments } from './checks/role-assignments';
import { checkSecretOutputs } from './checks/secret-outputs';
import { checkSecretSources } from './checks/secret-sources';
import { checkSyntax } from './checks/syntax';
import { checkWebPubSub } from './checks/web-pubsub';
import { checkWebPubSubAccess } from './checks/web-pubsub-access';
import { checkWorkbook } from './checks/workbook';
import type { Finding } from './finding';
import type { ParametersFile } from './parameters-file';

export interface LintInfraOptions {
  /** Folder holding main.bicep, main.parameters.json and the modules. */
  infraDir: string;
  /** App settings the Bicep must set on the function app (AZURE_REQUIRED_SETTINGS). */
  requiredAppSettings: readonly string[];
  /** Findings show paths relative to this folder (default: the current directory). */
  displayBase?: string;
  /** The runbook every alert rule needs an entry in (default: docs/operations.md next to the infra folder). */
  runbookPath?: string;
  /** The Functions host.json, which must set telemetryMode OpenTelemetry (default: host.json beside infra/). */
  hostJsonPath?: string;
  /** Metric names the workbook must chart (default: those of METRICS in src/telemetry/catalogue.ts). */
  metricNames?: readonly string[];
}

/** Runs every infra check and returns the findings, sorted by file and line. */
export async function lintInfra(options: LintInfraOptions): Promise<Finding[]> {
  const infraDir = path.resolve(options.infraDir);
  const displayBase = path.resolve(options.displayBase ?? process.cwd());
  const files = await loadBicepFiles(infraDir, await loadBicepParser(), displayBase);
  const mainPath = path.join(infraDir, 'main.bicep');
  const mainBicep = files.find((file) => file.absolutePath === mainPath);
  if (!mainBicep) {
    return [{ file: displayPathOf(mainPath, displayBase), line: 1, check: 'layout', message: 'main.bicep not found' }];
  }
  const parametersPath = path.join(infraDir, 'main.parameters.json');
  const parametersText = await readFile(parametersPath, 'utf8').catch(() => undefined);
  const parametersDisplayPath = displayPathOf(parametersPath, displayBase);
  const runbookPath = path.resolve(options.runbookPath ?? path.join(infraDir, '..', 'docs', 'operations.md'));
  const runbook = {
    displayPath: displayPathOf(runbookPath, displayBase),
    text: await readFile(runbookPath, 'utf8').catch(() => undefined),
  };
  const hostJsonPath = path.resolve(options.hostJsonPath ?? path.join(infraDir, '..', 'host.json'));
  const hostJson = {
    displayPath: displayPathOf(hostJsonPath, displayBase),
    text: await readFile(hostJsonPath, 'utf8').catch(() => undefined),
  };
  const metricNames = options.metricNames ?? Object.values(METRICS).map((metric) => metric.name);

  const findings: Finding[] = [
    ...files.flatMap((file) => [
      ...checkSyntax(file),
      ...checkPreviewApiVersions(file),
      ...checkSecretSources(file),
      ...checkSecretOutputs(file),
      ...checkRoleAssignments(file),
    ]),
    ...(await checkModulePaths(files)),
    ...(parametersText === undefined
      ? [
          {
            file: parametersDisplayPath,
            line: 1,
            check: 'layout',
            message: 'main.parameters.json not found',
          },
        ]
      : checkParametersFile(mainBicep, { displayPath: parametersDisplayPath, text: parametersText })),
    ...checkRequiredAppSettings(files, options.requiredAppSettings, mainBicep),
    ...checkEventSubscriptions(files, mainBicep),
    ...checkFlexConsumption(files),
    ...checkWebPubSub(files, mainBicep),
    ...checkWebPubSubAccess(files, options.requiredAppSettings),
    ...checkAttachments(files),
    ...checkAttachmentsAccess(files, options.requiredAppSettings),
    ...checkContentSafety(files, mainBicep),
    ...checkContentSafetyAccess(files, options.requiredAppSettings),
    ...checkEmail(files, mainBicep),
    ...checkEmailAccess(files, options.requiredAppSettings),
    ...checkAlerts(files, mainBicep, runbook),
    ...checkWorkbook(files, mainBicep, metricNames),
    ...checkHostJson(hostJson),
  ];
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

function checkParametersFile(mainBicep: BicepFile, parametersFile: ParametersFile): Finding[] {
  return [...checkParameters(mainBicep, parametersFile), ...checkParameterDefaults(mainBicep, parametersFile)];
}
