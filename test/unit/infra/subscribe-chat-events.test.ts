import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import {
  type ArmRequest,
  asEventGridReturnsIt,
  AZURE_SUBSCRIPTION_ID,
  type FakeArm,
  startFakeArm,
  SUBSCRIPTION_ID,
  SUBSCRIPTION_PROPERTIES,
} from './fake-arm';
import { type AzdCall, installFakeAzd } from './fake-azd';

const run = promisify(execFile);
const hooksDir = path.resolve(__dirname, '..', '..', '..', 'infra', 'hooks');
const HOOK_FILES = ['subscribe-chat-events.mjs', 'chat-events-subscription.mjs'];
const TOKEN = 'fake-arm-token-0123456789';
const ARM_SCOPE = 'https://management.azure.com//.default';

interface HookRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// The fake azd is a script with a shebang, which Windows cannot start; there azd is azd.exe, started without a shell.
const posix = process.platform === 'win32' ? describe.skip : describe;

/**
 * The postdeploy hook, run as azd runs it (`node infra/hooks/subscribe-chat-events.mjs`) against a fake ARM on
 * loopback, with a fake azd as the only program on PATH: no Azure CLI, no network.
 */
posix('infra/hooks/subscribe-chat-events.mjs (azd postdeploy) against a fake ARM', () => {
  let dir: string;
  let arm: FakeArm | undefined;
  let azd: Awaited<ReturnType<typeof installFakeAzd>>;

  beforeEach(async () => {
    dir = await realpath(await mkdtemp(path.join(tmpdir(), 'chat-events-hook-')));
    azd = await installFakeAzd(path.join(dir, 'Azure Dev CLI'));
  });
  afterEach(async () => {
    await arm?.close();
    arm = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  /** The azd environment after `azd provision`, as azd hands it to hooks. */
  function azdEnvironment(): Record<string, string> {
    return {
      AZURE_SUBSCRIPTION_ID,
      CHAT_EVENTS_SUBSCRIPTION_ID: SUBSCRIPTION_ID,
      CHAT_EVENTS_SUBSCRIPTION_PROPERTIES: JSON.stringify(SUBSCRIPTION_PROPERTIES),
    };
  }

  async function runHook(
    options: { env?: Record<string, string>; hook?: string; cwd?: string; indexTimeout?: number } = {},
  ): Promise<HookRun> {
    const args = [
      options.hook ?? path.join(hooksDir, 'subscribe-chat-events.mjs'),
      ...['--arm-endpoint', arm?.endpoint ?? 'http://127.0.0.1:9'],
      ...['--poll-interval', '0.02', '--index-timeout', String(options.indexTimeout ?? 10)],
    ];
    const env = {
      PATH: path.dirname(azd.logFile),
      FAKE_AZD_LOG: azd.logFile,
      FAKE_AZD_TOKEN: TOKEN,
      ...(options.env ?? azdEnvironment()),
    };
    try {
      const { stdout, stderr } = await run(process.execPath, args, { env, cwd: options.cwd ?? dir });
      return { exitCode: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { exitCode: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  const puts = (requests: ArmRequest[]): ArmRequest[] => requests.filter((request) => request.method === 'PUT');

  it('waits while the app has not indexed chatEvents, then creates the subscription as provisioning defined it', async () => {
    arm = await startFakeArm({ token: TOKEN, functionIndexedAfter: 3 });
    const result = await runHook();

    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(
      result.stdout.match(/waiting for the app to index function chatEvents of function app func-api-abc/g),
    ).toHaveLength(3);
    expect(result.stdout).toMatch(/event subscription chat-events-to-function created/);
    // The one write is the subscription's: the system topic (and its azd-env-name tag) stays as provisioning made it.
    expect(puts(arm.requests)).toEqual([
      expect.objectContaining({
        path: SUBSCRIPTION_ID,
        apiVersion: '2025-02-15',
        body: { properties: SUBSCRIPTION_PROPERTIES },
      }),
    ]);
    expect(arm.requests.every((request) => request.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('changes nothing on a second run', async () => {
    arm = await startFakeArm({ token: TOKEN });
    expect((await runHook()).exitCode).toBe(0);
    const requestsOfFirstRun = arm.requests.length;

    const second = await runHook();
    expect(second).toMatchObject({ exitCode: 0, stderr: '' });
    expect(second.stdout).toMatch(/event subscription chat-events-to-function unchanged/);
    expect(puts(arm.requests.slice(requestsOfFirstRun))).toEqual([]);
  });

  it('updates a subscription that differs from what provisioning defined', async () => {
    const stale = asEventGridReturnsIt({
      ...SUBSCRIPTION_PROPERTIES,
      filter: { includedEventTypes: ['Microsoft.Communication.ChatThreadDeleted'] },
    });
    arm = await startFakeArm({ token: TOKEN, existingSubscription: stale });
    const result = await runHook();

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/chat-events-to-function updated/);
    expect(puts(arm.requests)).toHaveLength(1);
  });

  it.each([
    [401, 'InvalidAuthenticationToken', /refused azd's sign-in on system topic acs-abc-events.*Run `azd auth login`/],
    [403, 'AuthorizationFailed', /may not read system topic acs-abc-events \(403 AuthorizationFailed: .*Contributor/],
    [404, 'ResourceGroupNotFound', /system topic acs-abc-events was not found .*run `azd provision`/],
    [404, 'SubscriptionNotFound', /AZURE_SUBSCRIPTION_ID/],
  ])('fails at once on %i %s, saying what to do', async (status, code, advice) => {
    arm = await startFakeArm({ token: TOKEN, fail: () => ({ status, code, message: `${code} from the fake` }) });
    const started = Date.now();
    const result = await runHook();

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(advice);
    expect(arm.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('fails at once when writing the subscription is forbidden', async () => {
    arm = await startFakeArm({
      token: TOKEN,
      fail: (request) =>
        request.method === 'PUT' ? { status: 403, code: 'AuthorizationFailed', message: 'no write' } : undefined,
    });
    const result = await runHook();

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /may not write event subscription chat-events-to-function \(403 AuthorizationFailed: no write\).*eventSubscriptions\/write/,
    );
    expect(puts(arm.requests)).toHaveLength(1);
  });

  it('fails at once on an error other than "not indexed yet" while waiting for the function', async () => {
    arm = await startFakeArm({
      token: TOKEN,
      fail: (request) =>
        request.path.endsWith('/functions/chatEvents')
          ? { status: 500, code: 'InternalServerError', message: 'boom' }
          : undefined,
    });
    const result = await runHook();

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /GET function chatEvents of function app func-api-abc failed \(500 InternalServerError: boom\)/,
    );
    expect(result.stdout).not.toMatch(/waiting/);
  });

  it('gives up after the bound when the app never indexes chatEvents', async () => {
    arm = await startFakeArm({ token: TOKEN, functionIndexedAfter: Infinity });
    const result = await runHook({ indexTimeout: 0.2 });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /has not indexed function chatEvents .* after 0:00\. Check that `azd deploy` succeeded/,
    );
    expect(puts(arm.requests)).toEqual([]);
  });

  it("reports Event Grid's reason when it does not accept the subscription", async () => {
    arm = await startFakeArm({
      token: TOKEN,
      operationError: { code: 'Endpoint validation', message: 'Destination endpoint not found.' },
    });
    const result = await runHook();

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /did not accept event subscription chat-events-to-function \(Endpoint validation: Destination endpoint not found\.\)/,
    );
  });

  it('tells a signed-out user to run azd auth login, without calling ARM', async () => {
    arm = await startFakeArm({ token: TOKEN });
    const result = await runHook({ env: { ...azdEnvironment(), FAKE_AZD_SIGNED_OUT: '1' } });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/not logged in.*Sign in with `azd auth login`, the only sign-in this hook needs/);
    expect(arm.requests).toEqual([]);
  });

  it('never prints the token', async () => {
    arm = await startFakeArm({ token: TOKEN, fail: () => ({ status: 403, code: 'AuthorizationFailed', message: '' }) });
    const result = await runHook();
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
  });

  it('runs from a path with spaces, passing azd its arguments one by one, and reads the environment from azd', async () => {
    // A checkout under "My Projects/chat app", run by hand from elsewhere: no azd values in the environment.
    const project = path.join(dir, 'My Projects', 'chat app (copy)');
    await mkdir(path.join(project, 'infra', 'hooks'), { recursive: true });
    for (const file of HOOK_FILES)
      await copyFile(path.join(hooksDir, file), path.join(project, 'infra', 'hooks', file));
    arm = await startFakeArm({ token: TOKEN });

    const result = await runHook({
      hook: path.join(project, 'infra', 'hooks', 'subscribe-chat-events.mjs'),
      cwd: tmpdir(),
      env: { FAKE_AZD_ENV_VALUES: JSON.stringify(azdEnvironment()) },
    });

    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(await azd.calls()).toEqual<AzdCall[]>([
      { args: ['env', 'get-values', '--output', 'json'], cwd: project },
      { args: ['auth', 'token', '--output', 'json', '--scope', ARM_SCOPE], cwd: project },
    ]);
    expect(puts(arm.requests)).toHaveLength(1);
  });

  it('asks for azd provision when the environment lacks the subscription outputs', async () => {
    arm = await startFakeArm({ token: TOKEN });
    const result = await runHook({ env: { AZURE_SUBSCRIPTION_ID, CHAT_EVENTS_SUBSCRIPTION_ID: SUBSCRIPTION_ID } });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/lacks CHAT_EVENTS_SUBSCRIPTION_PROPERTIES: run `azd provision`/);
    expect(arm.requests).toEqual([]);
  });

  it('refuses outputs of another Azure subscription than the environment', async () => {
    arm = await startFakeArm({ token: TOKEN });
    const env = { ...azdEnvironment(), AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-0000000000b2' };
    const result = await runHook({ env });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/another Azure subscription than AZURE_SUBSCRIPTION_ID/);
    expect(arm.requests).toEqual([]);
  });
});

/** Calls an export of infra/hooks/chat-events-subscription.mjs in a plain Node process (jest cannot load .mjs). */
async function callHookExport(name: string, args: unknown[]): Promise<unknown> {
  const moduleUrl = pathToFileURL(path.join(hooksDir, 'chat-events-subscription.mjs')).href;
  const script = `const m = await import(${JSON.stringify(moduleUrl)});
process.stdout.write(JSON.stringify(await m[${JSON.stringify(name)}](...${JSON.stringify(args)})));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script]);
  return JSON.parse(stdout) as unknown;
}

describe('infra/hooks/chat-events-subscription.mjs, unit level', () => {
  it('starts azd without a shell, so a Windows path with spaces stays one argument', async () => {
    const project = 'C:\\Users\\Jane Doe\\My Projects\\chat app';
    expect(await callHookExport('azdCommand', [['env', 'get-values', '--output', 'json'], project])).toEqual({
      file: 'azd',
      args: ['env', 'get-values', '--output', 'json'],
      options: { cwd: project, shell: false, windowsHide: true },
    });
  });

  it("compares Event Grid's copy with the definition: its own additions ignored, resource ids in any case", async () => {
    const fromEventGrid = asEventGridReturnsIt(SUBSCRIPTION_PROPERTIES);
    expect(await callHookExport('includesProperties', [fromEventGrid, SUBSCRIPTION_PROPERTIES])).toBe(true);

    const fewerTypes = {
      ...SUBSCRIPTION_PROPERTIES,
      filter: { includedEventTypes: ['Microsoft.Communication.ChatThreadDeleted'] },
    };
    expect(await callHookExport('includesProperties', [fromEventGrid, fewerTypes])).toBe(false);
    const otherRetries = {
      ...SUBSCRIPTION_PROPERTIES,
      retryPolicy: { maxDeliveryAttempts: 10, eventTimeToLiveInMinutes: 1440 },
    };
    expect(await callHookExport('includesProperties', [fromEventGrid, otherRetries])).toBe(false);
  });
});
