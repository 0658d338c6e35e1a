import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { WebPubSubServiceClient } from '@azure/web-pubsub';

import { ANY_FREE_PORTS } from '../../dev/free-ports';
import { loadOrCreateTls } from '../../emulator/acs/tls';
import { parseEnvelopes, startSink } from '../helpers/telemetry-sink';
import { waitForValue } from '../helpers/wait';

/** `npm run dev` as a newcomer runs it: a real process tree, free ports, its own data folder. */
const root = path.resolve(__dirname, '../..');

function descendants(pid: number): number[] {
  let output: string;
  try {
    output = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const children = output
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((child) => child > 0);
  return children.flatMap((child) => [child, ...descendants(child)]);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function startDev(
  dataDir: string,
  extraEnv: Record<string, string> = {},
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const child = spawn('npm', ['run', 'dev'], {
    cwd: root,
    env: {
      ...process.env,
      DEV_DATA_DIR: dataDir,
      ...ANY_FREE_PORTS,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, like a terminal job: Ctrl-C signals the whole group.
    detached: true,
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('npm run dev', () => {
  jest.setTimeout(60_000);
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it.each([
    ['SIGINT', 'Ctrl-C: SIGINT to the process group'],
    ['SIGTERM', 'SIGTERM to npm alone'],
  ] as const)('serves health within 20 s and stops every process on %s (%s)', async (signal, _how) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dev-stack-'));
    dirs.push(dataDir);
    const started = Date.now();
    const dev = startDev(dataDir);
    const stackFile = path.join(dataDir, 'dev-stack.json');
    const info = await waitForValue(
      () =>
        existsSync(stackFile)
          ? (JSON.parse(readFileSync(stackFile, 'utf8')) as {
              apiBaseUrl: string;
              acs: { endpoint: string };
              storage: { connectionString: string };
              auth: { issuer: string; audience: string };
              webPubSub: { endpoint: string; connectionString: string };
            })
          : undefined,
      20_000,
    );
    // It holds the emulator's access key: the developer's alone.
    expect(statSync(stackFile).mode & 0o777).toBe(0o600);
    const health = await fetch(`${info.apiBaseUrl}/health`);
    expect(health.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(info.acs.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(info.auth.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dev-issuer$/);
    // The Web PubSub emulator answers Microsoft's server SDK at the connection string the stack reports.
    expect(info.webPubSub.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const pubsub = new WebPubSubServiceClient(info.webPubSub.connectionString, 'chat', {
      allowInsecureConnection: true,
    });
    expect(await pubsub.userExists('nobody')).toBe(false);
    expect(dev.output()).toContain(info.apiBaseUrl);

    // dev:token prints only a token that the running stack accepts.
    const token = execFileSync('npm', ['run', '-s', 'dev:token', '--', 'dev-user', '--name', 'Dev User'], {
      cwd: root,
      env: { ...process.env, DEV_DATA_DIR: dataDir },
      encoding: 'utf8',
    }).trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const issued = await fetch(`${info.apiBaseUrl}/token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(issued.status).toBe(200);

    const tree = [dev.child.pid!, ...descendants(dev.child.pid!)];
    expect(tree.length).toBeGreaterThan(1);
    if (signal === 'SIGINT') process.kill(-dev.child.pid!, 'SIGINT');
    else dev.child.kill('SIGTERM');
    await dev.exited;
    await waitForValue(() => (tree.every((pid) => !alive(pid)) ? true : undefined), 10_000);
    await expect(fetch(`${info.apiBaseUrl}/health`)).rejects.toThrow();
  });

  it('exports spans and metrics: printed with DEV_TELEMETRY=console, to OTLP and to Application Insights, flushed on Ctrl-C', async () => {
    const collector = await startSink(() => ({}));
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dev-stack-'));
    dirs.push(dataDir);
    const tls = loadOrCreateTls(path.join(dataDir, 'ingestion-tls'));
    const ingestion = await startSink((_path, body) => {
      const items = parseEnvelopes(body).length;
      return { itemsReceived: items, itemsAccepted: items, errors: [] };
    }, tls);
    const dev = startDev(dataDir, {
      DEV_TELEMETRY: 'console',
      NODE_EXTRA_CA_CERTS: tls.caCertPath,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=${ingestion.url}/`,
    });
    try {
      const stackFile = path.join(dataDir, 'dev-stack.json');
      const info = await waitForValue(
        () =>
          existsSync(stackFile) ? (JSON.parse(readFileSync(stackFile, 'utf8')) as { apiBaseUrl: string }) : undefined,
        20_000,
      );
      expect(dev.output()).toContain(
        `Telemetry      spans and metrics printed here (DEV_TELEMETRY=console); OTLP to ${collector.url}`,
      );
      expect((await fetch(`${info.apiBaseUrl}/health`)).status).toBe(200);
      process.kill(-dev.child.pid!, 'SIGINT');
      await dev.exited;
    } finally {
      await collector.close();
      await ingestion.close();
    }
    // The console: the span as the SDK's console exporter prints it.
    expect(dev.output()).toMatch(/name: 'GET \/api\/health'/);
    // An OTLP collector: spans (JSON over HTTP) and metrics.
    const otlp = (suffix: string) =>
      collector.received
        .filter((entry) => entry.path === `/v1/${suffix}`)
        .map((entry) => entry.body)
        .join();
    expect(otlp('traces')).toContain('"GET /api/health"');
    expect(otlp('metrics')).toContain('"chat.requests"');
    // Application Insights: a request row named by route, with its result code; the metric with its dimensions.
    const envelopes = ingestion.received.flatMap((entry) => parseEnvelopes(entry.body));
    const request = envelopes.find(
      (envelope) => envelope.data.baseType === 'RequestData' && envelope.data.baseData.name === 'GET /api/health',
    );
    expect(request?.data.baseData).toMatchObject({ responseCode: '200', success: true });
    expect(request?.data.baseData.properties).toMatchObject({ 'faas.trigger': 'http', 'faas.name': 'health' });
    const metric = envelopes.find((envelope) =>
      envelope.data.baseData.metrics?.some((point) => point.name === 'chat.requests'),
    );
    expect(metric?.data.baseData.properties).toMatchObject({
      'http.route': '/api/health',
      'http.response.status_code': '200',
    });
  });

  it('refuses to start with a malformed setting and names it', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dev-stack-'));
    dirs.push(dataDir);
    const dev = startDev(dataDir, { USER_TOKEN_MINUTES: 'soon' });
    const code = await dev.exited;
    expect(code).not.toBe(0);
    expect(dev.output()).toContain('USER_TOKEN_MINUTES is malformed');
    expect(dev.output()).not.toMatch(/\n\s+at /);
  });
});
