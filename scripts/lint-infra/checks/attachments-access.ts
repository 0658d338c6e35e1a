import type { Node } from 'web-tree-sitter';

import {
  findFunctionAppSettings,
  type FunctionAppSettings,
  keyLikeSettings,
  missingSettingFindings,
} from '../app-settings';
import { type BicepFile, lineOf } from '../bicep-file';
import { sameModule } from '../bicep-modules';
import { isOutputOf, type ResourceRef, sameResource } from '../bicep-resources';
import type { Finding } from '../finding';
import { appIdentity, describeIdentity, type RoleGrant, roleGrants, unknownIdentityMessage } from '../role-grants';
import { type AttachmentsStore, attachmentsStores, symbolOf } from './attachments';

/** App settings the backend reads to reach attachments: the Blob endpoint, and the container's name. */
export const ATTACHMENTS_SETTINGS = ['ATTACHMENTS_BLOB_ENDPOINT', 'ATTACHMENTS_CONTAINER'] as const;

const CONTRIBUTOR = 'Storage Blob Data Contributor';
const DELEGATOR = 'Storage Blob Delegator';
/** The built-in roles with Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/write. */
const TAG_WRITERS = ['Storage Blob Data Owner'];

/**
 * The function app reaches its attachments without a key: ATTACHMENTS_CONTAINER is an output of the module that
 * deploys the container (`<container>.name`), ATTACHMENTS_BLOB_ENDPOINT that module's output of the primary blob
 * endpoint of the container's account, and no attachments setting is named like a key, SAS or connection string. The
 * identity the app signs in as (its AZURE_CLIENT_ID) holds, unconditionally, Storage Blob Data Contributor on the
 * container (not on the account), Storage Blob Delegator on the account (Get User Delegation Key acts on the whole
 * Blob service, so the role counts only there or above), and a role that writes blob index tags (the claimed tag the
 * lifecycle backstop deletes on). A missing setting that src/config.ts requires is left to the app-settings check.
 */
export function checkAttachmentsAccess(files: BicepFile[], requiredAppSettings: readonly string[]): Finding[] {
  const stores = attachmentsStores(files);
  const grants = roleGrants(files);
  return findFunctionAppSettings(files).flatMap((app) => {
    const store = stores.find((candidate) => candidate.app.resource.equals(app.resource));
    return [
      ...containerSettingFindings(app, store, requiredAppSettings),
      ...endpointSettingFindings(app, store, files, requiredAppSettings),
      ...keySettingFindings(app),
      ...(store ? roleFindings(store, grants, files) : []),
    ];
  });
}

function containerSettingFindings(
  app: FunctionAppSettings,
  store: AttachmentsStore | undefined,
  requiredAppSettings: readonly string[],
): Finding[] {
  const value = app.settings.get('ATTACHMENTS_CONTAINER');
  if (!value) return missingSettingFindings(app, 'ATTACHMENTS_CONTAINER', requiredAppSettings, 'attachments');
  if (store) return [];
  return [
    finding(
      value.file,
      value.node,
      'ATTACHMENTS_CONTAINER does not come from an output (`<container>.name`) of the module that deploys a blob ' +
        "container in a storage account's blob service",
    ),
  ];
}

function endpointSettingFindings(
  app: FunctionAppSettings,
  store: AttachmentsStore | undefined,
  files: BicepFile[],
  requiredAppSettings: readonly string[],
): Finding[] {
  const value = app.settings.get('ATTACHMENTS_BLOB_ENDPOINT');
  if (!value) return missingSettingFindings(app, 'ATTACHMENTS_BLOB_ENDPOINT', requiredAppSettings, 'attachments');
  if (!store) return []; // nothing to compare with: ATTACHMENTS_CONTAINER's finding says why
  const account = { file: store.container.file, node: store.account };
  if (isOutputOf(value.node, value.file, files, account, 'properties.primaryEndpoints.blob')) return [];
  return [
    finding(
      value.file,
      value.node,
      'ATTACHMENTS_BLOB_ENDPOINT does not come from a module output of `<account>.properties.primaryEndpoints.blob` ' +
        `for storage account ${symbolOf(store.account)}, which holds the attachments container`,
    ),
  ];
}

function keySettingFindings(app: FunctionAppSettings): Finding[] {
  return keyLikeSettings(app, /attachment/i).map(([name, value]) =>
    finding(
      value.file,
      value.node,
      `function app ${app.symbol} sets ${name}, an attachments key, SAS or connection string; the app signs ` +
        'its links with a user delegation key: use ATTACHMENTS_BLOB_ENDPOINT and the managed identity',
    ),
  );
}

function roleFindings(store: AttachmentsStore, grants: RoleGrant[], files: BicepFile[]): Finding[] {
  const { app, container } = store;
  const identity = appIdentity(app, files);
  if (!identity) return [finding(app.file, app.resource, unknownIdentityMessage(app, 'the attachments roles'))];
  const account: ResourceRef = { file: container.file, node: store.account };
  const mine = grants.filter((grant) => !grant.conditional && grant.principal && sameModule(grant.principal, identity));
  const named = (role: string) => mine.filter((grant) => grant.role?.name === role);
  const onContainer = (grant: RoleGrant) => sameResource(grant.scope, container);
  const onAccount = (grant: RoleGrant) => sameResource(grant.scope, account);
  const who = `the identity of function app ${app.symbol} (${describeIdentity(identity)})`;
  const findings: Finding[] = [];

  for (const grant of named(CONTRIBUTOR).filter(onAccount)) {
    findings.push(
      finding(
        grant.file,
        grant.node,
        `${grant.name} gives ${CONTRIBUTOR} on the whole storage account ${symbolOf(store.account)}: scope it to ` +
          `the attachments container ${symbolOf(container.node)}`,
      ),
    );
  }
  if (!named(CONTRIBUTOR).some(onContainer)) {
    findings.push(
      finding(
        container.file,
        container.node,
        `no unconditional role assignment gives ${CONTRIBUTOR} on the attachments container ` +
          `${symbolOf(container.node)} to ${who}`,
      ),
    );
  }
  if (!named(DELEGATOR).some(onAccount)) {
    const misplaced = named(DELEGATOR).find(onContainer);
    findings.push(
      misplaced
        ? finding(
            misplaced.file,
            misplaced.node,
            `${misplaced.name} gives ${DELEGATOR} on the container: Get User Delegation Key acts on the whole Blob ` +
              `service, so the role counts only on the storage account (or above); scope it to ` +
              symbolOf(store.account),
          )
        : finding(
            container.file,
            store.account,
            `no unconditional role assignment gives ${DELEGATOR} on storage account ${symbolOf(store.account)} to ` +
              `${who}: without it the app cannot get a user delegation key to sign attachment links`,
          ),
    );
  }
  const tagWriter = mine.some(
    (grant) => TAG_WRITERS.includes(grant.role?.name ?? '') && (onContainer(grant) || onAccount(grant)),
  );
  if (!tagWriter) {
    findings.push(
      finding(
        container.file,
        container.node,
        `no unconditional role assignment lets ${who} write blob index tags on the attachments container ` +
          `(${TAG_WRITERS.join(', ')} on it or on its account; ${CONTRIBUTOR} has no tags/write): uploads carry ` +
          'the claimed tag the lifecycle backstop deletes on, and a link cannot grant more than its signer holds',
      ),
    );
  }
  return findings;
}

function finding(file: BicepFile, node: Node, message: string): Finding {
  return { file: file.displayPath, line: lineOf(node), check: 'attachments', message };
}
