import type { Node } from 'web-tree-sitter';

import {
  findFunctionAppSettings,
  type FunctionAppSettings,
  keyLikeSettings,
  missingSettingFindings,
  type SettingValue,
} from '../app-settings';
import { type BicepFile, lineOf } from '../bicep-file';
import { resourcesReferenced, sameResource, valueLeaves } from '../bicep-resources';
import { plainString } from '../bicep-syntax';
import type { Finding } from '../finding';
import { appRoleFindings, type RoleGrant, roleGrants } from '../role-grants';
import {
  communicationServicesLinking,
  deployedEmailDomains,
  deployedEmailServices,
  type EmailDomain,
  uniqueResources,
  unlinkedDomains,
} from './email';

/** The app setting the backend sends email from: DoNotReply@<a linked domain's mailFromSenderDomain>. */
export const EMAIL_SENDER = 'EMAIL_SENDER';
/** The domain property a sender address is made of (the RFC 5321 MAIL FROM domain, read-only, set by Azure). */
const SENDER_DOMAIN = 'properties.mailFromSenderDomain';
/**
 * The built-in role Learn names on the ACS resource for Entra ID senders of email (SMTP authentication quickstart); it
 * is also the one the app already holds for the Identity API.
 */
const OWNER = 'Communication and Email Service Owner';

/**
 * The function app sends email keylessly: EMAIL_SENDER is not written by hand but made of a deployed email domain's
 * `properties.mailFromSenderDomain` (through parameters and module outputs, in every branch), and every domain it may
 * name is linked by an ACS resource; no ACS or email app setting is named like a key or connection string (the app
 * reaches ACS Email through ACS_ENDPOINT); and the identity the app signs in as (its AZURE_CLIENT_ID) holds
 * Communication and Email Service Owner, unconditionally, on each ACS resource that links those domains. A missing
 * EMAIL_SENDER that src/config.ts requires is left to the app-settings check, so that it is reported once.
 */
export function checkEmailAccess(files: BicepFile[], requiredAppSettings: readonly string[]): Finding[] {
  if (deployedEmailServices(files).length === 0) return []; // the email check reports that
  const domains = deployedEmailDomains(files);
  const grants = roleGrants(files);
  return findFunctionAppSettings(files).flatMap((app) => {
    const value = app.settings.get(EMAIL_SENDER);
    const senderDomains = value ? domainsOfSender(value, domains, files) : [];
    return [
      ...(value
        ? senderFindings(value, senderDomains, files)
        : missingSettingFindings(app, EMAIL_SENDER, requiredAppSettings, 'email')),
      ...keySettingFindings(app),
      ...roleFindings(app, senderDomains, grants, files),
    ];
  });
}

/** The deployed email domains EMAIL_SENDER's domain part is taken from. */
function domainsOfSender(value: SettingValue, domains: EmailDomain[], files: BicepFile[]): EmailDomain[] {
  return resourcesReferenced(value.node, value.file, files, SENDER_DOMAIN).flatMap((resource) =>
    domains.filter((domain) => sameResource(domain, resource)),
  );
}

function senderFindings(value: SettingValue, senderDomains: EmailDomain[], files: BicepFile[]): Finding[] {
  const leaves = valueLeaves(value.node, value.file, files);
  const literal = leaves.find((leaf) => plainString(leaf.node) !== undefined);
  if (literal) {
    return [
      finding(
        literal.file,
        literal.node,
        `${EMAIL_SENDER} is written by hand (${literal.node.text}): make it an output of the email module, ` +
          `'<username>@\${<domain>.${SENDER_DOMAIN}}', so that it is always an address of a linked domain`,
      ),
    ];
  }
  const unresolved = leaves.filter(
    (leaf) => resourcesReferenced(leaf.node, leaf.file, files, SENDER_DOMAIN).length === 0,
  );
  if (senderDomains.length === 0 || unresolved.length > 0) {
    const at = unresolved[0] ?? value;
    return [
      finding(
        at.file,
        at.node,
        `${EMAIL_SENDER} does not come from a deployed email domain's ${SENDER_DOMAIN} ` +
          `('<username>@\${<domain>.${SENDER_DOMAIN}}', through module outputs)`,
      ),
    ];
  }
  return unlinkedDomains(senderDomains, files).map((domain) =>
    finding(
      value.file,
      value.node,
      `${EMAIL_SENDER} may be an address of ${domain.symbol}, which no ACS resource links ` +
        '(properties.linkedDomains): ACS refuses to send from it',
    ),
  );
}

function keySettingFindings(app: FunctionAppSettings): Finding[] {
  return keyLikeSettings(app, /acs|communication|email/i).map(([name, value]) =>
    finding(
      value.file,
      value.node,
      `function app ${app.symbol} sets ${name}, an ACS key or connection string: the app sends email through ` +
        'ACS_ENDPOINT with its managed identity',
    ),
  );
}

function roleFindings(
  app: FunctionAppSettings,
  senderDomains: EmailDomain[],
  grants: RoleGrant[],
  files: BicepFile[],
): Finding[] {
  // Nothing to send through when no linked domain is found: the findings above say why.
  const services = uniqueResources(senderDomains.flatMap((domain) => communicationServicesLinking(domain, files)));
  const consequence = 'without it the app cannot send email through ACS';
  return services.flatMap((service) => appRoleFindings(app, service, OWNER, grants, files, consequence, 'email'));
}

function finding(file: BicepFile, node: Node, message: string): Finding {
  return { file: file.displayPath, line: lineOf(node), check: 'email', message };
}
