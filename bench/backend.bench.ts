import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadOrCreateSigningKey, signDevToken } from '../dev/issuer';
import type { DevStackInfo } from '../dev/local-stack';
import { EmulatorControlClient } from '../emulator';

/**
 * The backend end to end: the dev stack (dev host + Azurite + ACS emulator) in its own process, driven over
 * keep-alive HTTP with real bearer tokens. Reports throughput and latency per operation and the upstream ACS calls
 * each request made (counted by the emulator). Informational: never gates CI.
 */

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 4) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

interface Stack {
  child: ChildProcess;
  info: DevStackInfo;
  dataDir: string;
}

async function startStack(): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-stack-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../dev/stack.ts')], {
    env: { ...process.env, DEV_DATA_DIR: dataDir, DEV_PORT: '0', DEV_TABLES_PORT: '0', DEV_ACS_PORT: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stackFile = join(dataDir, 'dev-stack.json');
  const deadline = Date.now() + 30_000;
  while (!existsSync(stackFile)) {
    if (Date.now() > deadline) throw new Error('dev stack did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, dataDir, info: JSON.parse(readFileSync(stackFile, 'utf8')) as DevStackInfo };
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(url: string, method: string, token: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        agent,
        headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function measure(label: string, operation: () => Promise<number>, control: EmulatorControlClient): Promise<void> {
  await control.resetCounts();
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + DURATION_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const started = performance.now();
        const status = await operation();
        latencies.push(performance.now() - started);
        if (status >= 400) errors += 1;
      }
    }),
  );
  const counts = await control.requestCounts();
  const acsCalls = Object.values(counts).reduce((sum, count) => sum + count, 0);
  latencies.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(22)} ${String(Math.round(latencies.length / (DURATION_MS / 1000))).padStart(6)} req/s   p50 ${percentile(latencies, 50).toFixed(1)} ms   p99 ${percentile(latencies, 99).toFixed(1)} ms   errors ${errors}   ACS calls/request ${(acsCalls / latencies.length).toFixed(2)}`,
  );
}

async function main(): Promise<void> {
  const stack = await startStack();
  try {
    const api = stack.info.apiBaseUrl;
    const key = await loadOrCreateSigningKey(join(stack.dataDir, 'dev-issuer', 'signing-key.json'));
    const tokens = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        signDevToken(key, stack.info.auth.issuer, stack.info.auth.audience, `bench-${i}`),
      ),
    );
    const owner = tokens[0]!;
    const participants = tokens.map((_, i) => ({ userId: `bench-${i}` })).slice(1);
    const created = await send(`${api}/threads`, 'POST', owner, { topic: 'bench', participants });
    const threadId = encodeURIComponent((created.json as { thread: { id: string } }).thread.id);
    for (const token of tokens) await send(`${api}/token`, 'POST', token);
    const control = EmulatorControlClient.fromConnectionString(
      stack.info.acs.connectionString!,
      readFileSync(stack.info.acs.caCertPath!, 'utf8'),
    );
    let next = 0;
    const anyToken = (): string => tokens[next++ % tokens.length]!;

    console.log(
      `backend over keep-alive HTTP, concurrency ${CONCURRENCY}, ${DURATION_MS / 1000} s each (load generator and stack on the same 2 cores)`,
    );
    await measure('POST /token', async () => (await send(`${api}/token`, 'POST', anyToken())).status, control);
    await measure(
      'POST messages',
      async () => (await send(`${api}/threads/${threadId}/messages`, 'POST', anyToken(), { content: 'hello' })).status,
      control,
    );
    await measure(
      'GET messages (20)',
      async () => (await send(`${api}/threads/${threadId}/messages?maxPageSize=20`, 'GET', anyToken())).status,
      control,
    );
    await measure(
      'GET thread',
      async () => (await send(`${api}/threads/${threadId}`, 'GET', anyToken())).status,
      control,
    );
  } finally {
    stack.child.kill('SIGTERM');
    await new Promise((resolve) => stack.child.once('exit', resolve));
    rmSync(stack.dataDir, { recursive: true, force: true });
    agent.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
