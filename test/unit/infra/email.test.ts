import { requiredSettingsWithAndWithout, runLintInfraCli, useInfraCopy, useLintedInfraCopy } from './infra-copy';

const MODULE = 'core/communication/email.bicep';
const ACS_MODULE = 'core/communication/communication-service.bicep';
const API = 'app/api.bicep';
const RBAC = 'app/rbac.bicep';
const APP_ROLE = 'resource appCommunicationOwner';
const SENDER_SETTING = 'EMAIL_SENDER: emailSender';
const LINK = 'linkedDomains: email.outputs.linkedDomainIds';
const { requiring: REQUIRING_SENDER, notRequiring: NOT_REQUIRING_SENDER } = requiredSettingsWithAndWithout([
  'EMAIL_SENDER',
]);
const NO_ROLE =
  /^infra\/core\/communication\/communication-service\.bicep:\d+ \[email\] no unconditional role assignment gives Communication and Email Service Owner on communicationService to the identity of function app functionApp \(apiIdentity in infra\/main\.bicep, its AZURE_CLIENT_ID\): without it the app cannot send email through ACS$/;

/**
 * lint:infra keeps email keyless and deliverable: an Email Communication Service with an Azure-managed domain that the
 * ACS resource links, no engagement tracking, the same data location as ACS, EMAIL_SENDER made of a linked domain's
 * mailFromSenderDomain (never a literal), no ACS key in the app settings, and Communication and Email Service Owner on
 * the ACS resource for the app's identity. Each case breaks a copy of infra/ and expects exactly its findings.
 */
describe('lint:infra email, on broken copies', () => {
  const { copy, findings } = useLintedInfraCopy();

  it('passes the real infra/, also once src/config.ts requires EMAIL_SENDER', async () => {
    expect(await findings()).toEqual([]);
    expect(await findings(REQUIRING_SENDER)).toEqual([]);
  });

  it('reports infra without an Email Communication Service', async () => {
    await copy().replace(
      MODULE,
      "'Microsoft.Communication/emailServices@2025-09-01'",
      "'Microsoft.Example/things@2025-09-01'",
    );
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/main\.bicep:1 \[email\] no Microsoft\.Communication\/emailServices resource: the backend emails away users through ACS Email$/,
      ),
    ]);
  });

  it('reports an email service without an Azure-managed domain', async () => {
    await copy().replace(MODULE, "domainManagement: 'AzureManaged'", "domainManagement: 'CustomerManaged'");
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/core\/communication\/email\.bicep:\d+ \[email\] emailService has no domain with domainManagement: 'AzureManaged' \(a literal\)/,
      ),
    ]);
  });

  it('reports domains the ACS resource does not link, and a sender on them', async () => {
    await copy().replace('main.bicep', LINK, 'linkedDomains: []');
    expect(await findings()).toEqual([
      // Either branch of the module's senderAddress: the custom domain's, then the Azure-managed domain's.
      expect.stringMatching(
        /^infra\/app\/api\.bicep:\d+ \[email\] EMAIL_SENDER may be an address of customDomain, which no ACS resource links/,
      ),
      expect.stringMatching(
        /^infra\/app\/api\.bicep:\d+ \[email\] EMAIL_SENDER may be an address of managedDomain, which no ACS resource links/,
      ),
      expect.stringMatching(
        /^infra\/core\/communication\/email\.bicep:\d+ \[email\] no Microsoft\.Communication\/communicationServices resource links managedDomain \(properties\.linkedDomains, its \.id\): ACS sends from none of its addresses$/,
      ),
    ]);
  });

  it('reports a linked domain that is not the one the app sends from', async () => {
    // Links only the custom domain: the Azure-managed one, which EMAIL_SENDER names by default, is left out.
    await copy().replace(
      MODULE,
      '  : [\n      emailService::managedDomain.id\n    ]',
      '  : [\n      emailService::customDomain.id\n    ]',
    );
    await copy().replace(
      MODULE,
      '      emailService::managedDomain.id\n      emailService::customDomain.id',
      '      emailService::customDomain.id',
    );
    expect(await findings()).toEqual([
      expect.stringMatching(/\[email\] EMAIL_SENDER may be an address of managedDomain, which no ACS resource links/),
      expect.stringMatching(
        /email\.bicep:\d+ \[email\] no Microsoft\.Communication\/communicationServices resource links managedDomain/,
      ),
    ]);
  });

  it('reports EMAIL_SENDER written by hand, in the app or in main.bicep', async () => {
    await copy().replace(API, SENDER_SETTING, "EMAIL_SENDER: 'DoNotReply@0000.azurecomm.net'");
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/app\/api\.bicep:\d+ \[email\] EMAIL_SENDER is written by hand \('DoNotReply@0000\.azurecomm\.net'\): make it an output of the email module/,
      ),
    ]);
    await copy().replace(API, "EMAIL_SENDER: 'DoNotReply@0000.azurecomm.net'", SENDER_SETTING);
    await copy().replace(
      'main.bicep',
      'emailSender: email.outputs.senderAddress',
      "emailSender: 'DoNotReply@0000.azurecomm.net'",
    );
    expect(await findings()).toEqual([
      expect.stringMatching(/^infra\/main\.bicep:\d+ \[email\] EMAIL_SENDER is written by hand/),
    ]);
  });

  it("reports EMAIL_SENDER not made of a domain's mailFromSenderDomain", async () => {
    await copy().replace(
      'main.bicep',
      'emailSender: email.outputs.senderAddress',
      "emailSender: 'DoNotReply@${email.outputs.name}.azurecomm.net'",
    );
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/main\.bicep:\d+ \[email\] EMAIL_SENDER does not come from a deployed email domain's properties\.mailFromSenderDomain/,
      ),
    ]);
    // One branch of the module's output that is not the domain's is enough to be reported.
    await copy().replace(
      'main.bicep',
      "emailSender: 'DoNotReply@${email.outputs.name}.azurecomm.net'",
      'emailSender: email.outputs.senderAddress',
    );
    await copy().replace(
      MODULE,
      "'${senderUsername}@${emailService::customDomain.properties.mailFromSenderDomain}'",
      "'${senderUsername}@${customDomainName}'",
    );
    expect(await findings()).toEqual([
      expect.stringMatching(/^infra\/core\/communication\/email\.bicep:\d+ \[email\] EMAIL_SENDER does not come from/),
    ]);
  });

  it('reports EMAIL_SENDER missing once: as required by src/config.ts, or here', async () => {
    await copy().replace(API, /^\s*EMAIL_SENDER: .*\n/m, '');
    expect(await findings(REQUIRING_SENDER)).toEqual([
      expect.stringMatching(/app\/api\.bicep:\d+ \[app-settings\] function app functionApp does not set EMAIL_SENDER/),
    ]);
    expect(await findings(NOT_REQUIRING_SENDER)).toEqual([
      expect.stringMatching(/app\/api\.bicep:\d+ \[email\] function app functionApp does not set EMAIL_SENDER$/),
    ]);
  });

  it('reports an ACS connection string in an app setting, and a key in an output', async () => {
    await copy().replace(
      API,
      `      ${SENDER_SETTING}\n`,
      `      ${SENDER_SETTING}\n      ACS_CONNECTION_STRING: 'endpoint=https://acs.example/;accesskey=abc'\n`,
    );
    await copy().append(ACS_MODULE, '\noutput primary string = communicationService.listKeys().primaryKey\n');
    expect(await findings()).toEqual([
      // The Web PubSub check refuses any AccessKey=… string in the Bicep, an ACS connection string too.
      expect.stringMatching(/^infra\/app\/api\.bicep:\d+ \[web-pubsub\] a string holds a Web PubSub connection string/),
      expect.stringMatching(
        /^infra\/app\/api\.bicep:\d+ \[email\] function app functionApp sets ACS_CONNECTION_STRING, an ACS key or connection string/,
      ),
      expect.stringMatching(/communication-service\.bicep:\d+ \[no-secrets\] listKeys\(\) returns secrets/),
      expect.stringMatching(
        /communication-service\.bicep:\d+ \[secret-output\] output primary comes from listKeys\(\)/,
      ),
    ]);
  });

  it('reports a domain with engagement tracking on, or not off as a literal', async () => {
    await copy().replace(MODULE, "userEngagementTracking: 'Disabled'", "userEngagementTracking: 'Enabled'");
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/core\/communication\/email\.bicep:\d+ \[email\] managedDomain does not set userEngagementTracking: 'Disabled' \(a literal\)/,
      ),
    ]);
    await copy().replace(MODULE, "userEngagementTracking: 'Enabled'", "userEngagementTracking: 'Disabled'");
    await copy().replace(
      MODULE,
      "domainManagement: 'CustomerManaged'\n      userEngagementTracking: 'Disabled'",
      "domainManagement: 'CustomerManaged'\n      userEngagementTracking: tracking",
    );
    await copy().replace(
      MODULE,
      'param tags object = {}',
      "param tags object = {}\n\nparam tracking string = 'Disabled'",
    );
    expect(await findings()).toEqual([
      expect.stringMatching(/\[email\] customDomain does not set userEngagementTracking: 'Disabled'/),
    ]);
  });

  it("reports an email service whose data location is not the ACS resource's", async () => {
    await copy().replace(
      'main.bicep',
      'dataLocation: acsDataLocation\n    senderDisplayName',
      "dataLocation: 'Europe'\n    senderDisplayName",
    );
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/core\/communication\/email\.bicep:\d+ \[email\] emailService's dataLocation does not come from what the dataLocation of communicationService, which links its domains, comes from \(acsDataLocation in infra\/main\.bicep\)/,
      ),
    ]);
  });

  // Each replaces the first match in app/rbac.bicep: the app's assignment, which comes before the developer's.
  it.each([
    [
      'another role',
      "roleDefinitions', roleIds.communicationAndEmailServiceOwner)",
      "roleDefinitions', roleIds.monitoringMetricsPublisher)",
    ],
    [
      'a condition',
      `${APP_ROLE} 'Microsoft.Authorization/roleAssignments@2022-04-01' = {`,
      `${APP_ROLE} 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeveloper) {`,
    ],
    ['another resource as scope', 'scope: communicationService\n', 'scope: webPubSub\n'],
    ['the resource group as scope', 'scope: communicationService\n', 'scope: resourceGroup()\n'],
  ])(
    'reports the app identity without Communication and Email Service Owner on ACS: %s',
    async (_case, search, replacement) => {
      await copy().replace(RBAC, search, replacement);
      expect(await findings()).toEqual([expect.stringMatching(NO_ROLE)]);
    },
  );
});

describe('npm run lint:infra on an EMAIL_SENDER written by hand', () => {
  const copy = useInfraCopy();

  it('prints the finding and exits 1', async () => {
    await copy().replace(API, SENDER_SETTING, "EMAIL_SENDER: 'DoNotReply@0000.azurecomm.net'");
    const failure = await runLintInfraCli(copy().dir);
    expect(failure.code).toBe(1);
    expect(failure.stdout).toMatch(/api\.bicep:\d+: \[email\] EMAIL_SENDER is written by hand/);
  });
});
