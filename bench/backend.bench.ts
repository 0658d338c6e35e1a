import { type BenchStack, percentile, startBenchStack } from './dev-stack';

/**
 * The backend end to end: the dev stack (dev host + Azurite + ACS emulator) in its own process, driven over
 * keep-alive HTTP with real bearer tokens. Reports throughput and latency per operation and the upstream ACS calls
 * each request made (counted by the emulator). Informational: never gates CI. The emulator's rate limits are off
 * here: 16 workers on one thread would spend ACS's 10 sends per thread per 10 s at once, and this measures the
 * backend's own cost, not ACS's limits (bench/scale-out.bench.ts runs with them on).
 */

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 4) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

async function measure(label: string, operation: () => Promise<number>, control: BenchStack['control']): Promise<void> {
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
  const stack = await startBenchStack({ DEV_ACS_RATE_LIMITS: 'off' }, CONCURRENCY);
  try {
    const api = stack.info.apiBaseUrl;
    const send = stack.send;
    const tokens = await Promise.all(Array.from({ length: 8 }, (_, i) => stack.token(`bench-${i}`)));
    const owner = tokens[0]!;
    const participants = tokens.map((_, i) => ({ userId: `bench-${i}` })).slice(1);
    const created = await send(`${api}/threads`, 'POST', owner, { topic: 'bench', participants });
    const threadId = encodeURIComponent((created.json as { thread: { id: string } }).thread.id);
    for (const token of tokens) await send(`${api}/token`, 'POST', token);
    const control = stack.control;
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
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
