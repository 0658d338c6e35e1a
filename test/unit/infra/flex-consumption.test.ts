import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

import type { Finding } from '../../../scripts/lint-infra/finding';
import { lintInfra } from '../../../scripts/lint-infra/lint-infra';
import { AZURE_REQUIRED_SETTINGS } from '../../../src/config';
import { copyInfra, type InfraCopy } from './infra-copy';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '..', '..', '..');
const API = 'app/api.bicep';
const SITE_CONFIG = "    siteConfig: {\n      minTlsVersion: '1.2'\n";
const SOURCE =
  'https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations';

/** lint:infra refuses what Microsoft lists as unsupported on Flex Consumption sites. */
describe('lint:infra Flex Consumption properties, on broken copies', () => {
  let copy: InfraCopy;
  beforeEach(async () => {
    copy = await copyInfra();
  });
  afterEach(async () => {
    await copy.remove();
  });

  async function flexFindings(): Promise<string[]> {
    const findings: Finding[] = await lintInfra({
      infraDir: copy.dir,
      requiredAppSettings: AZURE_REQUIRED_SETTINGS,
      displayBase: path.dirname(copy.dir),
    });
    return findings
      .filter((finding) => finding.check === 'flex-consumption')
      .map((finding) => `${finding.file}:${finding.line} ${finding.message}`);
  }

  it('reports ftpsState in siteConfig with its line, reason and source', async () => {
    const before = await readFile(path.join(copy.dir, API), 'utf8');
    // The inserted line comes right after siteConfig's first two lines.
    const line = before.slice(0, before.indexOf(SITE_CONFIG) + SITE_CONFIG.length).split('\n').length;
    await copy.replace(API, SITE_CONFIG, `${SITE_CONFIG}      ftpsState: 'Disabled'\n`);
    expect(await flexFindings()).toEqual([
      `${path.join('infra', 'app', 'api.bicep')}:${line} Flex Consumption site functionApp sets siteConfig.ftpsState, ` +
        `which Flex Consumption does not support (FTPS not supported; ${SOURCE})`,
    ]);
  });

  it('reports listed properties on the site, in siteConfig and in a web config resource, in any case', async () => {
    await copy.replace(API, SITE_CONFIG, `${SITE_CONFIG}      AlwaysOn: false\n`);
    await copy.replace(API, '    httpsOnly: true\n', '    httpsOnly: true\n    containerSize: 1536\n');
    await copy.replace(
      API,
      "  resource appSettings 'config' = {",
      "  resource web 'config' = {\n    name: 'web'\n    properties: {\n      use32BitWorkerProcess: false\n    }\n  }\n\n" +
        "  resource appSettings 'config' = {",
    );
    expect(await flexFindings()).toEqual([
      expect.stringMatching(/sets properties\.containerSize, .*\(renamed as instanceMemoryMB;/),
      expect.stringMatching(/sets siteConfig\.AlwaysOn, .*\(not valid;/),
      expect.stringMatching(/sets config 'web'\.use32BitWorkerProcess, .*\(32-bit not supported;/),
    ]);
  });

  it('reports a listed app setting', async () => {
    await copy.replace(
      API,
      '      ACS_ENDPOINT: acsEndpoint\n',
      "      ACS_ENDPOINT: acsEndpoint\n      FUNCTIONS_WORKER_RUNTIME: 'node'\n",
    );
    expect(await flexFindings()).toEqual([
      expect.stringMatching(
        /sets app setting FUNCTIONS_WORKER_RUNTIME, .*\(replaced by name in properties\.functionAppConfig\.runtime;/,
      ),
    ]);
  });

  it('leaves a site without functionAppConfig (not Flex Consumption) alone', async () => {
    await copy.replace(API, SITE_CONFIG, `${SITE_CONFIG}      ftpsState: 'Disabled'\n`);
    await copy.replace(API, '    functionAppConfig: {', '    otherConfig: {');
    expect(await flexFindings()).toEqual([]);
  });
});

describe('npm run lint:infra on a Flex site with ftpsState', () => {
  it('prints the finding and exits 1', async () => {
    const copy = await copyInfra();
    try {
      await copy.replace(API, SITE_CONFIG, `${SITE_CONFIG}      ftpsState: 'Disabled'\n`);
      const failure = await run(process.execPath, ['--import', 'tsx', 'scripts/lint-infra/index.ts', copy.dir], {
        cwd: repoRoot,
      }).then(
        () => undefined,
        (error: { code?: number; stdout?: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stdout).toMatch(/api\.bicep:\d+: \[flex-consumption\] .*siteConfig\.ftpsState/);
    } finally {
      await copy.remove();
    }
  });
});
