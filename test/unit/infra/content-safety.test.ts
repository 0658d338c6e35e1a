import { requiredSettingsWithAndWithout, runLintInfraCli, useInfraCopy, useLintedInfraCopy } from './infra-copy';

const MODULE = 'core/ai/content-safety.bicep';
const API = 'app/api.bicep';
const RBAC = 'app/rbac.bicep';
const APP_ROLE = 'resource appContentSafetyUser';
const ENDPOINT_SETTING = 'CONTENT_SAFETY_ENDPOINT: contentSafetyEndpoint';
const { requiring: REQUIRING_ENDPOINT, notRequiring: NOT_REQUIRING_ENDPOINT } = requiredSettingsWithAndWithout([
  'CONTENT_SAFETY_ENDPOINT',
]);
const NO_ROLE =
  /^infra\/core\/ai\/content-safety\.bicep:\d+ \[content-safety\] no unconditional role assignment gives Cognitive Services User on contentSafety to the identity of function app functionApp \(apiIdentity in infra\/main\.bicep, its AZURE_CLIENT_ID\): without it the app cannot call Content Safety$/;

/**
 * lint:infra keeps Content Safety keyless: keys off, a custom subdomain (Entra ID needs one), no key in an app setting
 * or output, CONTENT_SAFETY_ENDPOINT from the account's module, and Cognitive Services User on the account for the
 * app's identity. Each case breaks a copy of infra/ and expects exactly its findings.
 */
describe('lint:infra Content Safety, on broken copies', () => {
  const { copy, findings } = useLintedInfraCopy();

  it('passes the real infra/, also once src/config.ts requires CONTENT_SAFETY_ENDPOINT', async () => {
    expect(await findings()).toEqual([]);
    expect(await findings(REQUIRING_ENDPOINT)).toEqual([]);
  });

  it('reports keys left on, or switched off only through a parameter', async () => {
    await copy().replace(MODULE, 'disableLocalAuth: true', 'disableLocalAuth: false');
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/core\/ai\/content-safety\.bicep:\d+ \[content-safety\] contentSafety does not set properties\.disableLocalAuth: true \(a literal\): its keys would work/,
      ),
    ]);
    await copy().replace(MODULE, 'disableLocalAuth: false', 'disableLocalAuth: keyless');
    await copy().replace(MODULE, 'param tags object = {}', 'param tags object = {}\n\nparam keyless bool = true');
    expect(await findings()).toEqual([
      expect.stringMatching(/\[content-safety\] contentSafety does not set properties\.disableLocalAuth: true/),
    ]);
  });

  it('reports an account without a custom subdomain, or with an empty one', async () => {
    await copy().replace(MODULE, /^ {4}customSubDomainName: name\n/m, '');
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/core\/ai\/content-safety\.bicep:\d+ \[content-safety\] contentSafety does not set properties\.customSubDomainName: without a custom subdomain the account accepts no Entra ID token/,
      ),
    ]);
    await copy().replace(
      MODULE,
      "publicNetworkAccess: 'Enabled'",
      "customSubDomainName: ''\n    publicNetworkAccess: 'Enabled'",
    );
    expect(await findings()).toEqual([
      expect.stringMatching(/\[content-safety\] contentSafety does not set properties\.customSubDomainName/),
    ]);
  });

  it('reports a key in an app setting, and listKeys() in an output', async () => {
    await copy().replace(
      API,
      `      ${ENDPOINT_SETTING}\n`,
      `      ${ENDPOINT_SETTING}\n      CONTENT_SAFETY_KEY: 'abc'\n`,
    );
    await copy().append(MODULE, '\noutput primary string = contentSafety.listKeys().key1\n');
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/app\/api\.bicep:\d+ \[content-safety\] function app functionApp sets CONTENT_SAFETY_KEY, a Content Safety key; its keys are disabled/,
      ),
      expect.stringMatching(/content-safety\.bicep:\d+ \[no-secrets\] listKeys\(\) returns secrets/),
      expect.stringMatching(/content-safety\.bicep:\d+ \[secret-output\] output primary comes from listKeys\(\)/),
    ]);
  });

  // Each replaces the first match in app/rbac.bicep: the app's assignment, which comes before the developer's.
  it.each([
    [
      'another role',
      "roleDefinitions', roleIds.cognitiveServicesUser)",
      "roleDefinitions', roleIds.monitoringMetricsPublisher)",
    ],
    [
      'a condition',
      `${APP_ROLE} 'Microsoft.Authorization/roleAssignments@2022-04-01' = {`,
      `${APP_ROLE} 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeveloper) {`,
    ],
    ['another resource as scope', 'scope: contentSafety\n', 'scope: webPubSub\n'],
    ['the resource group as scope', 'scope: contentSafety\n', 'scope: resourceGroup()\n'],
  ])(
    'reports the app identity without Cognitive Services User on the account: %s',
    async (_case, search, replacement) => {
      await copy().replace(RBAC, search, replacement);
      expect(await findings()).toEqual([expect.stringMatching(NO_ROLE)]);
    },
  );

  it('reports CONTENT_SAFETY_ENDPOINT not taken from the Content Safety module', async () => {
    await copy().replace(
      API,
      ENDPOINT_SETTING,
      "CONTENT_SAFETY_ENDPOINT: 'https://other.cognitiveservices.azure.com/'",
    );
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/app\/api\.bicep:\d+ \[content-safety\] CONTENT_SAFETY_ENDPOINT does not come from a module output of `<account>\.properties\.endpoint` for a Content Safety account the Bicep deploys$/,
      ),
    ]);
    // Another output of the right module is no better: its name is not the endpoint.
    await copy().replace(
      'main.bicep',
      'contentSafetyEndpoint: contentSafety.outputs.endpoint',
      'contentSafetyEndpoint: contentSafety.outputs.name',
    );
    await copy().replace(
      API,
      "CONTENT_SAFETY_ENDPOINT: 'https://other.cognitiveservices.azure.com/'",
      ENDPOINT_SETTING,
    );
    expect(await findings()).toEqual([
      expect.stringMatching(/\[content-safety\] CONTENT_SAFETY_ENDPOINT does not come/),
    ]);
  });

  it('reports CONTENT_SAFETY_ENDPOINT missing once: as required by src/config.ts, or here', async () => {
    await copy().replace(API, /^\s*CONTENT_SAFETY_ENDPOINT: .*\n/m, '');
    expect(await findings(REQUIRING_ENDPOINT)).toEqual([
      expect.stringMatching(
        /app\/api\.bicep:\d+ \[app-settings\] function app functionApp does not set CONTENT_SAFETY_ENDPOINT/,
      ),
    ]);
    expect(await findings(NOT_REQUIRING_ENDPOINT)).toEqual([
      expect.stringMatching(
        /app\/api\.bicep:\d+ \[content-safety\] function app functionApp does not set CONTENT_SAFETY_ENDPOINT$/,
      ),
    ]);
  });

  it('reports infra without a Content Safety account', async () => {
    await copy().replace(MODULE, "kind: 'ContentSafety'", "kind: 'TextAnalytics'");
    expect(await findings()).toEqual([
      expect.stringMatching(
        /^infra\/main\.bicep:1 \[content-safety\] no Microsoft\.CognitiveServices\/accounts resource of kind ContentSafety/,
      ),
    ]);
  });
});

describe('npm run lint:infra on a Content Safety account with keys on', () => {
  const copy = useInfraCopy();

  it('prints the finding and exits 1', async () => {
    await copy().replace(MODULE, 'disableLocalAuth: true', 'disableLocalAuth: false');
    const failure = await runLintInfraCli(copy().dir);
    expect(failure.code).toBe(1);
    expect(failure.stdout).toMatch(/content-safety\.bicep:\d+: \[content-safety\] .*disableLocalAuth: true/);
  });
});
