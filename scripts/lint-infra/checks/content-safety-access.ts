import type { Node } from 'web-tree-sitter';

import {
  findFunctionAppSettings,
  type FunctionAppSettings,
  keyLikeSettings,
  missingSettingFindings,
} from '../app-settings';
import { type BicepFile, lineOf } from '../bicep-file';
import { isOutputOf } from '../bicep-resources';
import type { Finding } from '../finding';
import { appRoleFindings, type RoleGrant, roleGrants } from '../role-grants';
import { type ContentSafetyAccount, deployedContentSafetyAccounts } from './content-safety';

/** The app setting the backend reads to reach Content Safety: the account's endpoint. */
export const CONTENT_SAFETY_ENDPOINT = 'CONTENT_SAFETY_ENDPOINT';
/** The built-in role Learn documents for Entra ID callers of Content Safety (text analysis and blocklists). */
const USER = 'Cognitive Services User';

/**
 * The function app reaches Content Safety without a key: CONTENT_SAFETY_ENDPOINT is the `properties.endpoint` of a
 * deployed Content Safety account, an output of the module that deploys it (the custom subdomain endpoint, which is the
 * one Entra ID works with); no Content Safety setting is named like a key; and the identity the app signs in as (its
 * AZURE_CLIENT_ID) holds Cognitive Services User on that account, unconditionally and scoped to the account itself. A
 * missing setting that src/config.ts requires is left to the app-settings check, so that it is reported once.
 */
export function checkContentSafetyAccess(files: BicepFile[], requiredAppSettings: readonly string[]): Finding[] {
  const accounts = deployedContentSafetyAccounts(files);
  if (accounts.length === 0) return []; // the content-safety check reports that
  const grants = roleGrants(files);
  return findFunctionAppSettings(files).flatMap((app) => {
    const account = endpointAccount(app, accounts, files);
    return [
      ...endpointFindings(app, account, requiredAppSettings),
      ...keySettingFindings(app),
      ...(account ? roleFindings(app, account, grants, files) : []),
    ];
  });
}

/** The account whose endpoint CONTENT_SAFETY_ENDPOINT is, if it is one. */
function endpointAccount(
  app: FunctionAppSettings,
  accounts: ContentSafetyAccount[],
  files: BicepFile[],
): ContentSafetyAccount | undefined {
  const value = app.settings.get(CONTENT_SAFETY_ENDPOINT);
  return value && accounts.find((account) => isOutputOf(value.node, value.file, files, account, 'properties.endpoint'));
}

function endpointFindings(
  app: FunctionAppSettings,
  account: ContentSafetyAccount | undefined,
  requiredAppSettings: readonly string[],
): Finding[] {
  const value = app.settings.get(CONTENT_SAFETY_ENDPOINT);
  if (!value) return missingSettingFindings(app, CONTENT_SAFETY_ENDPOINT, requiredAppSettings, 'content-safety');
  if (account) return [];
  return [
    finding(
      value.file,
      value.node,
      `${CONTENT_SAFETY_ENDPOINT} does not come from a module output of \`<account>.properties.endpoint\` for a ` +
        'Content Safety account the Bicep deploys',
    ),
  ];
}

function keySettingFindings(app: FunctionAppSettings): Finding[] {
  return keyLikeSettings(app, /content_?safety/i).map(([name, value]) =>
    finding(
      value.file,
      value.node,
      `function app ${app.symbol} sets ${name}, a Content Safety key; its keys are disabled: use ` +
        `${CONTENT_SAFETY_ENDPOINT} and the managed identity`,
    ),
  );
}

function roleFindings(
  app: FunctionAppSettings,
  account: ContentSafetyAccount,
  grants: RoleGrant[],
  files: BicepFile[],
): Finding[] {
  const consequence = 'without it the app cannot call Content Safety';
  return appRoleFindings(app, account, USER, grants, files, consequence, 'content-safety');
}

function finding(file: BicepFile, node: Node, message: string): Finding {
  return { file: file.displayPath, line: lineOf(node), check: 'content-safety', message };
}
