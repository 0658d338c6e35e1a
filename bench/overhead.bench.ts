import { readFileSync } from 'node:fs';

import { directSide, floorSide, type IssuedToken, type Operation } from './baseline-sides';
import { type BenchStack, percentile, startBenchEmulator, startBenchStack } from './dev-stack';

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
 * A third side, the floor, shows what that target allows: floor-proxy.ts, a process that does nothing but make the
 * same SDK call for the same user behind a plain Node HTTP server. Whatever a backend does beyond that (authenticate,
 * validate, look up, log) is what `backend / floor` measures.
 *
 * The emulator's rate limits are off (--no-rate-limits): sends are capped at 10 per thread per 10 s, which both sides
 * would hit at once; this measures the backend's overhead, not ACS's limits (scale-out.bench.ts has them on).
 */

const ROUND_MS = Number(process.env.BENCH_SECONDS ?? 1) * 1000;
const ROUNDS = 5;
const USERS = 8;

interface Sample {
  latencies: number[];
  requests: number;
  ms: number;
  /** CPU time the process serving this side (dev stack, floor proxy; none for direct) and the emulator used. */
  serverCpuMs: number;
  emulatorCpuMs: number;
}

const SIDES = ['direct', 'floor', 'backend'] as const;
type Side = (typeof SIDES)[number];

interface Subject {
  operation: Operation;
  /** CPU time used so far by the process serving this side, in ms. */
  cpuMs: () => number;
}

/** The emulator's CPU time so far. */
let emulatorCpuMs: () => number = () => 0;

async function drive(subject: Subject, concurrency: number, sample: Sample): Promise<void> {
  const { operation } = subject;
  const end = performance.now() + ROUND_MS;
  const started = performance.now();
  const serverCpu = subject.cpuMs();
  const emulatorCpu = emulatorCpuMs();
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
  sample.serverCpuMs += subject.cpuMs() - serverCpu;
  sample.emulatorCpuMs += emulatorCpuMs() - emulatorCpu;
}

const newSample = (): Sample => ({ latencies: [], requests: 0, ms: 0, serverCpuMs: 0, emulatorCpuMs: 0 });
const median = (values: number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

interface Comparison {
  /** Medians of the per-round ratios, backend / direct, floor / direct and backend / floor. */
  latencyRatio: Record<'backend' | 'floor' | 'backendOverFloor', number>;
  throughputRatio: Record<'backend' | 'floor' | 'backendOverFloor', number>;
  pooled: Record<Side, Sample>;
}

/** Alternating rounds of every side; the ratios of each round, and every round's samples pooled per side. */
async function compare(name: string, subjects: Record<Side, Subject>, concurrency: number): Promise<Comparison> {
  const pooled = { direct: newSample(), floor: newSample(), backend: newSample() };
  const ratios = { latency: [] as Array<[number, number]>, throughput: [] as Array<[number, number]> };
  // Warm every path (connections, cached tokens and identities) before measuring.
  for (const side of SIDES) await drive(subjects[side], concurrency, newSample());
  for (let round = 0; round < ROUNDS; round += 1) {
    const samples = { direct: newSample(), floor: newSample(), backend: newSample() };
    for (const side of SIDES) await drive(subjects[side], concurrency, samples[side]);
    ratios.latency.push([p50(samples.backend) / p50(samples.direct), p50(samples.floor) / p50(samples.direct)]);
    ratios.throughput.push([rate(samples.backend) / rate(samples.direct), rate(samples.floor) / rate(samples.direct)]);
    for (const side of SIDES) {
      const sample = samples[side];
      pooled[side].latencies.push(...sample.latencies);
      pooled[side].requests += sample.requests;
      pooled[side].ms += sample.ms;
      pooled[side].serverCpuMs += sample.serverCpuMs;
      pooled[side].emulatorCpuMs += sample.emulatorCpuMs;
    }
  }
  for (const side of SIDES) {
    const sample = pooled[side];
    const sorted = [...sample.latencies].sort((a, b) => a - b);
    console.log(
      `${name.padEnd(14)} c=${String(concurrency).padEnd(3)} ${side.padEnd(8)} ` +
        `${String(Math.round(rate(sample))).padStart(5)} req/s   ` +
        `p50 ${percentile(sorted, 50).toFixed(1)} ms   p99 ${percentile(sorted, 99).toFixed(1)} ms   CPU/request: ` +
        `${side} process ${(sample.serverCpuMs / sample.requests).toFixed(2)} ms, emulator ` +
        `${(sample.emulatorCpuMs / sample.requests).toFixed(2)} ms`,
    );
  }
  const summarize = (pairs: Array<[number, number]>): Comparison['latencyRatio'] => ({
    backend: median(pairs.map(([backend]) => backend)),
    floor: median(pairs.map(([, floor]) => floor)),
    backendOverFloor: median(pairs.map(([backend, floor]) => backend / floor)),
  });
  return { latencyRatio: summarize(ratios.latency), throughputRatio: summarize(ratios.throughput), pooled };
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

/** The ACS token and endpoint POST /token issues each user; the direct and floor sides act with them. */
async function issueTokens(stack: BenchStack): Promise<IssuedToken[]> {
  const issued: IssuedToken[] = [];
  for (let i = 0; i < USERS; i += 1) {
    const response = await stack.send(`${stack.info.apiBaseUrl}/token`, 'POST', await stack.token(`overhead-${i}`));
    issued.push(response.json as IssuedToken);
  }
  return issued;
}

async function main(): Promise<void> {
  const emulator = await startBenchEmulator();
  // The backend trusts the emulator's CA through NODE_EXTRA_CA_CERTS, as it would any private CA.
  const stack = await startBenchStack(
    { ACS_CONNECTION_STRING: emulator.connectionString, NODE_EXTRA_CA_CERTS: emulator.caBundlePath },
    16,
  );
  let stopFloor = (): void => undefined;
  try {
    emulatorCpuMs = () => emulator.cpuMs();
    const backend = await backendSide(stack);
    const issued = await issueTokens(stack);
    const ca = readFileSync(emulator.caCertPath, 'utf8');
    const direct = directSide(issued, ca, backend.threadId);
    const floor = await floorSide(issued, ca, backend.threadId);
    stopFloor = floor.stop;
    console.log(
      `backend (dev host) vs direct SDK as the same user vs the floor (a do-nothing proxy), same emulator (own ` +
        `process, rate limits off), ${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s each`,
    );
    for (const [name, label] of [
      ['send', 'send message'],
      ['list', 'list messages'],
    ] as const) {
      const subjects: Record<Side, Subject> = {
        direct: { operation: direct[name], cpuMs: () => 0 },
        floor: { operation: floor[name], cpuMs: floor.cpuMs },
        backend: { operation: backend[name], cpuMs: () => stack.cpuMs() },
      };
      const one = await compare(label, subjects, 1);
      const many = await compare(label, subjects, 16);
      console.log(
        `RESULT ${label} p50 latency ratio c=1: ${one.latencyRatio.backend.toFixed(2)} x (backend ` +
          `${p50(one.pooled.backend).toFixed(1)} ms / direct ${p50(one.pooled.direct).toFixed(1)} ms overall; ` +
          `target ≤ 1.5)`,
      );
      console.log(
        `RESULT ${label} p50 latency ratio c=1 of the floor: ${one.latencyRatio.floor.toFixed(2)} x (a do-nothing ` +
          `proxy, ${p50(one.pooled.floor).toFixed(1)} ms; the backend is ${one.latencyRatio.backendOverFloor.toFixed(2)} ` +
          `x the floor)`,
      );
      // CPU time per request does not depend on what else the machine runs, unlike the latencies and rates above.
      const cpu = (sample: Sample): number => sample.serverCpuMs / sample.requests;
      console.log(
        `RESULT ${label} backend CPU per request: ${cpu(many.pooled.backend).toFixed(2)} ms at c=16, ` +
          `${cpu(one.pooled.backend).toFixed(2)} ms at c=1 (dev stack process: dev host, backend, Azurite; the ` +
          `floor used ${cpu(many.pooled.floor).toFixed(2)} ms, the emulator ` +
          `${(many.pooled.backend.emulatorCpuMs / many.pooled.backend.requests).toFixed(2)} ms)`,
      );
      console.log(
        `RESULT ${label} throughput ratio c=16: ${many.throughputRatio.backend.toFixed(2)} x (backend ` +
          `${rate(many.pooled.backend).toFixed(0)} / direct ${rate(many.pooled.direct).toFixed(0)} req/s overall; ` +
          `1 = no overhead; the floor ${many.throughputRatio.floor.toFixed(2)} x)`,
      );
    }
  } finally {
    stopFloor();
    await stack.stop();
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
