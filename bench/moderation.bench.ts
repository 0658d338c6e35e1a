import { Agent } from 'node:http';

import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';
import { AzureKeyCredential } from '@azure/core-auth';

import type { LogRecord } from '../dev/host';
import { type LocalStack, startLocalStack } from '../dev/local-stack';
import type { RunningEmulator } from '../emulator';
import { BAN_SNAPSHOT_MS } from '../src/moderation/ban-service';
import { createTextAnalyzer, type TextAnalyzer } from '../src/moderation/content-safety';
import { addBlocklistTerms, analyzeCalls } from '../test/helpers/content-safety';
import { EventSink } from '../test/helpers/event-sink';
import { eventually } from '../test/helpers/wait';
import { directSide, floorSide, type IssuedToken, type Operation } from './baseline-sides';
import { runBench } from './bench-main';
import { percentile, sendRequest } from './dev-stack';
import {
  addInto,
  check,
  countBy,
  holdEvents,
  listed,
  only,
  per,
  problemKey,
  rate,
  settleEvents,
  subtract,
  total,
  withoutPrefix,
} from './figures';
import { type LiveServices, type Sides, startSides } from './live-services';

/**
 * Moderation (issue 24, "Measured"): what content checks and bans cost, against the emulators.
 * 1. Send latency with moderation on vs off, in one run: POST /api/threads/{id}/messages on a dev stack with the
 *    Content Safety emulator and on one without (`contentSafety: false`), in alternating rounds, beside three
 *    baselines: the same send made directly with the SDK as that user, the floor (floor-proxy.ts, a do-nothing proxy
 *    making that SDK call), and one text:analyze call straight to the Content Safety emulator with the backend's own
 *    client (the one call a checked send adds).
 * 2. Content Safety calls per send, and after those sends' events (the seal spares them a second check); per message
 *    sent straight to ACS with a user's issued token in threads of 4 (one per message, not one per recipient's event),
 *    with the Tables operations each check makes; blocklisted messages sent straight to ACS: deleted, and at what cost.
 * 3. The ban check per request on a warm instance with BANS bans and with none, the ban snapshot's refresh (one
 *    partition query per BAN_SNAPSHOT_MS per instance), and POST /api/token (a fresh ban read per token, by design).
 *
 * Both stacks run in this process (startLocalStack, as token-calls.bench.ts does): `npm run dev` always starts the
 * Content Safety emulator, and only startLocalStack can leave content checks out. Each has an ACS emulator of its own
 * and runs on that emulator's clock (so that part 3 can move the ban snapshot's age on without waiting 30 s); Tables
 * (Azurite, behind a proxy counting operations by table) and Web PubSub run in a process of their own
 * (live-services.ts), each stack with its own table prefix. Nothing else runs while a figure is counted, so counts
 * are deltas of the services' own counters. Part 1 and part 3 turn ACS's and Content Safety's rate limits off (they
 * measure the backend's own work, as overhead.bench.ts does); part 2 keeps both on. Chat events reach the backend
 * from the emulator's Event Grid as in `npm run dev`, but held back while a batch is sent (the emulator's
 * hold-and-release fault) and released after it: their handling is then neither timed nor mixed with the sends', and
 * is counted on its own. Informational: timings never fail the run; refused requests and wrong counts do.
 */

const SENDS = Number(process.env.BENCH_MODERATION_SENDS ?? 300);
const ROUNDS = 5;
const WARM_UP = 20;
const DIRECT_MESSAGES = Number(process.env.BENCH_MODERATION_DIRECT_MESSAGES ?? 40);
const BLOCKED_MESSAGES = Number(process.env.BENCH_MODERATION_BLOCKED_MESSAGES ?? 10);
const BANS = Number(process.env.BENCH_MODERATION_BANS ?? 100);
const ROUTE_REQUESTS = Number(process.env.BENCH_MODERATION_REQUESTS ?? 100);
const TOKEN_ISSUES = 10;
const SNAPSHOT_REFRESHES = 3;
const USERS = 8;
const PARTICIPANTS = 4;
/** The latency rounds' sends through the API go to these threads (events of one hot thread contend for its rows). */
const LATENCY_THREADS = 4;
/** Part 2 spreads its messages over these threads: ACS allows 10 sends (and 10 deletions) per thread per 10 s. */
const DIRECT_THREADS = 10;
const BLOCKED_TERM = 'grapefruit';

const userId = (user: number): string => `mod-${user}`;
/** Thread t: users 2t … 2t+3 (mod USERS); the first creates it. The baselines act in thread 0: users 0 … 3. */
const membersOf = (thread: number): number[] =>
  Array.from({ length: PARTICIPANTS }, (_, j) => (2 * thread + j) % USERS);
/** Message n goes to thread n mod `threads`, from each of its participants in turn. */
const placement = (n: number, threads: number): { thread: number; sender: number } => ({
  thread: n % threads,
  sender: membersOf(n % threads)[Math.floor(n / threads) % PARTICIPANTS]!,
});
const messagesPath = (threadId: string): string => `/threads/${encodeURIComponent(threadId)}/messages`;

type StackName = 'on' | 'off';

interface Stack {
  name: StackName;
  local: LocalStack;
  emulator: RunningEmulator;
  agent: Agent;
  /** Bearer tokens of users 0 … USERS-1, and of an admin. */
  tokens: string[];
  admin: string;
  /** Outcomes of the after-the-fact check, from its `message screened` log records, in order. */
  screened: string[];
  /** Warnings and errors the backend logged. */
  problems: LogRecord[];
  /** The latency rounds' threads (LATENCY_THREADS). */
  threadIds: string[];
}

type Bench = Sides<Stack>;

function call(
  stack: Stack,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  return sendRequest(stack.agent, `${stack.local.host.apiBaseUrl}${path}`, method, token, body);
}

async function createThread(stack: Stack, members: number[], topic: string): Promise<string> {
  const [creator, ...others] = members;
  const res = await call(stack, 'POST', '/threads', stack.tokens[creator!]!, {
    topic,
    participants: others.map((user) => ({ userId: userId(user) })),
  });
  const id = (res.json as { thread?: { id?: string } } | undefined)?.thread?.id;
  check(res.status === 201 && id !== undefined, `creating a thread answered ${res.status}`);
  return id;
}

async function startStack(name: StackName, services: LiveServices): Promise<Stack> {
  const screened: string[] = [];
  const problems: LogRecord[] = [];
  const local = await startLocalStack({
    port: 0,
    tablesConnectionString: services.tablesConnectionString,
    env: { TABLE_NAME_PREFIX: name, WEBPUBSUB_CONNECTION_STRING: services.webPubSubConnectionString },
    contentSafety: name === 'on',
    attachments: false,
    backendOnEmulatorClock: true,
    log: (record) => {
      const [message, fields] = record.args as [unknown, { outcome?: unknown } | undefined];
      if (message === 'message screened' && typeof fields?.outcome === 'string') screened.push(fields.outcome);
      else if (record.level === 'warning' || record.level === 'error') problems.push(record);
    },
  });
  check(local.emulator !== undefined, 'the stack runs no ACS emulator');
  check(name === 'off' || local.contentSafety !== undefined, 'the stack runs no Content Safety emulator');
  const stack: Stack = {
    name,
    local,
    emulator: local.emulator,
    agent: new Agent({ keepAlive: true, maxSockets: 16 }),
    tokens: await Promise.all(Array.from({ length: USERS }, (_, user) => local.issuer.mint(userId(user)))),
    admin: await local.issuer.mint('mod-admin', { roles: [local.config.auth.adminRole] }),
    screened,
    problems,
    threadIds: [],
  };
  for (let thread = 0; thread < LATENCY_THREADS; thread += 1)
    stack.threadIds.push(await createThread(stack, membersOf(thread), `${name} latency ${thread}`));
  return stack;
}

/** What POST /api/token issues each user of `users` (their ACS token and the endpoint). */
async function issueTokens(stack: Stack, users: number[]): Promise<IssuedToken[]> {
  const issued: IssuedToken[] = [];
  for (const user of users) {
    const res = await call(stack, 'POST', '/token', stack.tokens[user]!);
    check(res.status === 200, `POST /token answered ${res.status}`);
    issued.push(res.json as IssuedToken);
  }
  return issued;
}

// --- Counts ---

/** The counters of one stack's services: ACS calls, Content Safety text:analyze calls, Tables operations, events. */
interface Counts {
  acs: Record<string, number>;
  contentSafety: number;
  /** `<method> <table>`, the stack's table prefix taken off. */
  tables: Record<string, number>;
  delivered: number;
  failed: number;
}

const noCounts = (): Counts => ({ acs: {}, contentSafety: 0, tables: {}, delivered: 0, failed: 0 });

async function countsOf(stack: Stack, services: LiveServices): Promise<Counts> {
  const stats = stack.emulator.control.eventDeliveryStats();
  const tables = withoutPrefix((await services.counts()).tables, stack.name);
  return {
    acs: stack.emulator.control.requestCounts(),
    contentSafety: stack.local.contentSafety ? analyzeCalls(stack.local.contentSafety) : 0,
    tables,
    delivered: stats.delivered,
    failed: stats.failed,
  };
}

function add(into: Counts, more: Counts): void {
  addInto(into.acs, more.acs);
  addInto(into.tables, more.tables);
  into.contentSafety += more.contentSafety;
  into.delivered += more.delivered;
  into.failed += more.failed;
}

/** The counts `work` caused on `stack` (nothing else may run meanwhile). */
async function counting(bench: Bench, stack: Stack, work: () => Promise<unknown>): Promise<Counts> {
  const before = await countsOf(stack, bench.services);
  await work();
  const after = await countsOf(stack, bench.services);
  return {
    acs: subtract(after.acs, before.acs),
    contentSafety: after.contentSafety - before.contentSafety,
    tables: subtract(after.tables, before.tables),
    delivered: after.delivered - before.delivered,
    failed: after.failed - before.failed,
  };
}

// --- 1. Send latency, moderation on vs off, and Content Safety calls per send ---

const SIDES = ['off', 'on', 'direct', 'floor', 'analyze'] as const;
type Side = (typeof SIDES)[number];

interface SideFigures {
  /** ms, sorted once all rounds are in. */
  latencies: number[];
  /** CPU time this process used meanwhile (the stacks, their emulators and the client all run in it). */
  cpuMs: number;
}

interface LatencyFigures {
  sides: Record<Side, SideFigures>;
  /** While the API sends were made (events held back), per stack. */
  sends: Record<StackName, Counts>;
  /** While their events were handled afterwards, per stack. */
  events: Record<StackName, Counts>;
  /** Messages whose events each stack handled meanwhile. */
  eventMessages: Record<StackName, number>;
}

async function sendThroughApi(stack: Stack, n: number): Promise<void> {
  const { thread, sender } = placement(n, LATENCY_THREADS);
  const res = await call(stack, 'POST', messagesPath(stack.threadIds[thread]!), stack.tokens[sender]!, {
    content: `moderation bench ${n}`,
  });
  check(res.status === 201, `a send (moderation ${stack.name}) answered ${res.status}: ${JSON.stringify(res.json)}`);
  // `moderation: "pending"`: sent unchecked because Content Safety did not answer; not what this measures.
  check(
    !(res.json as { moderation?: string }).moderation,
    `a send was accepted unchecked: ${JSON.stringify(res.json)}`,
  );
}

async function flush(stack: Stack): Promise<void> {
  await settleEvents(stack.emulator, stack.name);
}

async function measureLatency(
  bench: Bench,
  baselines: { direct: Operation; floor: Operation; analyzer: TextAnalyzer },
): Promise<LatencyFigures> {
  const { on, off } = bench;
  const operations: Record<Side, (n: number) => Promise<void>> = {
    off: (n) => sendThroughApi(off, n),
    on: (n) => sendThroughApi(on, n),
    direct: (n) => baselines.direct(n % PARTICIPANTS),
    floor: (n) => baselines.floor(n % PARTICIPANTS),
    analyze: async (n) => void (await baselines.analyzer.analyze(`moderation bench ${n}`)),
  };
  const perRound = Math.ceil(SENDS / ROUNDS);
  const figures: LatencyFigures = {
    sides: Object.fromEntries(SIDES.map((side): [Side, SideFigures] => [side, { latencies: [], cpuMs: 0 }])) as Record<
      Side,
      SideFigures
    >,
    sends: { on: noCounts(), off: noCounts() },
    events: { on: noCounts(), off: noCounts() },
    eventMessages: { on: 0, off: 0 },
  };
  for (const stack of [on, off]) {
    stack.emulator.control.setRateLimiting(false);
    holdEvents(stack.emulator, true);
  }
  on.local.contentSafety!.control.setRateLimit('off');
  try {
    for (const side of SIDES) for (let n = 0; n < WARM_UP; n += 1) await operations[side](n);
    for (const stack of [on, off]) await flush(stack);
    for (let round = 0; round < ROUNDS; round += 1) {
      // Each round starts with another side, so that none always follows the same one.
      for (const side of SIDES.map((_, i) => SIDES[(i + round) % SIDES.length]!)) {
        const stack = side === 'on' ? on : side === 'off' ? off : undefined;
        const timed = figures.sides[side];
        const run = async (): Promise<void> => {
          const cpu = process.cpuUsage();
          for (let i = 0; i < perRound; i += 1) {
            const started = performance.now();
            await operations[side](WARM_UP + round * perRound + i);
            timed.latencies.push(performance.now() - started);
          }
          const used = process.cpuUsage(cpu);
          timed.cpuMs += (used.user + used.system) / 1000;
        };
        if (!stack) {
          await run();
          // The direct and floor sends' events go to the off stack too: handled now, untimed and not counted.
          if (side !== 'analyze') await flush(off);
          continue;
        }
        add(figures.sends[stack.name], await counting(bench, stack, run));
        // Then the events of these sends alone, untimed.
        add(figures.events[stack.name], await counting(bench, stack, () => flush(stack)));
      }
    }
  } finally {
    for (const stack of [on, off]) {
      holdEvents(stack.emulator, false);
      stack.emulator.control.setRateLimiting(true);
    }
    on.local.contentSafety!.control.setRateLimit('S0');
  }
  for (const side of SIDES) figures.sides[side].latencies.sort((a, b) => a - b);
  figures.eventMessages = { on: perRound * ROUNDS, off: perRound * ROUNDS };
  return figures;
}

// --- 2. After the fact: messages sent straight to ACS ---

interface DirectBatch {
  messages: number;
  deleted: number;
  counts: Counts;
  /** Events the backend was delivered, by type (seen by a webhook with the backend's own filter). */
  events: Record<string, number>;
  outcomes: Record<string, number>;
  /** messageDeleted audit entries for these messages. */
  audited: number;
  /** Web PubSub REST calls meanwhile (the services' counts). */
  pushes: number;
}

interface DirectFigures {
  fine: DirectBatch;
  blocked: DirectBatch;
}

/**
 * Sends `count` messages straight to ACS (message n in thread n mod DIRECT_THREADS, from its participants in turn)
 * with events held, then lets Event Grid deliver them and counts what their handling cost, until every delivery is
 * acknowledged (a flagged message's deletion and its own events included).
 */
async function sendStraightToAcs(
  bench: Bench,
  threadIds: string[],
  clients: ChatClient[],
  count: number,
  content: (n: number) => string,
): Promise<DirectBatch> {
  const { on } = bench;
  const control = on.emulator.control;
  const backend = control.listEventSubscriptions().find((s) => s.id === on.local.info.chatEvents?.subscriptionId);
  check(backend !== undefined, 'the stack has no chatEvents subscription');
  const twin = await EventSink.start();
  const twinSubscription = await control.subscribeEvents({
    endpoint: twin.url,
    ...(backend.includedEventTypes ? { includedEventTypes: backend.includedEventTypes } : {}),
  });
  try {
    holdEvents(on.emulator, true);
    const sent: Array<{ threadId: string; id: string }> = [];
    for (let n = 0; n < count; n += 1) {
      const { thread, sender } = placement(n, DIRECT_THREADS);
      const threadId = threadIds[thread]!;
      const { id } = await clients[sender]!.getChatThreadClient(threadId).sendMessage({ content: content(n) });
      sent.push({ threadId, id });
    }
    const mark = on.screened.length;
    const pushesBefore = total((await bench.services.counts()).webPubSubRest);
    const isDeleted = ({ threadId, id }: { threadId: string; id: string }): boolean =>
      control.getThread(threadId)?.messages.find((message) => message.id === id)?.deletedOn !== undefined;
    const counts = await counting(bench, on, async () => {
      holdEvents(on.emulator, false);
      await flush(on);
      // A flagged message is deleted while its event is handled; wait for it all the same, then for its events.
      await eventually(
        () => on.screened.length - mark,
        (screened) => screened >= count,
        30_000,
      );
      await flush(on);
    });
    const audit = await call(on, 'GET', '/moderation/audit?maxPageSize=100', on.admin);
    check(audit.status === 200, `GET /moderation/audit answered ${audit.status}`);
    const ids = new Set(sent.map(({ id }) => id));
    const items = (audit.json as { items: Array<{ action: string; details?: Record<string, string> }> }).items;
    return {
      messages: count,
      deleted: sent.filter(isDeleted).length,
      counts,
      events: countBy(twin.events().map((event) => event.eventType.replace('Microsoft.Communication.', ''))),
      outcomes: countBy(on.screened.slice(mark)),
      audited: items.filter((item) => item.action === 'messageDeleted' && ids.has(item.details?.messageId ?? ''))
        .length,
      pushes: total((await bench.services.counts()).webPubSubRest) - pushesBefore,
    };
  } finally {
    holdEvents(on.emulator, false);
    control.unsubscribeEvents(twinSubscription.id);
    await twin.close();
  }
}

async function measureAfterTheFact(bench: Bench): Promise<DirectFigures> {
  const { on } = bench;
  const threadIds: string[] = [];
  for (let thread = 0; thread < DIRECT_THREADS; thread += 1)
    threadIds.push(await createThread(on, membersOf(thread), `direct ${thread}`));
  const ca = on.emulator.caCertPem;
  const clients = (await issueTokens(on, [...Array(USERS).keys()])).map(
    ({ token, endpoint }) =>
      new ChatClient(endpoint, new AzureCommunicationTokenCredential(token), { tlsOptions: { ca } }),
  );
  await flush(on);
  const fine = await sendStraightToAcs(bench, threadIds, clients, DIRECT_MESSAGES, (n) => `fresh oranges ${n}`);
  const blocklist = on.local.config.moderation.contentSafety?.blocklists[0];
  check(blocklist !== undefined, 'the stack names no blocklist');
  await addBlocklistTerms(on.local.contentSafety!, blocklist, [BLOCKED_TERM]);
  const blocked = await sendStraightToAcs(
    bench,
    threadIds,
    clients,
    BLOCKED_MESSAGES,
    (n) => `fresh ${BLOCKED_TERM} ${n} for everyone`,
  );
  return { fine, blocked };
}

// --- 3. Bans ---

interface BanFigures {
  withoutBans: Counts;
  withBans: Counts;
  /** The first request after the snapshot's age passed BAN_SNAPSHOT_MS, SNAPSHOT_REFRESHES times. */
  refreshes: Counts;
  bannedStatus: string;
  tokens: Counts;
}

/** The typical route of part 3: a page of thread 0's messages, as its participant n mod PARTICIPANTS. */
async function listMessages(stack: Stack, n: number): Promise<void> {
  const res = await call(
    stack,
    'GET',
    `${messagesPath(stack.threadIds[0]!)}?maxPageSize=20`,
    stack.tokens[n % PARTICIPANTS]!,
  );
  check(res.status === 200, `GET …/messages answered ${res.status}`);
}

/** GET …/messages by users 0 … 3 in turn: ROUTE_REQUESTS of them after one untimed request each. */
async function measureRoute(bench: Bench): Promise<Counts> {
  const { on } = bench;
  const list = (n: number): Promise<void> => listMessages(on, n);
  // Warm: the first request also reloads a ban snapshot older than BAN_SNAPSHOT_MS (or forgotten by a ban).
  for (let n = 0; n < PARTICIPANTS; n += 1) await list(n);
  return counting(bench, on, async () => {
    for (let n = 0; n < ROUTE_REQUESTS; n += 1) await list(n);
  });
}

async function measureBans(bench: Bench): Promise<BanFigures> {
  const { on } = bench;
  on.emulator.control.setRateLimiting(false);
  try {
    const withoutBans = await measureRoute(bench);
    for (let i = 0; i < BANS; i += 1) {
      const res = await call(on, 'PUT', `/moderation/bans/mod-banned-${i}`, on.admin, { reason: 'bench' });
      check(res.status === 200, `PUT /moderation/bans answered ${res.status}`);
    }
    const banned = await call(on, 'GET', '/inbox', await on.local.issuer.mint('mod-banned-0'));
    const bannedStatus = `${banned.status} ${(banned.json as { error?: { code?: string } }).error?.code ?? ''}`;
    check(bannedStatus === '403 UserBanned', `a banned user's request answered ${bannedStatus}`);
    const withBans = await measureRoute(bench);
    const refreshes = noCounts();
    for (let i = 0; i < SNAPSHOT_REFRESHES; i += 1) {
      on.emulator.control.advanceClock(BAN_SNAPSHOT_MS);
      add(refreshes, await counting(bench, on, () => listMessages(on, i)));
    }
    const tokens = await counting(bench, on, () =>
      issueTokens(
        on,
        Array.from({ length: TOKEN_ISSUES }, (_, i) => i % USERS),
      ),
    );
    return { withoutBans, withBans, refreshes, bannedStatus, tokens };
  } finally {
    on.emulator.control.setRateLimiting(true);
  }
}

// --- Summary ---

interface Figures {
  latency: LatencyFigures;
  direct: DirectFigures;
  bans: BanFigures;
  /** Chat events Event Grid gave up on, both stacks. */
  deadLetters: number;
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const percentiles = (sorted: number[]): string =>
  `p50 ${ms(percentile(sorted, 50))}  p95 ${ms(percentile(sorted, 95))}  p99 ${ms(percentile(sorted, 99))}`;

function latencyLines({ sides, sends, events, eventMessages }: LatencyFigures): string[] {
  const sent = (side: Side): number => sides[side].latencies.length;
  const cpu = (side: Side): string => ms(sides[side].cpuMs / sent(side));
  const delta = (p: number): string =>
    `${(percentile(sides.on.latencies, p) - percentile(sides.off.latencies, p)).toFixed(1)} ms`;
  return [
    `RESULT send latency, moderation on (Content Safety emulator): ${percentiles(sides.on.latencies)}`,
    `RESULT send latency, moderation off (contentSafety: false):   ${percentiles(sides.off.latencies)}`,
    `       on − off: p50 ${delta(50)}, p95 ${delta(95)}, p99 ${delta(99)}; ${sent('on')} + ${sent('off')} sends ` +
      `(POST …/messages, one at a time, ${LATENCY_THREADS} threads of ${PARTICIPANTS}, ${ROUNDS} alternating rounds ` +
      `after ${WARM_UP} untimed each; ACS and Content Safety rate limits off; chat events held back during each ` +
      `batch and handled after it)`,
    `       CPU of this process per send (backend, its emulators and the client): on ${cpu('on')}, off ${cpu('off')}; ` +
      `the stacks share this process with their emulators, so compare on with off, not with overhead.bench.ts`,
    `RESULT baselines, same rounds: one text:analyze straight to the Content Safety emulator (the backend's own ` +
      `client): ${percentiles(sides.analyze.latencies)} (CPU ${cpu('analyze')})`,
    `       the same send directly with the SDK as that user: ${percentiles(sides.direct.latencies)}`,
    `       the floor (floor-proxy.ts, a do-nothing Node proxy in its own process making that SDK call): ` +
      percentiles(sides.floor.latencies),
    `RESULT Content Safety calls per send through the API: ${(sends.on.contentSafety / sent('on')).toFixed(2)} ` +
      `(expected 1; ${sends.on.contentSafety} text:analyze calls for ${sent('on')} sends)`,
    `RESULT Content Safety calls after those sends' events: ${events.on.contentSafety} (expected 0: the seal; ` +
      `${events.on.delivered} events delivered for ${eventMessages.on} messages, ${events.on.failed} failed and ` +
      `delivered again; off: ${events.off.delivered}, ${events.off.failed})`,
    `       per send, on / off: ACS calls ${per(sends.on.acs, sent('on'))} / ${per(sends.off.acs, sent('off'))}; ` +
      `Tables operations ${per(sends.on.tables, sent('on'))} / ${per(sends.off.tables, sent('off'))}` +
      (only(sends.on.tables, 'GET Moderation') + only(sends.off.tables, 'GET Moderation') > 0
        ? ` (GET Moderation: the ban snapshot's refresh, one per ${BAN_SNAPSHOT_MS / 1000} s)`
        : ''),
    `       Tables operations per message while its events were handled, on / off: ` +
      `${per(events.on.tables, eventMessages.on)} / ${per(events.off.tables, eventMessages.off)}`,
  ];
}

function directLines({ fine, blocked }: DirectFigures): string[] {
  const batch = (b: DirectBatch): string =>
    `${b.messages} messages: ${total(b.events)} events delivered to the backend (${listed(b.events)}; ` +
    `${rate(total(b.events), b.messages)} per message), ` +
    `${b.counts.failed} deliveries failed; check outcomes: ${listed(b.outcomes)}; deleted in ACS ${b.deleted}`;
  return [
    `RESULT after the fact, messages sent straight to ACS (users' issued tokens, JS Chat SDK; ${DIRECT_THREADS} ` +
      `threads of ${PARTICIPANTS}; their events delivered to the backend once all were sent; rate limits on): ` +
      `Content Safety calls per message ` +
      `${(fine.counts.contentSafety / fine.messages).toFixed(2)} (expected 1: from the thread-level event, not ` +
      `from each recipient's, the backend's own identity among them)`,
    `       ${batch(fine)}`,
    `       per checked message: Tables operations ${per(fine.counts.tables, fine.messages)}, of which the check ` +
      `row (Moderation) ${listed(subsetOf(fine.counts.tables, 'Moderation'), fine.messages)}; ACS calls ` +
      per(fine.counts.acs, fine.messages),
    `RESULT after the fact, blocklisted messages sent straight to ACS: ${blocked.deleted} of ${blocked.messages} ` +
      `deleted in ACS, ${blocked.audited} audited; Content Safety calls per message ` +
      `${(blocked.counts.contentSafety / blocked.messages).toFixed(2)} (expected 1)`,
    `       ${batch(blocked)}`,
    `       per deleted message (its events, its check, the deletion as the sender, the audit entry, telling the ` +
      `sender, the deletion's own events): ACS calls ${per(blocked.counts.acs, blocked.messages)}; Tables ` +
      `operations ${per(blocked.counts.tables, blocked.messages)}; Web PubSub REST calls ` +
      rate(blocked.pushes, blocked.messages),
    `       extra per deletion, over a message that passed: ACS calls ${beyond(blocked.counts.acs, fine.counts.acs)}; ` +
      `Tables operations ${beyond(blocked.counts.tables, fine.counts.tables)}; Web PubSub REST calls ` +
      `${(blocked.pushes / blocked.messages - fine.pushes / fine.messages).toFixed(2)} (fine: ` +
      `${rate(fine.pushes, fine.messages)} per message)`,
  ];
  /** Per blocked message minus per fine message, in all and by key. */
  function beyond(more: Record<string, number>, base: Record<string, number>): string {
    const diff = (n: number, m: number): string => (n / blocked.messages - m / fine.messages).toFixed(2);
    const keys = [...new Set([...Object.keys(more), ...Object.keys(base)])].sort();
    const byKey = keys
      .map((key) => [key, diff(more[key] ?? 0, base[key] ?? 0)])
      .filter(([, value]) => Number(value) !== 0)
      .map(([key, value]) => `${key} ${value}`);
    return `${diff(total(more), total(base))} (${byKey.join(', ') || 'none'})`;
  }
}

function subsetOf(counts: Record<string, number>, table: string): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([key]) => key.endsWith(` ${table}`)));
}

function banLines({ withoutBans, withBans, refreshes, bannedStatus, tokens }: BanFigures): string[] {
  const extra = (total(withBans.tables) - total(withoutBans.tables)) / ROUTE_REQUESTS;
  const partitionQueries = only(refreshes.tables, 'GET Moderation');
  return [
    `RESULT ban check on a warm instance: extra Tables operations per request with ${BANS} bans: ` +
      `${extra.toFixed(2)} (target 0)`,
    `       GET …/messages, ${ROUTE_REQUESTS} requests each (ACS rate limits off): with ${BANS} bans ` +
      `${per(withBans.tables, ROUTE_REQUESTS)}; with none ${per(withoutBans.tables, ROUTE_REQUESTS)}; a banned ` +
      `user's request: ${bannedStatus}`,
    `       snapshot refresh (backend clock moved ${BAN_SNAPSHOT_MS / 1000} s on, ${SNAPSHOT_REFRESHES} times): the ` +
      `first request after it made ${per(refreshes.tables, SNAPSHOT_REFRESHES)}: ` +
      `${(partitionQueries / SNAPSHOT_REFRESHES).toFixed(2)} partition query of the ${BANS} bans beyond the ` +
      `route's own, i.e. at most one per ${BAN_SNAPSHOT_MS / 1000} s per instance ` +
      `(${(86_400_000 / BAN_SNAPSHOT_MS).toLocaleString('en-US')} a day)`,
    `RESULT POST /api/token (warm instance, ${TOKEN_ISSUES} issues): fresh ban reads per token ` +
      `${(only(tokens.tables, 'GET Moderation') / TOKEN_ISSUES).toFixed(2)} (1 by design); Tables operations ` +
      `${per(tokens.tables, TOKEN_ISSUES)}; ACS calls ${per(tokens.acs, TOKEN_ISSUES)}`,
  ];
}

/** Wrong counts (refused requests already stopped the run). */
function failures({ latency, direct, bans, deadLetters }: Figures): string[] {
  const onSends = latency.sides.on.latencies.length;
  const { fine, blocked } = direct;
  const checks: Array<[boolean, string]> = [
    [latency.sends.on.contentSafety !== onSends, 'a send through the API did not make exactly 1 Content Safety call'],
    [latency.events.on.contentSafety !== 0, 'events of sends through the API were checked again'],
    [fine.counts.contentSafety !== fine.messages, 'a message sent straight to ACS was not checked exactly once'],
    [fine.deleted !== 0, 'a fine message sent straight to ACS was deleted'],
    [blocked.counts.contentSafety !== blocked.messages, 'a blocklisted message was not checked exactly once'],
    [blocked.deleted !== blocked.messages, 'blocklisted messages sent straight to ACS were not deleted'],
    [blocked.audited !== blocked.messages, 'deletions were not audited once each'],
    [deadLetters > 0, 'chat events were dead-lettered (the backend never acknowledged them)'],
    [total(bans.withBans.tables) > total(bans.withoutBans.tables), 'bans add Tables operations on a warm instance'],
    [only(bans.withBans.tables, 'GET Moderation') > 0, 'the ban check read Tables on a warm instance'],
    [only(bans.refreshes.tables, 'GET Moderation') !== SNAPSHOT_REFRESHES, 'the snapshot refresh is not 1 query'],
    [only(bans.tokens.tables, 'GET Moderation') !== TOKEN_ISSUES, 'POST /token did not read the ban fresh once'],
  ];
  return checks.filter(([failed]) => failed).map(([, what]) => what);
}

runBench(async (cleanup) => {
  const began = performance.now();
  const bench: Bench = await startSides(cleanup, startStack);
  const { on, off } = bench;

  // The baselines act as the off stack's users 0 … 3, in its latency thread, on its emulator.
  const issued = await issueTokens(off, membersOf(0));
  const floor = await floorSide(issued, off.emulator.caCertPem, off.threadIds[0]!);
  cleanup.push(() => floor.stop());
  const direct = directSide(issued, off.emulator.caCertPem, off.threadIds[0]!);
  const analyzer = createTextAnalyzer(
    on.local.config.moderation.contentSafety!,
    new AzureKeyCredential(on.local.contentSafety!.key),
    { tlsOptions: { ca: on.local.contentSafety!.caCertPem } },
  );
  console.log(`stacks up (${((performance.now() - began) / 1000).toFixed(1)} s)`);

  const latency = await measureLatency(bench, { direct: direct.send, floor: floor.send, analyzer });
  const afterTheFact = await measureAfterTheFact(bench);
  const bans = await measureBans(bench);
  const deadLetters = on.emulator.control.listDeadLetters().length + off.emulator.control.listDeadLetters().length;
  const figures: Figures = { latency, direct: afterTheFact, bans, deadLetters };
  const problems = [on, off].flatMap((stack) => stack.problems.map((record) => `${stack.name}: ${problemKey(record)}`));
  console.log(
    [
      '',
      '=== moderation: summary ===',
      `setup: two dev stacks in this process (startLocalStack: one with the Content Safety emulator, one with ` +
        `contentSafety: false), each with its own ACS emulator; Tables (Azurite, counted by table) and Web PubSub ` +
        `in a process of their own; ${USERS} users`,
      ...latencyLines(latency),
      ...directLines(afterTheFact),
      ...banLines(bans),
      `warnings and errors the backend logged: ${problems.length} (${listed(countBy(problems))}); ` +
        `chat events dead-lettered: ${figures.deadLetters}`,
      `took ${((performance.now() - began) / 1000).toFixed(1)} s`,
    ].join('\n'),
  );
  return failures(figures);
});
