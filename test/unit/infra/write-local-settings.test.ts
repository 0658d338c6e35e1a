import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const hook = path.resolve(__dirname, '..', '..', '..', 'infra', 'hooks', 'write-local-settings.mjs');

/** What `azd env get-values` prints after `azd up` (dotenv, Go-style quoting). */
const AZD_VALUES = [
  'ACS_ENDPOINT="https://acs-abc.unitedstates.communication.azure.com"',
  'API_IDENTITY_CLIENT_ID="11111111-2222-3333-4444-555555555555"',
  'AZURE_ENV_NAME="dev"',
  'AZURE_STORAGE_BLOB_ENDPOINT="https://stabc.blob.core.windows.net/"',
  'AZURE_STORAGE_TABLE_ENDPOINT="https://stabc.table.core.windows.net/"',
  'AUTH_ISSUER="https://login.microsoftonline.com/tenant/v2.0"',
  'AUTH_AUDIENCE="api://chat,api://chat-dev"',
  'PRUNE_SCHEDULE="0 0 3 * * *"',
  'WEBPUBSUB_ENDPOINT="https://wps-abc.webpubsub.azure.com"',
  'WEBPUBSUB_HUB="chat"',
  'ATTACHMENTS_BLOB_ENDPOINT="https://stabc.blob.core.windows.net/"',
  'ATTACHMENTS_CONTAINER="attachments"',
  'CONTENT_SAFETY_ENDPOINT="https://cog-cs-abc.cognitiveservices.azure.com/"',
  'EMAIL_SENDER="DoNotReply@00000000-0000-0000-0000-000000000000.azurecomm.net"',
  'APP_BASE_URL="https://chat.example"',
  'EMAIL_CUSTOM_DOMAIN_RECORDS="{}"',
  'CORS_ALLOWED_ORIGINS="https://app.example, https://admin.example"',
  'NOTE="say \\"hi\\""',
  '',
].join('\n');

interface LocalSettings {
  IsEncrypted: boolean;
  Values: Record<string, string>;
  Host?: Record<string, unknown>;
}

describe('infra/hooks/write-local-settings.mjs (azd postprovision)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'local-settings-'));
    await writeFile(path.join(dir, 'azd.env'), AZD_VALUES);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the hook on azd.env and returns what it printed. */
  async function hookOutput(): Promise<string> {
    const out = path.join(dir, 'local.settings.json');
    return (await run(process.execPath, [hook, '--values-file', path.join(dir, 'azd.env'), '--out', out])).stdout;
  }

  async function runHook(): Promise<LocalSettings> {
    await hookOutput();
    return JSON.parse(await readFile(path.join(dir, 'local.settings.json'), 'utf8')) as LocalSettings;
  }

  it('writes endpoints and plain settings for the deployed environment, and no identity client id', async () => {
    const settings = await runHook();
    expect(settings.IsEncrypted).toBe(false);
    expect(settings.Values).toEqual({
      FUNCTIONS_WORKER_RUNTIME: 'node',
      ACS_ENDPOINT: 'https://acs-abc.unitedstates.communication.azure.com',
      AzureWebJobsStorage__blobServiceUri: 'https://stabc.blob.core.windows.net/',
      AzureWebJobsStorage__tableServiceUri: 'https://stabc.table.core.windows.net/',
      AUTH_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0',
      AUTH_AUDIENCE: 'api://chat,api://chat-dev',
      PRUNE_SCHEDULE: '0 0 3 * * *',
      WEBPUBSUB_ENDPOINT: 'https://wps-abc.webpubsub.azure.com',
      WEBPUBSUB_HUB: 'chat',
      ATTACHMENTS_BLOB_ENDPOINT: 'https://stabc.blob.core.windows.net/',
      ATTACHMENTS_CONTAINER: 'attachments',
      CONTENT_SAFETY_ENDPOINT: 'https://cog-cs-abc.cognitiveservices.azure.com/',
      EMAIL_SENDER: 'DoNotReply@00000000-0000-0000-0000-000000000000.azurecomm.net',
      APP_BASE_URL: 'https://chat.example',
    });
    expect(settings.Host).toEqual({ CORS: 'https://app.example,https://admin.example' });
  });

  it("keeps the developer's own settings but drops connection strings that would override the deployment", async () => {
    await writeFile(
      path.join(dir, 'local.settings.json'),
      JSON.stringify({
        Values: {
          ACS_CONNECTION_STRING: 'endpoint=https://x/;accesskey=abc',
          WEBPUBSUB_CONNECTION_STRING: 'Endpoint=http://127.0.0.1:8080;AccessKey=abc;Version=1.0;',
          AzureWebJobsStorage: 'UseDevelopmentStorage=true',
          MY_FLAG: 'on',
        },
      }),
    );
    const settings = await runHook();
    expect(settings.Values.MY_FLAG).toBe('on');
    expect(settings.Values).not.toHaveProperty('ACS_CONNECTION_STRING');
    expect(settings.Values).not.toHaveProperty('WEBPUBSUB_CONNECTION_STRING');
    expect(settings.Values).not.toHaveProperty('AzureWebJobsStorage');
    expect(JSON.stringify(settings)).not.toMatch(/accesskey|AccountKey/i);
  });

  it('says how to get data roles when the environment grants the developer none (the default)', async () => {
    expect(await hookOutput()).toMatch(/azd env set ALLOW_USER_IDENTITY_PRINCIPAL true/);
    await writeFile(path.join(dir, 'azd.env'), `${AZD_VALUES}ALLOW_USER_IDENTITY_PRINCIPAL="true"\n`);
    expect(await hookOutput()).not.toMatch(/ALLOW_USER_IDENTITY_PRINCIPAL/);
  });

  it('fails with a clear message when the environment has not been provisioned', async () => {
    await writeFile(path.join(dir, 'azd.env'), 'AZURE_ENV_NAME="dev"\n');
    const failure = await run(process.execPath, [
      hook,
      '--values-file',
      path.join(dir, 'azd.env'),
      '--out',
      path.join(dir, 'out.json'),
    ]).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(
      /lacks ACS_ENDPOINT, AZURE_STORAGE_BLOB_ENDPOINT, AZURE_STORAGE_TABLE_ENDPOINT, AUTH_ISSUER, AUTH_AUDIENCE, WEBPUBSUB_ENDPOINT, ATTACHMENTS_BLOB_ENDPOINT, CONTENT_SAFETY_ENDPOINT, EMAIL_SENDER/,
    );
  });
});
