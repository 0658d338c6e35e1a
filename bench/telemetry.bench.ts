import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { EmulatorControlClient } from '../emulator';
import { BUNDLE_ENTRY, bundleEntryPoint } from '../scripts/build';
import { HANDLED_CHAT_EVENT_TYPES } from '../src/events/chat-event-schemas';
import { runBench } from './bench-main';
import { type BenchStack, percentile, startBenchEmulator, startBenchStack } from './dev-stack';
import { AZURE_SETTINGS, type EntryLoad, loadEntry, projectRoot } from './entry-load';
import { check, forEachAtOnce } from './figures';
import { INGESTION_HOST, type IngestionSink, type SinkCounts, startIngestionSink } from './ingestion-sink';

/**
 * What telemetry costs (issue 27, "Measured"), on against off in the same run.
 *
 * 1. The send route (`POST /api/threads/{threadId}/messages`): two dev stacks (`npm run dev`), each in a process of its
 *    own (one process can register only one global tracer provider), against one ACS emulator in a process of its own
 *    (rate limits off). They differ in one setting: `on` has APPLICATIONINSIGHTS_CONNECTION_STRING, so it starts the
 *    OpenTelemetry SDK with the real Azure Monitor exporters, which ship to ingestion-sink.ts (over TLS and gzipped, as
 *    to Application Insights; see there). Rounds of each side alternate (the order swapped every round) so that both
 *    see the same background load; latency p50/p95 and CPU per request (the serving process's own, from /proc) at
 *    concurrency 1 and 16. CPU is counted twice: during the side's own rounds (as overhead.bench.ts), and over the
 *    whole phase plus a drain longer than the span processor's 5 s batching delay, which also counts the exports
 *    that run while the other side is driven (and, for both sides alike, what the process does while idle). Chat
 *    events are not delivered here, so only the request path is measured. A dev stack's process also hosts Azurite,
 *    the Web PubSub, Content Safety and Blob emulators and the dev host: the CPU per request is theirs too, so the
 *    percentage understates telemetry's share of what the app alone uses in Azure, while the milliseconds include what
 *    the SDK's context manager (AsyncLocalStorage, which hooks every promise of the process) adds to their work.
 * 2. The event path: each side's webhook subscribed in turn, its sends' chat events held and then delivered at once;
 *    CPU per handled event during delivery, on against off.
 * 3. Cold start: the bundle loaded in a fresh process (test/helpers/load-entry.cjs) and its first invocation (openApi,
 *    which like every handler waits for the telemetry SDK when telemetry is on), on against off, interleaved.
 *
 * The sink's counts show that `on` exported: envelopes per send and per event, and what the exporter sent elsewhere
 * (statsbeat, OneSettings). Informational: fails only on wrong behaviour, never on timings.
 */

const ROUND_MS = Number(process.env.BENCH_SECONDS ?? 1.5) * 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const EVENT_ROUNDS = Number(process.env.BENCH_EVENT_ROUNDS ?? 5);
const EVENT_SENDS = 96;
const COLD_RUNS = 12;
const USERS = 8;
/** Longer than BatchSpanProcessor's scheduled delay (5 s): the spans of the work before it are exported by then. */
const DRAIN_MS = 6_000;

/**
 * `floor`: telemetry off, but OpenTelemetry's context manager registered (context-floor.ts): what tracing costs before
 * it records anything, the baseline the target is measured against as well.
 */
const SIDES = ['off', 'floor', 'on', 'sampled'] as const;
/** The `sampled` side keeps at most this many traces a second (TELEMETRY_TRACES_PER_SECOND); `on` keeps them all. */
const SAMPLED_PER_SECOND = '5';
type SideName = (typeof SIDES)[number];
type Both<T> = Record<SideName, T>;
/** Cold start has no floor: the context manager loads with the SDK. */
const COLD_SIDES = ['off', 'on'] as const;
type ColdSide = (typeof COLD_SIDES)[number];

interface Side {
  stack: BenchStack;
  send(user: number): Promise<void>;
  /** Where the emulator delivers this side's chat events. */
  webhook: string;
  /** Sends answered 201 so far. */
  sends: number;
}

interface Sample {
  latencies: number[];
  requests: number;
  cpuMs: number;
}

const newSample = (): Sample => ({ latencies: [], requests: 0, cpuMs: 0 });
const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);
const median = (values: number[]): number => percentile(sorted(values), 50);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const both = <T>(make: (side: SideName) => T): Both<T> => ({
  off: make('off'),
  floor: make('floor'),
  on: make('on'),
  sampled: make('sampled'),
});
/** The order of the sides in round `round`: rotated every round. */
const orderOf = (round: number): readonly SideName[] => [
  ...SIDES.slice(round % SIDES.length),
  ...SIDES.slice(0, round % SIDES.length),
];
const coldOrderOf = (round: number): readonly ColdSide[] => (round % 2 === 0 ? COLD_SIDES : [...COLD_SIDES].reverse());
const percent = (on: number, off: number): string => `${on >= off ? '+' : ''}${((on / off - 1) * 100).toFixed(1)} %`;
const ms = (value: number, digits = 2): string => `${value.toFixed(digits)} ms`;

async function prepareSide(stack: BenchStack): Promise<Side> {
  const api = stack.info.apiBaseUrl;
  const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => stack.token(`telemetry-${i}`)));
  const participants = tokens.slice(1).map((_, i) => ({ userId: `telemetry-${i + 1}` }));
  const created = await stack.send(`${api}/threads`, 'POST', tokens[0]!, { topic: 'telemetry', participants });
  check(created.status === 201, `creating the thread answered ${created.status}`);
  const threadId = (created.json as { thread: { id: string } }).thread.id;
  const messages = `${api}/threads/${encodeURIComponent(threadId)}/messages`;
  const side: Side = {
    stack,
    webhook: `${new URL(api).origin}/runtime/webhooks/eventgrid?functionName=chatEvents`,
    sends: 0,
    send: async (user) => {
      const post = () => stack.send(messages, 'POST', tokens[user]!, { content: 'hello' });
      let { status } = await post();
      // 0: a keep-alive connection the dev host closed after a drain (idle over 5 s) as it was reused; not sent.
      if (status === 0) ({ status } = await post());
      check(status === 201, `a send answered ${status}, expected 201`);
      side.sends += 1;
    },
  };
  return side;
}

/** Sends for `durationMs` at `concurrency`, into `sample`. */
async function drive(side: Side, concurrency: number, durationMs: number, sample: Sample): Promise<void> {
  const end = performance.now() + durationMs;
  const cpu = side.stack.cpuMs();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await side.send(next++ % USERS);
        sample.latencies.push(performance.now() - t0);
        sample.requests += 1;
      }
    }),
  );
  sample.cpuMs += side.stack.cpuMs() - cpu;
}

interface Phase {
  pooled: Both<Sample>;
  /** Medians of the per-round ratios, on / off. */
  p50Ratio: number;
  cpuRatio: number;
  /** Each process's CPU over the whole phase and its drain, per request it served. */
  phaseCpuPerRequest: Both<number>;
}

async function sendPhase(sides: Both<Side>, concurrency: number): Promise<Phase> {
  const pooled = both(newSample);
  const ratios = { p50: [] as number[], cpu: [] as number[] };
  const cpuAtStart = both((name) => sides[name].stack.cpuMs());
  for (let round = 0; round < ROUNDS; round += 1) {
    const samples = both(newSample);
    for (const name of orderOf(round)) await drive(sides[name], concurrency, ROUND_MS, samples[name]);
    const p50 = (sample: Sample): number => median(sample.latencies);
    const cpu = (sample: Sample): number => sample.cpuMs / sample.requests;
    ratios.p50.push(p50(samples.on) / p50(samples.off));
    ratios.cpu.push(cpu(samples.on) / cpu(samples.off));
    for (const name of SIDES) {
      pooled[name].latencies.push(...samples[name].latencies);
      pooled[name].requests += samples[name].requests;
      pooled[name].cpuMs += samples[name].cpuMs;
    }
  }
  await sleep(DRAIN_MS);
  return {
    pooled,
    p50Ratio: median(ratios.p50),
    cpuRatio: median(ratios.cpu),
    phaseCpuPerRequest: both((name) => (sides[name].stack.cpuMs() - cpuAtStart[name]) / pooled[name].requests),
  };
}

function reportSends(concurrency: number, phase: Phase): void {
  for (const name of SIDES) {
    const sample = phase.pooled[name];
    const latencies = sorted(sample.latencies);
    console.log(
      `send c=${String(concurrency).padEnd(3)} telemetry ${name.padEnd(3)} ${String(sample.requests).padStart(5)} ` +
        `requests   p50 ${ms(percentile(latencies, 50), 1)}   p95 ${ms(percentile(latencies, 95), 1)}   CPU/request ` +
        `${ms(sample.cpuMs / sample.requests)} in its rounds, ${ms(phase.phaseCpuPerRequest[name])} over the phase`,
    );
  }
}

interface EventCounts {
  events: number;
  /** Deliveries that failed and were tried again. */
  retried: number;
  sends: number;
  /** CPU of the side's process while its events were delivered. */
  deliveryCpuMs: number;
}

/** Each side in turn: its webhook subscribed, EVENT_SENDS sends with their events held, then all delivered. */
async function eventPhase(
  sides: Both<Side>,
  control: EmulatorControlClient,
): Promise<{ counts: Both<EventCounts>; cpuRatio: number }> {
  const counts = both((): EventCounts => ({ events: 0, retried: 0, sends: 0, deliveryCpuMs: 0 }));
  const ratios: number[] = [];
  for (let round = 0; round < EVENT_ROUNDS; round += 1) {
    const perEvent = both(() => 0);
    for (const name of orderOf(round)) {
      const side = sides[name];
      const subscription = await control.subscribeEvents({
        endpoint: side.webhook,
        includedEventTypes: [...HANDLED_CHAT_EVENT_TYPES],
      });
      await control.setEventDelivery({ reorder: true, reorderWindowMs: 600_000 });
      await forEachAtOnce(
        Array.from({ length: EVENT_SENDS }, (_, i) => i % USERS),
        16,
        (user) => side.send(user),
      );
      const before = await control.eventDeliveryStats();
      const cpu = side.stack.cpuMs();
      const after = await control.flushEvents(120_000);
      const cpuMs = side.stack.cpuMs() - cpu;
      counts[name].deliveryCpuMs += cpuMs;
      perEvent[name] = cpuMs / (after.delivered - before.delivered);
      check(after.settled, `the ${name} side's chat events did not settle within 2 minutes`);
      // A failed attempt (two events of a thread racing for its row) is tried again; a dead-lettered event is wrong.
      check(after.deadLettered === before.deadLettered, `the ${name} side dead-lettered chat events`);
      counts[name].events += after.delivered - before.delivered;
      counts[name].retried += after.failed - before.failed;
      counts[name].sends += EVENT_SENDS;
      await control.setEventDelivery({ reorder: false });
      await control.unsubscribeEvents(subscription.id);
    }
    ratios.push(perEvent.on / perEvent.off);
  }
  return { counts, cpuRatio: median(ratios) };
}

/** Envelopes per trace, by the trace's root: sends, chat events, the rest (set-up, timers). */
function exported(sink: IngestionSink): {
  kinds: Record<'send' | 'event' | 'other', { traces: number; items: number }>;
  roots: Record<string, number>;
} {
  const kinds = { send: { traces: 0, items: 0 }, event: { traces: 0, items: 0 }, other: { traces: 0, items: 0 } };
  const roots: Record<string, number> = {};
  for (const trace of sink.traces().values()) {
    const root = trace.root ?? '';
    roots[root] = (roots[root] ?? 0) + 1;
    const kind = /^POST .*\/messages$/.test(root) ? 'send' : root.startsWith('chatEvents') ? 'event' : 'other';
    kinds[kind].traces += 1;
    kinds[kind].items += trace.items;
  }
  return { kinds, roots };
}

/** Counts, most first. */
const listed = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || 'none';

async function overheadAndEvents(cleanup: Array<() => unknown>): Promise<string[]> {
  const failures: string[] = [];
  const sink = await startIngestionSink();
  cleanup.push(() => sink.close());
  const emulator = await startBenchEmulator();
  cleanup.push(() => emulator.stop());
  // The emulator's CA and the sink's certificate, trusted by both sides alike.
  const trustDir = mkdtempSync(path.join(tmpdir(), 'bench-telemetry-'));
  cleanup.push(() => rmSync(trustDir, { recursive: true, force: true }));
  const trust = path.join(trustDir, 'ca-bundle.pem');
  writeFileSync(trust, `${readFileSync(emulator.caBundlePath, 'utf8')}\n${sink.certPem}`);
  // The same settings on both sides but the connection string. The proxy only ever sees the exporter's calls to
  // statsbeat and OneSettings (everything else is on loopback); FUNCTIONS_WORKER_RUNTIME is set as in Azure, which also
  // keeps statsbeat from probing the Azure VM metadata endpoint.
  const common = {
    ACS_CONNECTION_STRING: emulator.connectionString,
    NODE_EXTRA_CA_CERTS: trust,
    HTTPS_PROXY: sink.proxyUrl,
    NO_PROXY: `127.0.0.1,localhost,[::1],${INGESTION_HOST}`,
    BENCH_INGESTION_HOST: INGESTION_HOST,
    FUNCTIONS_WORKER_RUNTIME: 'node',
    APPLICATIONINSIGHTS_CONNECTION_STRING: '',
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    DEV_TELEMETRY: 'off',
  };
  const dns = [path.join(__dirname, 'ingestion-dns.ts')];
  // The sampled side exports to a sink of its own: the counts below are the `on` side's alone.
  const sampledSink = await startIngestionSink();
  cleanup.push(() => sampledSink.close());
  writeFileSync(trust, `${readFileSync(trust, 'utf8')}\n${sampledSink.certPem}`);
  const [off, floor, on, sampled] = await Promise.all([
    startBenchStack(common, 16, dns),
    startBenchStack(common, 16, [...dns, path.join(__dirname, 'context-floor.ts')]),
    startBenchStack({ ...common, APPLICATIONINSIGHTS_CONNECTION_STRING: sink.connectionString }, 16, dns),
    startBenchStack(
      {
        ...common,
        APPLICATIONINSIGHTS_CONNECTION_STRING: sampledSink.connectionString,
        TELEMETRY_TRACES_PER_SECOND: SAMPLED_PER_SECOND,
      },
      16,
      dns,
    ),
  ]);
  cleanup.push(() => off.stop());
  cleanup.push(() => floor.stop());
  cleanup.push(() => sampled.stop());
  let onStopped = false;
  cleanup.push(() => (onStopped ? undefined : on.stop()));
  const sides: Both<Side> = {
    off: await prepareSide(off),
    floor: await prepareSide(floor),
    on: await prepareSide(on),
    sampled: await prepareSide(sampled),
  };
  console.log(
    `telemetry off vs floor (OpenTelemetry's context manager alone) vs on (Azure Monitor exporters to a local ` +
      `ingestion sink) vs sampled (on, at most ${SAMPLED_PER_SECOND} traces a second), four dev stacks in processes of their ` +
      `own, one ACS emulator (rate limits off); ${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s per side`,
  );

  // Warm every path (connections, tokens, identities, the SDK's first exports), then let the exports drain.
  for (const concurrency of [1, 16]) for (const name of SIDES) await drive(sides[name], concurrency, 1000, newSample());
  await sleep(DRAIN_MS);
  const one = await sendPhase(sides, 1);
  reportSends(1, one);
  const many = await sendPhase(sides, 16);
  reportSends(16, many);
  const latency = (phase: Phase, p: number): Both<number> =>
    both((name) => percentile(sorted(phase.pooled[name].latencies), p));
  const [p50, p95] = [latency(one, 50), latency(one, 95)];
  console.log(
    `RESULT send latency c=1 telemetry on vs off: p50 ${ms(p50.on, 1)} vs ${ms(p50.off, 1)} (${percent(p50.on, p50.off)}` +
      `; median of per-round ratios ${percent(one.p50Ratio, 1)}), p95 ${ms(p95.on, 1)} vs ${ms(p95.off, 1)} ` +
      `(${percent(p95.on, p95.off)})`,
  );
  const c16 = latency(many, 50);
  console.log(
    `RESULT send latency c=16 telemetry on vs off: p50 ${ms(c16.on, 1)} vs ${ms(c16.off, 1)} ` +
      `(${percent(c16.on, c16.off)}); floor ${ms(c16.floor, 1)}; c=1 floor p50 ${ms(p50.floor, 1)}`,
  );
  for (const [concurrency, phase] of [
    [16, many],
    [1, one],
  ] as const) {
    const inRounds = both((name) => phase.pooled[name].cpuMs / phase.pooled[name].requests);
    const whole = phase.phaseCpuPerRequest;
    console.log(
      `RESULT send CPU per request c=${concurrency} telemetry on vs off: ${ms(whole.on)} vs ${ms(whole.off)} over the ` +
        `phase (${percent(whole.on, whole.off)}; target ≤ +5 %), ${ms(inRounds.on)} vs ${ms(inRounds.off)} in the ` +
        `sides' own rounds (${percent(inRounds.on, inRounds.off)}; median of per-round ratios ` +
        `${percent(phase.cpuRatio, 1)}); floor (context manager alone) ${ms(whole.floor)} over the phase ` +
        `(${percent(whole.floor, whole.off)} vs off; on is ${percent(whole.on, whole.floor)} over the floor); ` +
        `sampled (at most ${SAMPLED_PER_SECOND} traces a second) ${ms(whole.sampled)} (${percent(whole.sampled, whole.off)} vs off)`,
    );
  }

  // The event path.
  const control = EmulatorControlClient.fromConnectionString(
    emulator.connectionString,
    readFileSync(emulator.caCertPath, 'utf8'),
  );
  await sleep(DRAIN_MS);
  const eventCpuAtStart = both((name) => sides[name].stack.cpuMs());
  const { counts: events, cpuRatio: eventCpuRatio } = await eventPhase(sides, control);
  await sleep(DRAIN_MS);
  const eventPhaseCpu = both((name) => sides[name].stack.cpuMs() - eventCpuAtStart[name]);
  const perEvent = both((name) => events[name].deliveryCpuMs / events[name].events);
  const perSend = both((name) => eventPhaseCpu[name] / events[name].sends);
  console.log(
    `RESULT chat event CPU per handled event telemetry on vs off: ${ms(perEvent.on)} vs ${ms(perEvent.off)} during ` +
      `delivery (${percent(perEvent.on, perEvent.off)}; median of per-round ratios ${percent(eventCpuRatio, 1)}; ` +
      `floor ${ms(perEvent.floor)} (${percent(perEvent.floor, perEvent.off)}); sampled ${ms(perEvent.sampled)} ` +
      `(${percent(perEvent.sampled, perEvent.off)}); ` +
      `${events.on.events} and ${events.off.events} events of ` +
      `${events.on.sends} sends each, ${(events.on.events / events.on.sends).toFixed(1)} per send; deliveries tried ` +
      `again: ${events.on.retried} and ${events.off.retried}); a send and its ` +
      `events over the phase: ${ms(perSend.on)} vs ${ms(perSend.off)} (${percent(perSend.on, perSend.off)})`,
  );

  // Stopping the `on` stack shuts its SDK down, which flushes what is still batched (metrics included).
  await on.stop();
  onStopped = true;
  const counts: SinkCounts = sink.counts();
  const { kinds, roots } = exported(sink);
  const sends = sides.on.sends;
  console.log(
    `ingestion sink: ${counts.posts} track calls (${counts.gzipped} gzipped), ` +
      `${(counts.bytes / 1e6).toFixed(2)} MB sent (${(counts.jsonBytes / 1e6).toFixed(2)} MB as JSON); envelopes: ` +
      `${listed(counts.items)}; traces by root request: ${listed(roots)}; dependencies: ` +
      `${listed(counts.dependencies)}; through the proxy: ${listed(counts.tunnelled)}, refused ${listed(counts.refused)}`,
  );
  console.log(
    `RESULT exported per send (telemetry on): ${(kinds.send.items / kinds.send.traces).toFixed(1)} envelopes (spans) ` +
      `in ${kinds.send.traces} send traces for ${sends} sends; per chat event: ` +
      `${(kinds.event.items / kinds.event.traces).toFixed(1)} in ${kinds.event.traces} event traces for ` +
      `${events.on.events} events; ${(counts.bytes / counts.posts / 1000).toFixed(1)} kB per track call as sent`,
  );
  if (kinds.send.traces < sends) failures.push(`only ${kinds.send.traces} of ${sends} sends reached the sink`);
  if (kinds.event.traces < events.on.events)
    failures.push(`only ${kinds.event.traces} of ${events.on.events} chat events reached the sink`);
  if (counts.gzipped < counts.posts) failures.push(`${counts.posts - counts.gzipped} track calls were not gzipped`);
  return failures;
}

/** The first invocation of a freshly loaded bundle, telemetry off and on (openApi waits for the SDK, as all do). */
async function coldStart(cleanup: Array<() => unknown>): Promise<string[]> {
  const workDir = path.join(projectRoot, '.local', 'bench-telemetry');
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  cleanup.push(() => rmSync(workDir, { recursive: true, force: true }));
  const bundleDir = path.join(workDir, 'bundle');
  await bundleEntryPoint(bundleDir);
  const entry = path.join(bundleDir, path.basename(BUNDLE_ENTRY));
  // Nothing is exported before the process ends (the first batch goes after 5 s): the endpoint is a closed port.
  const settings: Record<ColdSide, Record<string, string>> = {
    off: { ...AZURE_SETTINGS, FUNCTIONS_WORKER_RUNTIME: 'node' },
    on: {
      ...AZURE_SETTINGS,
      FUNCTIONS_WORKER_RUNTIME: 'node',
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/',
    },
  };
  const loads: Record<ColdSide, EntryLoad[]> = { off: [], on: [] };
  for (let run = 0; run < COLD_RUNS; run += 1) {
    for (const name of coldOrderOf(run)) loads[name].push(loadEntry(entry, ['openApi'], settings[name]));
  }
  const failures = COLD_SIDES.flatMap((name) =>
    loads[name]
      .filter((load) => load.stderr !== '' || load.response?.status !== 200)
      .map((load) => `cold start telemetry ${name}: status ${load.response?.status}, stderr ${load.stderr}`),
  );
  const p50 = (name: ColdSide, of: (load: EntryLoad) => number): number => median(loads[name].map(of));
  const importMs = (load: EntryLoad): number => load.importMs;
  const firstMs = (load: EntryLoad): number => load.importMs + (load.invokeMs ?? Number.NaN);
  const rss = (name: ColdSide): string => `${(p50(name, (load) => load.rssBytes) / 1e6).toFixed(0)} MB`;
  console.log(
    `RESULT cold start telemetry on vs off (bundle, fresh process, p50 of ${COLD_RUNS} interleaved): import ` +
      `${ms(p50('on', importMs), 0)} vs ${ms(p50('off', importMs), 0)}; import and first invocation answered ` +
      `(the SDK chunk loaded and started) ${ms(p50('on', firstMs), 0)} vs ${ms(p50('off', firstMs), 0)} ` +
      `(${percent(p50('on', firstMs), p50('off', firstMs))}); RSS after it ${rss('on')} vs ${rss('off')}`,
  );
  return failures;
}

runBench(async (cleanup) => [...(await overheadAndEvents(cleanup)), ...(await coldStart(cleanup))]);
