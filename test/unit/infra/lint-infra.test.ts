import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import type { Finding } from '../../../scripts/lint-infra/finding';
import { lintInfra } from '../../../scripts/lint-infra/lint-infra';
import { AZURE_REQUIRED_SETTINGS } from '../../../src/config';
import { copyInfra, type InfraCopy, REAL_INFRA_DIR } from './infra-copy';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '..', '..', '..');

function lint(infraDir: string): Promise<Finding[]> {
  return lintInfra({ infraDir, requiredAppSettings: AZURE_REQUIRED_SETTINGS, displayBase: path.dirname(infraDir) });
}

function summary(findings: Finding[]): string[] {
  return findings.map((finding) => `${finding.file}:${finding.line} [${finding.check}] ${finding.message}`);
}

describe('lint:infra on the real infra/', () => {
  it('finds nothing', async () => {
    expect(summary(await lint(REAL_INFRA_DIR))).toEqual([]);
  });
});

describe('lint:infra on broken copies', () => {
  let copy: InfraCopy;
  beforeEach(async () => {
    copy = await copyInfra();
  });
  afterEach(async () => {
    await copy.remove();
  });

  it('reports a syntax error with its file and line', async () => {
    await copy.replace('app/api.bicep', "kind: 'functionapp,linux'", "kind: 'functionapp,linux' +");
    const findings = await lint(copy.dir);
    const syntax = findings.filter((finding) => finding.check === 'syntax');
    expect(syntax.length).toBeGreaterThan(0);
    expect(syntax[0]?.file).toBe(path.join('infra', 'app', 'api.bicep'));
    expect(syntax[0]?.line).toBeGreaterThan(90);
  });

  it('reports an unclosed block as a missing token', async () => {
    await copy.append(
      'core/storage/storage-account.bicep',
      "\nresource extra 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: 'x'\n",
    );
    const findings = await lint(copy.dir);
    expect(
      findings.some((finding) => finding.check === 'syntax' && finding.file.endsWith('storage-account.bicep')),
    ).toBe(true);
  });

  it.each(AZURE_REQUIRED_SETTINGS)('reports the function app when it does not set %s', async (setting) => {
    await copy.replace('app/api.bicep', new RegExp(`^\\s*${setting}: .*$`, 'm'), '');
    const findings = await lint(copy.dir);
    expect(summary(findings)).toEqual([
      expect.stringMatching(new RegExp(`infra/app/api\\.bicep:\\d+ \\[app-settings\\] .*${setting}`)),
    ]);
  });

  it('reports a required setting set to an empty string', async () => {
    await copy.replace('app/api.bicep', 'AUTH_ISSUER: authIssuer', "AUTH_ISSUER: ''");
    const findings = await lint(copy.dir);
    expect(summary(findings)).toEqual([
      expect.stringMatching(/\[app-settings\] AUTH_ISSUER is set to an empty string/),
    ]);
  });

  it('follows settings through variables, union() and module parameters', async () => {
    await copy.replace('app/api.bicep', '      AUTH_AUDIENCE: authAudience\n', '');
    await copy.replace(
      'app/api.bicep',
      'param authAudience string',
      'param extraSettings object = {}\nparam authAudience string',
    );
    await copy.replace(
      'app/api.bicep',
      '    properties: {\n      // Functions host storage',
      '    properties: union(extraSettings, moreSettings, {\n      // Functions host storage',
    );
    await copy.replace(
      'app/api.bicep',
      '      MODERATION_AUDIT_DAYS: moderationAuditDays\n    }\n',
      '      MODERATION_AUDIT_DAYS: moderationAuditDays\n    })\n',
    );
    await copy.replace('app/api.bicep', 'resource storage ', "var moreSettings = { OTHER: 'x' }\n\nresource storage ");
    await copy.replace(
      'main.bicep',
      '    authAudience: authAudience\n',
      '    authAudience: authAudience\n    extraSettings: { AUTH_AUDIENCE: authAudience }\n',
    );
    expect(summary(await lint(copy.dir))).toEqual([]);

    await copy.replace(
      'main.bicep',
      '    extraSettings: { AUTH_AUDIENCE: authAudience }\n',
      "    extraSettings: { OTHER: 'y' }\n",
    );
    expect(summary(await lint(copy.dir))).toEqual([expect.stringMatching(/does not set AUTH_AUDIENCE/)]);
  });

  it('reports listKeys() and an output that leaks its result', async () => {
    await copy.append(
      'core/storage/storage-account.bicep',
      '\noutput accountKey string = storage.listKeys().keys[0].value\n',
    );
    const findings = await lint(copy.dir);
    const checks = findings
      .filter((finding) => finding.file.endsWith('storage-account.bicep'))
      .map((finding) => finding.check);
    expect(checks).toEqual(expect.arrayContaining(['no-secrets', 'secret-output']));
  });

  it('reports outputs named or sourced like secrets', async () => {
    await copy.append(
      'main.bicep',
      [
        '',
        'output STORAGE_CONNECTION_STRING string = storage.outputs.name',
        "output APPINSIGHTS string = reference('x', '2020-02-02').ConnectionString",
        '@secure()',
        'param adminPassword string = newGuid()',
        'output ECHO string = adminPassword',
        '',
      ].join('\n'),
    );
    const messages = (await lint(copy.dir))
      .filter((finding) => finding.check === 'secret-output')
      .map((finding) => finding.message);
    expect(messages).toEqual([
      'output STORAGE_CONNECTION_STRING is named like a secret',
      'output APPINSIGHTS reads the property ConnectionString',
      'output ECHO exposes the @secure() parameter adminPassword',
    ]);
  });

  it('reports a preview API version', async () => {
    await copy.replace(
      'core/monitor/monitoring.bicep',
      'Microsoft.Insights/components@2020-02-02',
      'Microsoft.Insights/components@2020-02-02-preview',
    );
    expect(summary(await lint(copy.dir))).toEqual([
      expect.stringMatching(
        /infra\/core\/monitor\/monitoring\.bicep:\d+ \[api-version\] Microsoft\.Insights\/components@2020-02-02-preview/,
      ),
    ]);
  });

  it('reports a parameter set but not declared, and a required parameter not set', async () => {
    await copy.replace('main.parameters.json', '"authIssuer"', '"authIssuerTypo"');
    const findings = summary(await lint(copy.dir));
    expect(findings).toEqual([
      expect.stringMatching(/infra\/main\.bicep:\d+ \[parameters\] required parameter authIssuer is not set/),
      expect.stringMatching(/infra\/main\.parameters\.json:\d+ \[parameters\] sets "authIssuerTypo"/),
    ]);
  });

  it('reports a ${VAR} without default that would hide the Bicep default of a parameter that must not be empty', async () => {
    await copy.replace('main.parameters.json', '${ACS_DATA_LOCATION=United States}', '${ACS_DATA_LOCATION}');
    expect(summary(await lint(copy.dir))).toEqual([
      expect.stringMatching(
        /infra\/main\.parameters\.json:\d+ \[parameter-default\] "acsDataLocation": \$\{ACS_DATA_LOCATION\} has no default: azd passes '' when ACS_DATA_LOCATION is unset, .*write \$\{ACS_DATA_LOCATION=United States\}$/,
      ),
    ]);
  });

  it('reports a ${VAR} without default in front of any non-empty Bicep default, but not where azd asks instead', async () => {
    await copy.replace('main.bicep', "param authAdminRole string = ''", "param authAdminRole string = 'Chat.Admin'");
    // authIssuer has no Bicep default: azd prompts for an unset AUTH_ISSUER, so ${AUTH_ISSUER} stays as it is.
    expect(summary(await lint(copy.dir))).toEqual([
      expect.stringMatching(/\[parameter-default\] "authAdminRole": \$\{AUTH_ADMIN_ROLE\} has no default/),
    ]);
  });

  it('reports a default that is empty for a @minLength parameter or disagrees with the Bicep default', async () => {
    await copy.replace('main.parameters.json', '${ACS_DATA_LOCATION=United States}', '${ACS_DATA_LOCATION=}');
    await copy.replace('main.parameters.json', '${ACS_DELETE_LOCK=true}', '${ACS_DELETE_LOCK=false}');
    expect(summary(await lint(copy.dir))).toEqual([
      expect.stringMatching(/"acsDataLocation": \$\{ACS_DATA_LOCATION\} defaults to '', which acsDataLocation/),
      expect.stringMatching(
        /"acsDeleteLock": \$\{ACS_DELETE_LOCK\} defaults to 'false' but the Bicep default is 'true'/,
      ),
    ]);
  });

  it('reports a module path that does not exist', async () => {
    await copy.replace('main.bicep', "'./app/rbac.bicep'", "'./app/rbac-missing.bicep'");
    expect(summary(await lint(copy.dir))).toEqual([
      // app/rbac.bicep is no longer deployed, so neither are the app's Content Safety, ACS (email), attachments and Web
      // PubSub roles it assigns.
      expect.stringMatching(
        /content-safety\.bicep:\d+ \[content-safety\] no unconditional role .* Cognitive Services User/,
      ),
      expect.stringMatching(
        /communication-service\.bicep:\d+ \[email\] no unconditional role .* Communication and Email Service Owner/,
      ),
      expect.stringMatching(
        /storage-account\.bicep:\d+ \[attachments\] no unconditional role .* Storage Blob Delegator/,
      ),
      expect.stringMatching(
        /storage-account\.bicep:\d+ \[attachments\] no unconditional role .* Blob Data Contributor/,
      ),
      expect.stringMatching(/storage-account\.bicep:\d+ \[attachments\] no unconditional role .* blob index tags/),
      expect.stringMatching(/infra\/core\/webpubsub\/webpubsub\.bicep:\d+ \[web-pubsub\] no unconditional role/),
      expect.stringMatching(/infra\/main\.bicep:\d+ \[module-path\] module rbac points at/),
    ]);
  });

  it('reports a role id that is not a documented built-in role', async () => {
    await copy.replace(
      'app/rbac.bicep',
      "'0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor",
      "'0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa4' // Storage Table Data Contributor",
    );
    const findings = (await lint(copy.dir)).filter((finding) => finding.check.startsWith('role'));
    expect(findings.map((finding) => finding.check)).toEqual(['role-id', 'role-assignment', 'role-assignment']);
  });

  it('reports a role id whose name comment is missing or wrong', async () => {
    await copy.replace('app/rbac.bicep', '// Monitoring Metrics Publisher', '// Metrics');
    expect(summary(await lint(copy.dir))).toEqual([
      expect.stringMatching(/\[role-id\] 3913510d-.* is "Monitoring Metrics Publisher"/),
    ]);
  });

  it('reports a role assignment without a justification, and a broad role', async () => {
    await copy.replace('app/rbac.bicep', /^\/\/ Justification: Application Insights.*\n/m, '');
    await copy.replace(
      'app/rbac.bicep',
      "'3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher",
      "'b24988ac-6180-42a0-ab88-20f7382dd24c' // Contributor",
    );
    const messages = (await lint(copy.dir)).map((finding) => finding.message);
    expect(messages).toEqual([
      'appMetricsPublisher needs a one-line justification comment directly above it',
      'appMetricsPublisher assigns the broad role "Contributor"; use a narrower built-in role',
    ]);
  });
});

describe('npm run lint:infra', () => {
  it('prints file:line findings and exits non-zero on a broken copy', async () => {
    const copy = await copyInfra();
    try {
      await copy.append('app/api.bicep', '\nvar x = listKeys(\n');
      const failure = await run(
        process.execPath,
        [path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/lint-infra/index.ts', copy.dir],
        { cwd: repoRoot },
      ).then(
        () => undefined,
        (error: { code?: number; stdout?: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stdout).toMatch(/api\.bicep:\d+: \[syntax\]/);
    } finally {
      await copy.remove();
    }
  });
});
