import { readFileSync } from 'node:fs';

import { ChatClient, type ChatThreadClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';

import { type BenchEmulator, type BenchStack, percentile, startBenchEmulator, startBenchStack } from './dev-stack';

/**
 * What the backend itself costs, side by side in one run: the same chat call made through the backend (dev host, over
 * keep-alive HTTP, bearer token verified, caller's ACS identity looked up, SDK call as that identity) and made directly
 * with @azure/communication-chat as that same user (with the ACS token the backend issued them), against the same
 * emulator. The emulator runs in a process of its own, so that it competes with neither side's process (the dev
 * stack would otherwise host it beside the backend); chat events are not subscribed, so only the calls are measured.
 * Direct and backend rounds alternate and each ratio is the median of the per-round ratios, so that both sides see
 * the same background load (load generator, dev stack and emulator share the 2 cores). Latency ratio at concurrency
 * 1 (p50, backend / direct; target ≤ 1.5) and throughput ratio at concurrency 16 (backend / direct).
 *
 * The emulator's rate limits are off (--no-rate-limits): sends are capped at 10 per thread per 10 s, which both sides
 * would hit at once; this measures the backend's overhead, not ACS's limits (scale-out.bench.ts has them on).
 */

const ROUND_MS = Number(process.env.BENCH_SECONDS ?? 1) * 1000;
const ROUNDS = 5;
const USERS = 8;

type Operation = (user: number) => Promise<void>;

interface Sample {
  latencies: number[];
  requests: number;
  ms: number;
  /** CPU time the dev stack (backend) and the emulator processes used meanwhile. */
  stackCpuMs: number;
  emulatorCpuMs: number;
}

/** The processes whose CPU time is counted per request. */
const meters: { stack: () => number; emulator: () => number } = { stack: () => 0, emulator: () => 0 };

async function drive(operation: Operation, concurrency: number, sample: Sample): Promise<void> {
  const end = performance.now() + ROUND_MS;
  const started = performance.now();
  const stackCpu = meters.stack();
  const emulatorCpu = meters.emulator();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const user = next++ % USERS;
        const t0 = performance.now();
        await operation(user);
        sample.latencies.push(performance.now() - t0);
        sample.requests += 1;
      }
    }),
  );
  sample.ms += performance.now() - started;
  sample.stackCpuMs += meters.stack() - stackCpu;
  sample.emulatorCpuMs += meters.emulator() - emulatorCpu;
}

const newSample = (): Sample => ({ latencies: [], requests: 0, ms: 0, stackCpuMs: 0, emulatorCpuMs: 0 });
const median = (values: number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** Alternating rounds; the ratios (backend / direct) of each round, and every round's samples pooled per side. */
async function compare(
  name: string,
  sides: { backend: Operation; direct: Operation },
  concurrency: number,
): Promise<{ latencyRatio: number; throughputRatio: number; backend: Sample; direct: Sample }> {
  const pooled = { backend: newSample(), direct: newSample() };
  const latencyRatios: number[] = [];
  const throughputRatios: number[] = [];
  // Warm both paths (connections, cached tokens and identities) before measuring.
  await drive(sides.direct, concurrency, newSample());
  await drive(sides.backend, concurrency, newSample());
  for (let round = 0; round < ROUNDS; round += 1) {
    const direct = newSample();
    const backend = newSample();
    await drive(sides.direct, concurrency, direct);
    await drive(sides.backend, concurrency, backend);
    latencyRatios.push(p50(backend) / p50(direct));
    throughputRatios.push(rate(backend) / rate(direct));
    for (const [side, sample] of [
      ['direct', direct],
      ['backend', backend],
    ] as const) {
      pooled[side].latencies.push(...sample.latencies);
      pooled[side].requests += sample.requests;
      pooled[side].ms += sample.ms;
      pooled[side].stackCpuMs += sample.stackCpuMs;
      pooled[side].emulatorCpuMs += sample.emulatorCpuMs;
    }
  }
  for (const side of ['direct', 'backend'] as const) {
    const sample = pooled[side];
    const sorted = [...sample.latencies].sort((a, b) => a - b);
    console.log(
      `${name.padEnd(14)} c=${String(concurrency).padEnd(3)} ${side.padEnd(8)} ` +
        `${String(Math.round(rate(sample))).padStart(5)} req/s   ` +
        `p50 ${percentile(sorted, 50).toFixed(1)} ms   p99 ${percentile(sorted, 99).toFixed(1)} ms   CPU/request: ` +
        `dev stack ${(sample.stackCpuMs / sample.requests).toFixed(2)} ms, emulator ` +
        `${(sample.emulatorCpuMs / sample.requests).toFixed(2)} ms`,
    );
  }
  return { latencyRatio: median(latencyRatios), throughputRatio: median(throughputRatios), ...pooled };
}

const p50 = (sample: Sample): number =>
  percentile(
    [...sample.latencies].sort((a, b) => a - b),
    50,
  );
const rate = (sample: Sample): number => sample.requests / (sample.ms / 1000);

async function backendSide(stack: BenchStack): Promise<{ send: Operation; list: Operation; threadId: string }> {
  const api = stack.info.apiBaseUrl;
  const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => stack.token(`overhead-${i}`)));
  const participants = tokens.slice(1).map((_, i) => ({ userId: `overhead-${i + 1}` }));
  const created = await stack.send(`${api}/threads`, 'POST', tokens[0]!, { topic: 'overhead', participants });
  const threadId = (created.json as { thread: { id: string } }).thread.id;
  const messages = `${api}/threads/${encodeURIComponent(threadId)}/messages`;
  const expect = (status: number, wanted: number): void => {
    if (status !== wanted) throw new Error(`backend answered ${status}, expected ${wanted}`);
  };
  return {
    threadId,
    send: async (user) => expect((await stack.send(messages, 'POST', tokens[user]!, { content: 'hello' })).status, 201),
    list: async (user) => expect((await stack.send(`${messages}?maxPageSize=20`, 'GET', tokens[user]!)).status, 200),
  };
}

/** The same users, as ACS clients of their own: the token each gets from POST /token, used with the SDK directly. */
async function directSide(
  stack: BenchStack,
  emulator: BenchEmulator,
  threadId: string,
): Promise<{ send: Operation; list: Operation }> {
  const api = stack.info.apiBaseUrl;
  const ca = readFileSync(emulator.caCertPath, 'utf8');
  const clients: ChatThreadClient[] = [];
  for (let i = 0; i < USERS; i += 1) {
    const issued = await stack.send(`${api}/token`, 'POST', await stack.token(`overhead-${i}`));
    const { token, endpoint } = issued.json as { token: string; endpoint: string };
    const chat = new ChatClient(endpoint, new AzureCommunicationTokenCredential(token), { tlsOptions: { ca } });
    clients.push(chat.getChatThreadClient(threadId));
  }
  return {
    send: async (user) => {
      await clients[user]!.sendMessage({ content: 'hello' });
    },
    list: async (user) => {
      await clients[user]!.listMessages({ maxPageSize: 20 }).byPage({ maxPageSize: 20 }).next();
    },
  };
}

async function main(): Promise<void> {
  const emulator = await startBenchEmulator();
  // The backend trusts the emulator's CA through NODE_EXTRA_CA_CERTS, as it would any private CA.
  const stack = await startBenchStack(
    { ACS_CONNECTION_STRING: emulator.connectionString, NODE_EXTRA_CA_CERTS: emulator.caBundlePath },
    16,
  );
  try {
    meters.stack = () => stack.cpuMs();
    meters.emulator = () => emulator.cpuMs();
    const backend = await backendSide(stack);
    const direct = await directSide(stack, emulator, backend.threadId);
    console.log(
      `backend (dev host) vs direct SDK as the same user, same emulator (own process, rate limits off), ` +
        `${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s each`,
    );
    for (const [name, label] of [
      ['send', 'send message'],
      ['list', 'list messages'],
    ] as const) {
      const sides = { backend: backend[name], direct: direct[name] };
      const one = await compare(label, sides, 1);
      const many = await compare(label, sides, 16);
      console.log(
        `RESULT ${label} p50 latency ratio c=1: ${one.latencyRatio.toFixed(2)} x (backend ${p50(one.backend).toFixed(1)} ` +
          `ms / direct ${p50(one.direct).toFixed(1)} ms overall; target ≤ 1.5)`,
      );
      // CPU time per request does not depend on what else the machine runs, unlike the latencies and rates above.
      const cpu = (sample: Sample): number => sample.stackCpuMs / sample.requests;
      console.log(
        `RESULT ${label} backend CPU per request: ${cpu(many.backend).toFixed(2)} ms at c=16, ` +
          `${cpu(one.backend).toFixed(2)} ms at c=1 (dev stack process: dev host, backend, Azurite; the emulator ` +
          `used ${(many.backend.emulatorCpuMs / many.backend.requests).toFixed(2)} ms)`,
      );
      console.log(
        `RESULT ${label} throughput ratio c=16: ${many.throughputRatio.toFixed(2)} x (backend ` +
          `${rate(many.backend).toFixed(0)} / direct ${rate(many.direct).toFixed(0)} req/s overall; 1 = no overhead)`,
      );
    }
  } finally {
    await stack.stop();
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
