import type { Node } from 'web-tree-sitter';

import { type BicepFile, lineOf } from '../bicep-file';
import { notBooleanLiteral, resourceProperties, type ResourceRef } from '../bicep-resources';
import {
  descendants,
  isExistingResource,
  objectProperty,
  plainString,
  resourceTypeOf,
  toDeclaration,
} from '../bicep-syntax';
import { traceStringLiteral } from '../bicep-values';
import { absenceFinding, type Finding } from '../finding';

const COGNITIVE_SERVICES_ACCOUNTS = 'microsoft.cognitiveservices/accounts';
const CONTENT_SAFETY_KIND = 'ContentSafety';

/** A Content Safety account the Bicep deploys (not an `existing` reference to one). */
export interface ContentSafetyAccount extends ResourceRef {
  symbol: string;
}

/** Microsoft.CognitiveServices/accounts resources of kind ContentSafety (the kind written as a literal or variable). */
export function deployedContentSafetyAccounts(files: BicepFile[]): ContentSafetyAccount[] {
  return files.flatMap((file) =>
    descendants(file.root)
      .filter((node) => isContentSafetyAccount(node, file) && !isExistingResource(node))
      .map((node) => ({ file, node, symbol: toDeclaration(node)?.name ?? 'contentSafety' })),
  );
}

export function isCognitiveServicesAccount(node: Node): boolean {
  return resourceTypeOf(node) === COGNITIVE_SERVICES_ACCOUNTS;
}

function isContentSafetyAccount(node: Node, file: BicepFile): boolean {
  if (!isCognitiveServicesAccount(node)) return false;
  const kind = traceStringLiteral(objectProperty(toDeclaration(node)?.value, 'kind'), file);
  return kind?.toLowerCase() === CONTENT_SAFETY_KIND.toLowerCase();
}

/**
 * Azure AI Content Safety is keyless. The Bicep deploys a Microsoft.CognitiveServices/accounts resource of kind
 * ContentSafety; each sets `disableLocalAuth: true`, written as a literal, so that its keys are refused and only Entra
 * ID tokens are accepted; and each sets a `customSubDomainName` that is not empty, without which the account takes no
 * Entra ID tokens at all (Learn, "Custom subdomain names"). Reading a key (`listKeys()`) or outputting one is the
 * no-secrets and secret-output checks' finding, for this account as for any resource.
 */
export function checkContentSafety(files: BicepFile[], mainBicep: BicepFile): Finding[] {
  const deployed = deployedContentSafetyAccounts(files);
  if (deployed.length === 0) {
    const message = `no Microsoft.CognitiveServices/accounts resource of kind ${CONTENT_SAFETY_KIND}: the backend checks messages with one`;
    return [absenceFinding(mainBicep, 'content-safety', message)];
  }
  return deployed.flatMap((account) => [...localAuthFindings(account), ...subdomainFindings(account)]);
}

function localAuthFindings(account: ContentSafetyAccount): Finding[] {
  const wrong = notBooleanLiteral(account, 'disableLocalAuth', true);
  if (!wrong) return [];
  return [
    finding(
      account.file,
      wrong,
      `${account.symbol} does not set properties.disableLocalAuth: true (a literal): its keys would work; the app ` +
        'reaches Content Safety with its managed identity only',
    ),
  ];
}

function subdomainFindings(account: ContentSafetyAccount): Finding[] {
  const subdomain = objectProperty(resourceProperties(account), 'customSubDomainName');
  if (subdomain && plainString(subdomain) !== '') return [];
  return [
    finding(
      account.file,
      subdomain ?? account.node,
      `${account.symbol} does not set properties.customSubDomainName: without a custom subdomain the account ` +
        'accepts no Entra ID token, only its keys',
    ),
  ];
}

function finding(file: BicepFile, node: Node, message: string): Finding {
  return { file: file.displayPath, line: lineOf(node), check: 'content-safety', message };
}
