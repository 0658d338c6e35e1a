import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';

import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';

import { EmulatorControlClient } from '../emulator';
import { signRequest } from '../emulator/acs/hmac';

/**
 * Chat throughput of the ACS emulator over keep-alive HTTPS on loopback.
 * The emulator runs in its own process (as in the dev stack) so the load generator does not share its
 * event loop. Mix: 50% sendMessage, 50% listMessages (maxPageSize 20) over a few threads and users.
 * Bounded: fixed duration per phase, loopback only. Target: >= 1,000 req/s.
 */

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const USERS = 8;

interface Emu {
  child: ChildProcess;
  endpoint: string;
  connectionString: string;
  ca: string;
}

async function startChild(): Promise<Emu> {
  const tsxCli = require.resolve('tsx/cli');
  const child = spawn(
    process.execPath,
    [tsxCli, join(__dirname, '../emulator/acs/cli.ts'), '--in-memory', '--port', '0', '--no-rate-limits'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${out}`)), 30_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const endpoint = /endpoint:\s+(\S+)/.exec(out)?.[1];
      const connectionString = /connection string:\s+(\S+)/.exec(out)?.[1];
      const caPath = /CA certificate:\s+(\S+)/.exec(out)?.[1];
      if (endpoint && connectionString && caPath && out.includes('Ctrl-C')) {
        clearTimeout(timer);
        resolve({ child, endpoint, connectionString, ca: readFileSync(caPath, 'utf8') });
      }
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${out}`)));
  });
}

function call(
  agent: Agent,
  emu: Emu,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, emu.endpoint), { method, headers, agent, ca: emu.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const emu = await startChild();
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: emu.ca });
  const key = /accesskey=(.*)$/i.exec(emu.connectionString)?.[1] ?? '';
  try {
    // Set-up over the same wire: users (HMAC) and one thread per user pair.
    const users: { id: string; token: string }[] = [];
    for (let i = 0; i < USERS; i++) {
      const url = new URL('identities?api-version=2023-10-01', emu.endpoint);
      const body = JSON.stringify({ createTokenWithScopes: ['chat'] });
      const r = await call(
        agent,
        emu,
        'POST',
        url.pathname + url.search,
        { ...signRequest(key, 'POST', url, body), 'content-type': 'application/json' },
        body,
      );
      const j = JSON.parse(r.text) as { identity: { id: string }; accessToken: { token: string } };
      users.push({ id: j.identity.id, token: j.accessToken.token });
    }
    const threads: { id: string; token: string }[] = [];
    for (const [i, u] of users.entries()) {
      const other = users[(i + 1) % USERS] as { id: string };
      const body = JSON.stringify({
        topic: `bench ${i}`,
        participants: [{ communicationIdentifier: { communicationUser: { id: other.id } } }],
      });
      const r = await call(
        agent,
        emu,
        'POST',
        '/chat/threads?api-version=2025-03-15',
        { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
        body,
      );
      threads.push({ id: (JSON.parse(r.text) as { chatThread: { id: string } }).chatThread.id, token: u.token });
    }
    const control = EmulatorControlClient.fromConnectionString(emu.connectionString, emu.ca);
    await control.resetCounts();

    // Phase 1: raw keep-alive HTTPS.
    const latencies: number[] = [];
    let errors = 0;
    let n = 0;
    const end = Date.now() + DURATION_MS;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        let i = w;
        while (Date.now() < end) {
          const t = threads[i++ % threads.length] as { id: string; token: string };
          const base = `/chat/threads/${encodeURIComponent(t.id)}/messages`;
          const headers = { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' };
          const start = performance.now();
          const r =
            i % 2 === 0
              ? await call(
                  agent,
                  emu,
                  'POST',
                  `${base}?api-version=2025-03-15`,
                  headers,
                  JSON.stringify({ content: `message ${i}` }),
                )
              : await call(agent, emu, 'GET', `${base}?maxPageSize=20&api-version=2025-03-15`, headers);
          latencies.push(performance.now() - start);
          if (r.status !== 201 && r.status !== 200) errors++;
          n++;
        }
      }),
    );
    const seconds = (Date.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    const counts = await control.requestCounts();
    const rps = n / seconds;
    console.log(`raw https keep-alive, concurrency ${CONCURRENCY}, ${seconds.toFixed(1)} s:`);
    console.log(
      `  ${n} chat requests (${counts['chat.sendMessage'] ?? 0} sendMessage, ${counts['chat.listMessages'] ?? 0} listMessages), ${errors} errors`,
    );
    console.log(
      `  ${rps.toFixed(0)} req/s   p50 ${percentile(latencies, 50).toFixed(1)} ms   p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );

    // Phase 2: the official SDK, a few concurrent clients (client-side SDK overhead included).
    const sdkEnd = Date.now() + DURATION_MS;
    let sdkN = 0;
    const s0 = Date.now();
    await Promise.all(
      threads.map(async (t, w) => {
        const tc = new ChatClient(emu.endpoint, new AzureCommunicationTokenCredential(t.token), {
          tlsOptions: { ca: emu.ca },
        }).getChatThreadClient(t.id);
        const lanes = Math.max(1, Math.floor(CONCURRENCY / threads.length));
        await Promise.all(
          Array.from({ length: lanes }, async (_, l) => {
            let i = w + l;
            while (Date.now() < sdkEnd) {
              if (i++ % 2 === 0) await tc.sendMessage({ content: 'sdk' });
              else await tc.listMessages({ maxPageSize: 20 }).byPage().next(); // first page only
              sdkN++;
            }
          }),
        );
      }),
    );
    const sdkRps = sdkN / ((Date.now() - s0) / 1000);
    console.log(
      `official SDK (${threads.length} clients), ${(DURATION_MS / 1000).toFixed(0)} s: ${sdkRps.toFixed(0)} req/s (client-side SDK overhead included)`,
    );
    console.log(
      `RESULT emulator chat throughput: ${rps.toFixed(0)} req/s (target >= 1000) ${rps >= 1000 ? 'OK' : 'BELOW TARGET'}`,
    );
  } finally {
    agent.destroy();
    emu.child.kill('SIGTERM');
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
