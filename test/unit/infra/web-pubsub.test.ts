import { requiredSettingsWithAndWithout, runLintInfraCli, useInfraCopy, useLintedInfraCopy } from './infra-copy';

const MODULE = 'core/webpubsub/webpubsub.bicep';
const API = 'app/api.bicep';
const RBAC = 'app/rbac.bicep';
const APP_ROLE = 'resource appWebPubSubOwner';
const { requiring: REQUIRING_ENDPOINT, notRequiring: NOT_REQUIRING_ENDPOINT } = requiredSettingsWithAndWithout([
  'WEBPUBSUB_ENDPOINT',
]);

/** lint:infra keeps Web PubSub keyless: keys off, anonymous clients refused, the app's identity holding the role. */
describe('lint:infra Web PubSub, on broken copies', () => {
  const { copy, findings } = useLintedInfraCopy();

  it('passes the real infra/, also once src/config.ts requires WEBPUBSUB_ENDPOINT', async () => {
    expect(await findings()).toEqual([]);
    expect(await findings(REQUIRING_ENDPOINT)).toEqual([]);
  });

  it('reports access keys left on, or switched off only through a parameter', async () => {
    await copy().replace(MODULE, 'disableLocalAuth: true', 'disableLocalAuth: false');
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/core\/webpubsub\/webpubsub\.bicep:\d+ \[web-pubsub\] webPubSub does not set properties\.disableLocalAuth: true/,
      ),
    ]);
    await copy().replace(MODULE, 'disableLocalAuth: false', 'disableLocalAuth: keyless');
    await copy().replace(MODULE, 'param hubName string', 'param keyless bool = true\n\nparam hubName string');
    expect(await findings()).toEqual([expect.stringMatching(/webPubSub does not set properties\.disableLocalAuth/)]);
  });

  it('reports a hub that lets anonymous clients connect, nested or top-level', async () => {
    await copy().replace(MODULE, "anonymousConnectPolicy: 'Deny'", "anonymousConnectPolicy: 'Allow'");
    await copy().append(
      MODULE,
      [
        '',
        "resource openHub 'Microsoft.SignalRService/webPubSub/hubs@2024-03-01' = {",
        '  parent: webPubSub',
        "  name: 'open'",
        '  properties: {}',
        '}',
        '',
      ].join('\n'),
    );
    expect(await findings()).toEqual([
      expect.stringMatching(/\[web-pubsub\] hub hub does not set properties\.anonymousConnectPolicy: 'Deny'/),
      expect.stringMatching(/\[web-pubsub\] hub openHub does not set properties\.anonymousConnectPolicy: 'Deny'/),
    ]);
  });

  it('reports a connection string or key in an app setting, and listKeys() on the resource', async () => {
    await copy().replace(
      API,
      '      WEBPUBSUB_HUB: webPubSubHub\n',
      '      WEBPUBSUB_HUB: webPubSubHub\n' +
        "      WEBPUBSUB_CONNECTION_STRING: 'Endpoint=https://x.webpubsub.azure.com;AccessKey=abc;Version=1.0;'\n",
    );
    await copy().append(MODULE, '\noutput WEBPUBSUB string = webPubSub.listKeys().primaryConnectionString\n');
    expect(await findings()).toEqual([
      expect.stringMatching(/app\/api\.bicep:\d+ \[web-pubsub\] a string holds a Web PubSub connection string/),
      expect.stringMatching(
        /app\/api\.bicep:\d+ \[web-pubsub\] function app functionApp sets WEBPUBSUB_CONNECTION_STRING, a Web PubSub key/,
      ),
      expect.stringMatching(/webpubsub\.bicep:\d+ \[no-secrets\] listKeys\(\) returns secrets/),
      expect.stringMatching(/webpubsub\.bicep:\d+ \[secret-output\] output WEBPUBSUB comes from listKeys\(\)/),
    ]);
  });

  // Each replaces the first match in app/rbac.bicep: the app's assignment, which comes before the developer's.
  it.each([
    [
      'another role',
      "roleDefinitions', roleIds.webPubSubServiceOwner)",
      "roleDefinitions', roleIds.monitoringMetricsPublisher)",
    ],
    [
      'a condition',
      `${APP_ROLE} 'Microsoft.Authorization/roleAssignments@2022-04-01' = {`,
      `${APP_ROLE} 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeveloper) {`,
    ],
    ['another scope', 'scope: webPubSub\n', 'scope: communicationService\n'],
  ])('reports the app identity without Web PubSub Service Owner: %s', async (_case, search, replacement) => {
    await copy().replace(RBAC, search, replacement);
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/core\/webpubsub\/webpubsub\.bicep:\d+ \[web-pubsub\] no unconditional role assignment gives Web PubSub Service Owner on webPubSub to the identity of function app functionApp \(apiIdentity in infra\/main\.bicep, its AZURE_CLIENT_ID\)$/,
      ),
    ]);
  });

  it('reports the role given to another identity than the one whose client id the app uses', async () => {
    await copy().replace(
      'main.bicep',
      'appPrincipalId: apiIdentity.outputs.principalId',
      'appPrincipalId: otherIdentity.outputs.principalId',
    );
    await copy().replace(
      'main.bicep',
      'module storage ',
      "module otherIdentity './core/identity/user-assigned-identity.bicep' = {\n" +
        "  name: 'otherIdentity'\n  scope: rg\n  params: {\n    name: 'id-other'\n  }\n}\n\nmodule storage ",
    );
    expect(await findings()).toEqual([
      // The Content Safety, ACS (email) and attachments roles (content-safety.test.ts, email.test.ts,
      // attachments.test.ts) go to it as well.
      expect.stringMatching(/\[content-safety\] no unconditional role assignment gives Cognitive Services User/),
      expect.stringMatching(/\[email\] no unconditional role assignment gives Communication and Email Service Owner/),
      expect.stringMatching(/\[attachments\] no unconditional role assignment gives Storage Blob Delegator/),
      expect.stringMatching(/\[attachments\] no unconditional role assignment gives Storage Blob Data Contributor/),
      expect.stringMatching(/\[attachments\] no unconditional role assignment lets .* write blob index tags/),
      expect.stringMatching(/\[web-pubsub\] no unconditional role assignment/),
    ]);
  });

  it('reports WEBPUBSUB_HUB missing and WEBPUBSUB_ENDPOINT not taken from the Web PubSub module', async () => {
    await copy().replace(API, '      WEBPUBSUB_HUB: webPubSubHub\n', '');
    await copy().replace(
      API,
      'WEBPUBSUB_ENDPOINT: webPubSubEndpoint',
      "WEBPUBSUB_ENDPOINT: 'https://other.webpubsub.azure.com'",
    );
    expect(await findings()).toEqual([
      expect.stringMatching(/app\/api\.bicep:\d+ \[web-pubsub\] function app functionApp does not set WEBPUBSUB_HUB$/),
      expect.stringMatching(
        /app\/api\.bicep:\d+ \[web-pubsub\] WEBPUBSUB_ENDPOINT does not come from an output of the module that deploys the Web PubSub resource/,
      ),
    ]);
  });

  it('leaves a missing setting that src/config.ts requires to the app-settings check, once', async () => {
    await copy().replace(API, /^\s*WEBPUBSUB_ENDPOINT: .*\n/m, '');
    expect(await findings(REQUIRING_ENDPOINT)).toEqual([
      expect.stringMatching(
        /app\/api\.bicep:\d+ \[app-settings\] function app functionApp does not set WEBPUBSUB_ENDPOINT/,
      ),
    ]);
    expect(await findings(NOT_REQUIRING_ENDPOINT)).toEqual([
      expect.stringMatching(
        /app\/api\.bicep:\d+ \[web-pubsub\] function app functionApp does not set WEBPUBSUB_ENDPOINT/,
      ),
    ]);
  });

  it('reports infra without a Web PubSub resource', async () => {
    await copy().replace(
      MODULE,
      "'Microsoft.SignalRService/webPubSub@2024-03-01' =",
      "'Microsoft.SignalRService/signalR@2024-03-01' =",
    );
    expect(await findings()).toEqual([
      expect.stringMatching(/^infra\/main\.bicep:1 \[web-pubsub\] no Microsoft\.SignalRService\/webPubSub resource/),
    ]);
  });
});

describe('npm run lint:infra on Web PubSub with access keys on', () => {
  const copy = useInfraCopy();

  it('prints the finding and exits 1', async () => {
    await copy().replace(MODULE, 'disableLocalAuth: true', 'disableLocalAuth: false');
    const failure = await runLintInfraCli(copy().dir);
    expect(failure.code).toBe(1);
    expect(failure.stdout).toMatch(/webpubsub\.bicep:\d+: \[web-pubsub\] .*disableLocalAuth: true/);
  });
});
