import type { Node } from 'web-tree-sitter';

import { type BicepFile, lineOf } from '../bicep-file';
import { notBooleanLiteral } from '../bicep-resources';
import {
  descendants,
  isExistingResource,
  nestedResources,
  objectProperty,
  plainString,
  resourceTypeOf,
  toDeclaration,
} from '../bicep-syntax';
import { resolveObject } from '../bicep-values';
import { absenceFinding, type Finding } from '../finding';

const WEB_PUBSUB = 'microsoft.signalrservice/webpubsub';
const HUBS = `${WEB_PUBSUB}/hubs`;

/** A Web PubSub resource the Bicep deploys (not an `existing` reference to one). */
export interface WebPubSubResource {
  file: BicepFile;
  node: Node;
  symbol: string;
}

export function deployedWebPubSubs(files: BicepFile[]): WebPubSubResource[] {
  return files.flatMap((file) =>
    descendants(file.root)
      .filter((node) => resourceTypeOf(node) === WEB_PUBSUB && !isExistingResource(node))
      .map((node) => ({ file, node, symbol: toDeclaration(node)?.name ?? 'webPubSub' })),
  );
}

export function isWebPubSub(node: Node): boolean {
  return resourceTypeOf(node) === WEB_PUBSUB;
}

/**
 * Web PubSub is keyless. The Bicep deploys one; each sets `disableLocalAuth: true`, written as a literal, so that
 * neither its access keys nor a connection string (nor a token signed with a key) is accepted, only Entra ID; each
 * hub sets `anonymousConnectPolicy: 'Deny'`, so that a client connects only with a token the app gets from
 * `:generateToken`; and no Bicep string holds a Web PubSub connection string (`…;AccessKey=…`). Reading a key
 * (`listKeys()` or another list* function) is the no-secrets check's finding, for Web PubSub as for any resource.
 */
export function checkWebPubSub(files: BicepFile[], mainBicep: BicepFile): Finding[] {
  const deployed = deployedWebPubSubs(files);
  const missing =
    deployed.length === 0
      ? [
          absenceFinding(
            mainBicep,
            'web-pubsub',
            'no Microsoft.SignalRService/webPubSub resource: the backend pushes to its clients through one',
          ),
        ]
      : [];
  return [
    ...missing,
    ...deployed.flatMap(localAuthFinding),
    ...files.flatMap((file) => hubs(file).flatMap((hub) => anonymousConnectFinding(file, hub))),
    ...files.flatMap(connectionStringFindings),
  ];
}

function localAuthFinding({ file, node, symbol }: WebPubSubResource): Finding[] {
  const wrong = notBooleanLiteral({ file, node }, 'disableLocalAuth', true);
  if (!wrong) return [];
  return [
    finding(
      file,
      wrong,
      `${symbol} does not set properties.disableLocalAuth: true (a literal): its access keys and connection ` +
        'strings would work; the app reaches Web PubSub with its managed identity only',
    ),
  ];
}

/** Hub resources: nested `resource x 'hubs'` in a Web PubSub resource, or top-level `…/webPubSub/hubs`. */
function hubs(file: BicepFile): Node[] {
  const resources = descendants(file.root).filter((node) => node.type === 'resource_declaration');
  const nested = resources
    .filter(isWebPubSub)
    .flatMap((node) => {
      const body = toDeclaration(node)?.value;
      return body ? nestedResources(body) : [];
    })
    .filter((child) => resourceTypeOf(child) === 'hubs');
  const topLevel = resources.filter((node) => resourceTypeOf(node) === HUBS);
  return [...nested, ...topLevel].filter((hub) => !isExistingResource(hub));
}

function anonymousConnectFinding(file: BicepFile, hub: Node): Finding[] {
  const properties = resolveObject(objectProperty(toDeclaration(hub)?.value, 'properties'), file);
  const policy = objectProperty(properties, 'anonymousConnectPolicy');
  if (plainString(policy)?.toLowerCase() === 'deny') return [];
  return [
    finding(
      file,
      policy ?? hub,
      `hub ${toDeclaration(hub)?.name ?? ''} does not set properties.anonymousConnectPolicy: 'Deny': ` +
        'clients must connect with a token the app gets from :generateToken',
    ),
  ];
}

function connectionStringFindings(file: BicepFile): Finding[] {
  return descendants(file.root)
    .filter((node) => node.type === 'string_content' && /AccessKey=/i.test(node.text))
    .map((node) =>
      finding(file, node, 'a string holds a Web PubSub connection string (AccessKey=…); use the endpoint and Entra ID'),
    );
}

function finding(file: BicepFile, node: Node, message: string): Finding {
  return { file: file.displayPath, line: lineOf(node), check: 'web-pubsub', message };
}
