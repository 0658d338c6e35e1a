import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ANY_FREE_PORTS } from '../dev/free-ports';
import { loadOrCreateSigningKey, signDevToken } from '../dev/issuer';
import type { DevStackInfo } from '../dev/local-stack';
import { EmulatorControlClient } from '../emulator';

/** `npm run dev` in a process of its own on free ports, for benchmarks: its info, tokens, control API, HTTP. */
export interface BenchStack {
  info: DevStackInfo;
  control: EmulatorControlClient;
  /** A bearer token the stack accepts for `userId`. */
  token(userId: string, claims?: { roles?: string[] }): Promise<string>;
  send(url: string, method: string, token: string, body?: unknown): Promise<{ status: number; json: unknown }>;
  /** Like send, with extra headers (an empty token sends none) and the response's Retry-After. */
  sendFull(
    url: string,
    method: string,
    token: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: unknown; retryAfter: string | null }>;
  /** CPU time the stack's process has used so far, in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** User plus system CPU time of a process, in ms (Linux /proc; NaN elsewhere). */
export function processCpuMs(pid: number | undefined): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
/** USER_HZ, 100 on every Linux platform Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * BENCH_CPU_PROF=<dir> runs the stack under `node --cpu-prof`, writing its profile there when the benchmark stops it
 * (open it in Chrome DevTools or VS Code). `imports`: modules (absolute paths, TypeScript allowed) the stack's process
 * imports before the stack, to observe it from inside (bench/blob-probe.ts).
 */
export async function startBenchStack(
  env: Record<string, string> = {},
  maxSockets = 64,
  imports: string[] = [],
): Promise<BenchStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-stack-'));
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...profile,
      '--import',
      'tsx',
      ...imports.flatMap((module) => ['--import', module]),
      join(__dirname, '../dev/stack.ts'),
    ],
    {
      env: {
        ...process.env,
        DEV_DATA_DIR: dataDir,
        ...ANY_FREE_PORTS,
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const stackFile = join(dataDir, 'dev-stack.json');
  const deadline = Date.now() + 30_000;
  while (!existsSync(stackFile)) {
    if (Date.now() > deadline) throw new Error('dev stack did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const info = JSON.parse(readFileSync(stackFile, 'utf8')) as DevStackInfo;
  const key = await loadOrCreateSigningKey(join(dataDir, 'dev-issuer', 'signing-key.json'));
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    info,
    // The stack's own emulator; a stack pointed at an emulator of its own process (ACS_CONNECTION_STRING) has none.
    get control() {
      if (!info.acs.connectionString || !info.acs.caCertPath) throw new Error('this stack runs no emulator of its own');
      return EmulatorControlClient.fromConnectionString(
        info.acs.connectionString,
        readFileSync(info.acs.caCertPath, 'utf8'),
      );
    },
    token: (userId, claims = {}) => signDevToken(key, info.auth.issuer, info.auth.audience, userId, claims),
    send: (url, method, token, body) => sendRequest(agent, url, method, token, body),
    sendFull: (url, method, token, body, headers) => sendRequest(agent, url, method, token, body, headers),
    cpuMs: () => processCpuMs(child.pid),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
      agent.destroy();
    },
  };
}

/** One HTTP request on `agent` with a JSON body (if any) and a bearer token (an empty token sends none). */
export function sendRequest(
  agent: Agent,
  url: string,
  method: string,
  token: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<{ status: number; json: unknown; retryAfter: string | null }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        agent,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...extraHeaders,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? (JSON.parse(text) as unknown) : undefined;
          } catch {
            json = text;
          }
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            json,
            retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
          });
        });
      },
    );
    // A dropped connection is what a client sees as status 0.
    req.on('error', (error) =>
      isConnectionDrop(error) ? resolve({ status: 0, json: undefined, retryAfter: null }) : reject(error),
    );
    req.end(payload);
  });
}

export const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

function isConnectionDrop(error: Error): boolean {
  const code = (error as Error & { code?: string }).code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNREFUSED';
}

export interface BenchEmulator {
  connectionString: string;
  caCertPath: string;
  /** The CA as a PEM bundle, for NODE_EXTRA_CA_CERTS. */
  caBundlePath: string;
  /** CPU time the emulator's process has used so far, in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** `npm run emulator` in a process of its own on a free port, in memory, ACS's rate limits off. */
export async function startBenchEmulator(): Promise<BenchEmulator> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, '../emulator/acs/cli.ts'), '--port', '0', '--in-memory', '--no-rate-limits'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  const field = (name: string): string | undefined => new RegExp(`${name}:\\s+(\\S+)`).exec(output)?.[1];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('emulator did not start')), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (field('CA bundle')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => reject(new Error(`emulator exited: ${output}`)));
  });
  return {
    connectionString: field('connection string')!,
    caCertPath: field('CA certificate')!,
    caBundlePath: field('CA bundle')!,
    cpuMs: () => processCpuMs(child.pid),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
