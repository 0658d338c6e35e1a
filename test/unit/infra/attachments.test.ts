import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { requiredSettingsWithAndWithout, runLintInfraCli, useInfraCopy, useLintedInfraCopy } from './infra-copy';

const STORAGE = 'core/storage/storage-account.bicep';
const CORS = 'core/storage/attachments-cors.json';
const API = 'app/api.bicep';
const RBAC = 'app/rbac.bicep';
const MAIN = 'main.bicep';
const CONTAINER_SCOPE = 'scope: storage::blobServices::attachmentsContainer\n';
const TAG_FILTER = /^ {16}blobIndexMatch: \[\n(?: {18}.*\n)+? {16}\]\n/m;
const ATTACHMENTS_SETTINGS = ['ATTACHMENTS_BLOB_ENDPOINT', 'ATTACHMENTS_CONTAINER'];
const { requiring: REQUIRING_ATTACHMENTS, notRequiring: NOT_REQUIRING_ATTACHMENTS } =
  requiredSettingsWithAndWithout(ATTACHMENTS_SETTINGS);

/**
 * lint:infra keeps attachments private and keyless: a private container in an account without public blobs or
 * Shared Key, CORS for the API's origins with PUT/GET/HEAD only, a lifecycle backstop that deletes only unclaimed
 * uploads, the app's identity with Blob Data Contributor on the container and Blob Delegator on the account, and the
 * two app settings taken from the storage module. Each case breaks a copy of infra/ and expects exactly its findings.
 */
describe('lint:infra attachments, on broken copies', () => {
  const { copy, findings } = useLintedInfraCopy();

  async function editCorsJson(edit: (cors: Record<string, unknown>) => void): Promise<void> {
    const file = path.join(copy().dir, CORS);
    const cors = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    edit(cors);
    await writeFile(file, JSON.stringify(cors));
  }

  it('passes the real infra/, also once src/config.ts requires the attachments settings', async () => {
    expect(await findings()).toEqual([]);
    expect(await findings(REQUIRING_ATTACHMENTS)).toEqual([]);
  });

  it('reports a public container, public blobs allowed on the account and Shared Key left on', async () => {
    await copy().replace(
      STORAGE,
      "      name: attachmentsContainerName\n      properties: {\n        publicAccess: 'None'",
      "      name: attachmentsContainerName\n      properties: {\n        publicAccess: 'Blob'",
    );
    await copy().replace(STORAGE, 'allowBlobPublicAccess: false', 'allowBlobPublicAccess: true');
    await copy().replace(STORAGE, 'allowSharedKeyAccess: false', 'allowSharedKeyAccess: keysOn');
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/core\/storage\/storage-account\.bicep:\d+ \[attachments\] storage account storage \(attachments\) does not set allowBlobPublicAccess: false .*a container could be made public$/,
      ),
      expect.stringMatching(
        /\[attachments\] storage account storage \(attachments\) does not set allowSharedKeyAccess/,
      ),
      expect.stringMatching(/\[attachments\] container attachmentsContainer sets publicAccess 'Blob': attachments/),
    ]);
  });

  it('reports CORS methods beyond PUT, GET and HEAD, and a rule without PUT', async () => {
    await editCorsJson((cors) => {
      cors.allowedMethods = ['GET', 'HEAD', 'DELETE', 'post', 'MERGE', '*'];
    });
    expect(await findings()).toEqual([
      expect.stringMatching(/\[attachments\] CORS rule allows DELETE, POST, MERGE, \*: attachments need only PUT/),
      expect.stringMatching(/\[attachments\] blob service blobServices: no CORS rule lets browsers PUT attachments$/),
    ]);
  });

  it("reports CORS for any origin, or for other origins than the API's", async () => {
    await copy().replace(STORAGE, 'allowedOrigins: attachmentsCorsOrigins', "allowedOrigins: ['*']");
    expect(await findings()).toEqual([
      expect.stringMatching(/\[attachments\] CORS rule allows any origin \('\*'\)/),
      expect.stringMatching(
        /\[attachments\] CORS rule's allowedOrigins do not come from what function app functionApp's CORS origins come from \(corsOrigins in infra\/main\.bicep\)$/,
      ),
    ]);
    await copy().replace(STORAGE, "allowedOrigins: ['*']", 'allowedOrigins: attachmentsCorsOrigins');
    await copy().replace(
      MAIN,
      'attachmentsCorsOrigins: corsOrigins',
      "attachmentsCorsOrigins: ['https://other.example']",
    );
    expect(await findings()).toEqual([expect.stringMatching(/CORS rule's allowedOrigins do not come from/)]);
  });

  it('reports a Blob service without CORS rules', async () => {
    await copy().replace(STORAGE, /^ {6}cors: \{\n {8}corsRules: attachmentsCorsRules\n {6}\}\n/m, '');
    expect(await findings()).toEqual([
      expect.stringMatching(/\[attachments\] blob service blobServices has no cors\.corsRules/),
    ]);
  });

  it('reports a lifecycle rule that would delete claimed attachments, and no backstop left', async () => {
    await copy().replace(STORAGE, TAG_FILTER, '');
    expect(await findings()).toEqual([
      expect.stringMatching(/\[attachments\] no lifecycle rule .* deletes unclaimed attachments/),
      expect.stringMatching(
        /\[attachments\] lifecycle rule deleteUnclaimedAttachments deletes blobs in the attachments container without the blob index filter claimed == 'false'/,
      ),
    ]);
  });

  it('reports an account-wide delete rule without the tag filter besides the backstop', async () => {
    await copy().replace(
      STORAGE,
      '        rules: [\n',
      "        rules: [\n          {\n            name: 'expireEverything'\n            type: 'Lifecycle'\n" +
        "            definition: {\n              filters: {\n                blobTypes: [\n                  'blockBlob'\n" +
        '                ]\n              }\n              actions: {\n                baseBlob: {\n' +
        '                  delete: {\n                    daysAfterModificationGreaterThan: 365\n' +
        '                  }\n                }\n              }\n            }\n          }\n',
    );
    expect(await findings()).toEqual([
      expect.stringMatching(
        /\[attachments\] lifecycle rule expireEverything deletes blobs in the attachments container/,
      ),
    ]);
  });

  it('reports a backstop that deletes too early, or is switched off', async () => {
    await copy().replace(STORAGE, 'daysAfterCreationGreaterThan: 1', 'daysAfterCreationGreaterThan: 0');
    expect(await findings()).toEqual([
      expect.stringMatching(/\[attachments\] no lifecycle rule/),
      expect.stringMatching(
        /\[attachments\] lifecycle rule deleteUnclaimedAttachments must delete on daysAfterCreationGreaterThan of at least 1/,
      ),
    ]);
    await copy().replace(STORAGE, 'daysAfterCreationGreaterThan: 0', 'daysAfterCreationGreaterThan: 1');
    await copy().replace(
      STORAGE,
      "name: 'deleteUnclaimedAttachments'\n            enabled: true",
      "name: 'deleteUnclaimedAttachments'\n            enabled: false",
    );
    expect(await findings()).toEqual([expect.stringMatching(/\[attachments\] no lifecycle rule/)]);
  });

  it('reports Blob Data Contributor on the whole account instead of the container', async () => {
    await copy().replace(RBAC, CONTAINER_SCOPE, 'scope: storage\n');
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/app\/rbac\.bicep:\d+ \[attachments\] appAttachmentsContributor gives Storage Blob Data Contributor on the whole storage account storage: scope it to the attachments container attachmentsContainer$/,
      ),
      expect.stringMatching(
        /^infra\/core\/storage\/storage-account\.bicep:\d+ \[attachments\] no unconditional role assignment gives Storage Blob Data Contributor on the attachments container attachmentsContainer to the identity of function app functionApp \(apiIdentity in infra\/main\.bicep, its AZURE_CLIENT_ID\)$/,
      ),
    ]);
  });

  it('reports Blob Data Contributor only under a condition', async () => {
    await copy().replace(
      RBAC,
      "resource appAttachmentsContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {",
      "resource appAttachmentsContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeveloper) {",
    );
    expect(await findings()).toEqual([
      expect.stringMatching(/no unconditional role assignment gives Storage Blob Data Contributor on the attachments/),
    ]);
  });

  it('reports Blob Delegator on the container, where it cannot get a user delegation key, or missing', async () => {
    await copy().replace(
      RBAC,
      'name: guid(storage.id, appPrincipalId, roleIds.storageBlobDelegator)\n  scope: storage\n',
      `name: guid(storage.id, appPrincipalId, roleIds.storageBlobDelegator)\n  ${CONTAINER_SCOPE}`,
    );
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/app\/rbac\.bicep:\d+ \[attachments\] appBlobDelegator gives Storage Blob Delegator on the container: Get User Delegation Key acts on the whole Blob service, .*scope it to storage$/,
      ),
    ]);
    await copy().replace(
      RBAC,
      "roleDefinitions', roleIds.storageBlobDelegator)\n    principalId: appPrincipalId",
      "roleDefinitions', roleIds.storageBlobDataContributor)\n    principalId: appPrincipalId",
    );
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/core\/storage\/storage-account\.bicep:\d+ \[attachments\] no unconditional role assignment gives Storage Blob Delegator on storage account storage to the identity of function app functionApp .*: without it the app cannot get a user delegation key/,
      ),
    ]);
  });

  it('reports an app identity that cannot write the claimed tag (Blob Data Contributor has no tags/write)', async () => {
    await copy().replace(
      RBAC,
      "roleDefinitions', roleIds.storageBlobDataOwner)\n    principalId: appPrincipalId",
      "roleDefinitions', roleIds.storageBlobDataContributor)\n    principalId: appPrincipalId",
    );
    expect(await findings()).toEqual([
      expect.stringMatching(
        /\[attachments\] appBlobDataOwner gives Storage Blob Data Contributor on the whole storage account storage/,
      ),
      expect.stringMatching(/\[attachments\] no unconditional role assignment lets .* write blob index tags/),
    ]);
  });

  it('reports ATTACHMENTS_CONTAINER and ATTACHMENTS_BLOB_ENDPOINT not taken from the storage module', async () => {
    await copy().replace(
      API,
      'ATTACHMENTS_BLOB_ENDPOINT: attachmentsBlobEndpoint',
      'ATTACHMENTS_BLOB_ENDPOINT: tableEndpoint',
    );
    await copy().replace(
      API,
      'param attachmentsBlobEndpoint string',
      'param tableEndpoint string\nparam attachmentsBlobEndpoint string',
    );
    await copy().replace(
      MAIN,
      '    attachmentsBlobEndpoint:',
      '    tableEndpoint: storage.outputs.tableEndpoint\n    attachmentsBlobEndpoint:',
    );
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/app\/api\.bicep:\d+ \[attachments\] ATTACHMENTS_BLOB_ENDPOINT does not come from a module output of `<account>\.properties\.primaryEndpoints\.blob` for storage account storage/,
      ),
    ]);
    await copy().replace(
      API,
      'ATTACHMENTS_CONTAINER: attachmentsContainerName',
      "ATTACHMENTS_CONTAINER: 'attachments'",
    );
    // Without a container to follow, the storage side is not checked: one finding says why.
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/app\/api\.bicep:\d+ \[attachments\] ATTACHMENTS_CONTAINER does not come from an output/,
      ),
    ]);
  });

  it('reports an attachments key, SAS or connection string in an app setting', async () => {
    await copy().replace(
      API,
      '      ATTACHMENTS_CONTAINER: attachmentsContainerName\n',
      "      ATTACHMENTS_CONTAINER: attachmentsContainerName\n      ATTACHMENTS_SAS_TOKEN: 'sv=2024-08-04&sig=abc'\n",
    );
    expect(await findings()).toEqual([
      expect.stringMatching(
        /\[attachments\] function app functionApp sets ATTACHMENTS_SAS_TOKEN, an attachments key, SAS/,
      ),
    ]);
  });

  it.each(ATTACHMENTS_SETTINGS)('reports %s missing once: as required by src/config.ts, or here', async (setting) => {
    await copy().replace(API, new RegExp(`^\\s*${setting}: .*\\n`, 'm'), '');
    expect(await findings(REQUIRING_ATTACHMENTS)).toEqual([
      expect.stringMatching(
        new RegExp(`api\\.bicep:\\d+ \\[app-settings\\] function app functionApp does not set ${setting}`),
      ),
    ]);
    expect(await findings(NOT_REQUIRING_ATTACHMENTS)).toEqual([
      expect.stringMatching(
        new RegExp(`api\\.bicep:\\d+ \\[attachments\\] function app functionApp does not set ${setting}$`),
      ),
    ]);
  });
});

describe('npm run lint:infra on a public attachments container', () => {
  const copy = useInfraCopy();

  it('prints the finding and exits 1', async () => {
    await copy().replace(
      STORAGE,
      "      name: attachmentsContainerName\n      properties: {\n        publicAccess: 'None'",
      "      name: attachmentsContainerName\n      properties: {\n        publicAccess: 'Container'",
    );
    const failure = await runLintInfraCli(copy().dir);
    expect(failure.code).toBe(1);
    expect(failure.stdout).toMatch(
      /storage-account\.bicep:\d+: \[attachments\] container attachmentsContainer sets publicAccess/,
    );
  });
});
