import type { Node } from 'web-tree-sitter';

import {
  findFunctionAppSettings,
  type FunctionAppSettings,
  keyLikeSettings,
  missingSettingFindings,
} from '../app-settings';
import { type BicepFile, lineOf } from '../bicep-file';
import { type ModuleOutput, moduleOutputOf, moduleTarget, sameModule } from '../bicep-modules';
import {
  descendants,
  isConditional,
  isExistingResource,
  objectProperty,
  resourceTypeOf,
  toDeclaration,
  topLevelDeclarations,
} from '../bicep-syntax';
import { traceStringLiteral } from '../bicep-values';
import { BUILT_IN_ROLES } from '../built-in-roles';
import type { Finding } from '../finding';
import { appIdentity, describeIdentity, unknownIdentityMessage } from '../role-grants';
import { deployedWebPubSubs, isWebPubSub, type WebPubSubResource } from './web-pubsub';

const SERVICE_OWNER = 'Web PubSub Service Owner';
/** App settings the backend reads to reach Web PubSub: where it is, and the hub it sends to. */
export const WEB_PUBSUB_SETTINGS = ['WEBPUBSUB_ENDPOINT', 'WEBPUBSUB_HUB'] as const;

/**
 * The function app reaches the Web PubSub resource without a key: WEBPUBSUB_ENDPOINT and WEBPUBSUB_HUB come from the
 * outputs of the module that deploys it; no Web PubSub app setting is named like a key or connection string; and the
 * identity the app signs in as (the module output its AZURE_CLIENT_ID comes from, which DefaultAzureCredential uses)
 * holds Web PubSub Service Owner on that resource, unconditionally. A missing setting that src/config.ts requires
 * (requiredAppSettings) is left to the app-settings check, so that it is reported once.
 */
export function checkWebPubSubAccess(files: BicepFile[], requiredAppSettings: readonly string[]): Finding[] {
  const deployed = deployedWebPubSubs(files);
  if (deployed.length === 0) return []; // the web-pubsub check reports that
  return findFunctionAppSettings(files).flatMap((app) => [
    ...WEB_PUBSUB_SETTINGS.flatMap((setting) => settingFindings(app, setting, files, requiredAppSettings)),
    ...keySettingFindings(app),
    ...deployed.flatMap((webPubSub) => roleFindings(app, webPubSub, files)),
  ]);
}

function settingFindings(
  app: FunctionAppSettings,
  setting: string,
  files: BicepFile[],
  requiredAppSettings: readonly string[],
): Finding[] {
  const value = app.settings.get(setting);
  if (!value) return missingSettingFindings(app, setting, requiredAppSettings, 'web-pubsub');
  const origin = moduleOutputOf(value.node, value.file, files);
  if (origin && deploysWebPubSub(origin, files)) return [];
  return [
    finding(
      value.file,
      value.node,
      `${setting} does not come from an output of the module that deploys the Web PubSub resource`,
    ),
  ];
}

function keySettingFindings(app: FunctionAppSettings): Finding[] {
  return keyLikeSettings(app, /web_?pub_?sub/i).map(([name, value]) =>
    finding(
      value.file,
      value.node,
      `function app ${app.symbol} sets ${name}, a Web PubSub key or connection string; its access keys are ` +
        'disabled: use WEBPUBSUB_ENDPOINT and the managed identity',
    ),
  );
}

function roleFindings(app: FunctionAppSettings, webPubSub: WebPubSubResource, files: BicepFile[]): Finding[] {
  const identity = appIdentity(app, files);
  if (!identity) {
    return [finding(app.file, app.resource, unknownIdentityMessage(app, `${SERVICE_OWNER} on ${webPubSub.symbol}`))];
  }
  const granted = files.some((file) =>
    descendants(file.root).some(
      (node) => isServiceOwnerAssignment(node, file) && grantsTo(node, file, files, identity, webPubSub),
    ),
  );
  if (granted) return [];
  return [
    finding(
      webPubSub.file,
      webPubSub.node,
      `no unconditional role assignment gives ${SERVICE_OWNER} on ${webPubSub.symbol} to the identity of function ` +
        `app ${app.symbol} (${describeIdentity(identity)})`,
    ),
  ];
}

function isServiceOwnerAssignment(node: Node, file: BicepFile): boolean {
  if (resourceTypeOf(node) !== 'microsoft.authorization/roleassignments' || isConditional(node)) return false;
  const roleDefinitionId = objectProperty(objectProperty(toDeclaration(node)?.value, 'properties'), 'roleDefinitionId');
  const roleId = traceStringLiteral(roleDefinitionId, file)?.split('/').at(-1)?.toLowerCase();
  return BUILT_IN_ROLES.some((role) => role.name === SERVICE_OWNER && role.id === roleId);
}

/** The assignment's principal is `identity`, and its scope is `webPubSub` (or an `existing` reference to it). */
function grantsTo(
  assignment: Node,
  file: BicepFile,
  files: BicepFile[],
  identity: ModuleOutput,
  webPubSub: WebPubSubResource,
): boolean {
  const body = toDeclaration(assignment)?.value;
  const principal = moduleOutputOf(objectProperty(objectProperty(body, 'properties'), 'principalId'), file, files);
  if (!principal || !sameModule(principal, identity)) return false;
  const scopeSymbol = objectProperty(body, 'scope')?.text;
  const scope = topLevelDeclarations(file.root).find((d) => d.kind === 'resource' && d.name === scopeSymbol);
  if (!scope || !isWebPubSub(scope.node)) return false;
  if (!isExistingResource(scope.node)) return scope.node.equals(webPubSub.node);
  const origin = moduleOutputOf(objectProperty(scope.value, 'name'), file, files);
  return origin !== undefined && moduleTarget(origin.caller, origin.module, files) === webPubSub.file;
}

function deploysWebPubSub(origin: ModuleOutput, files: BicepFile[]): boolean {
  const target = moduleTarget(origin.caller, origin.module, files);
  return target !== undefined && deployedWebPubSubs([target]).length > 0;
}

function finding(file: BicepFile, node: Node, message: string): Finding {
  return { file: file.displayPath, line: lineOf(node), check: 'web-pubsub', message };
}
