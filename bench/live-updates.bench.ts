import { setTimeout as sleep } from 'node:timers/promises';

import { WebPubSubServiceClient } from '@azure/web-pubsub';

import { createChatClient } from '../client';
import { connectLive, type LiveConnection, type LiveUpdate } from '../client/live';
import { EventSink } from '../test/helpers/event-sink';
import { eventually } from '../test/helpers/wait';
import { runBench } from './bench-main';
import { type CountingProxy, startCountingProxy } from './counting-proxy';
import { type BenchStack, percentile, startBenchStack } from './dev-stack';
import { type LiveServiceCounts, type LiveServices, startLiveServices } from './live-services';

/**
 * Live updates (issue 22, "Measured"), on the dev stack (`npm run dev` in its own process) with the emulator's
 * default Event Grid delivery and ACS's rate limits on, as a developer runs it:
 * 1. idle cost: backend requests made by connected tabs that sit idle;
 * 2. delivery latency from the sender's 201 to every socket of every other participant (and the sender's own tabs),
 *    with 200 clients connected through POST /api/realtime/negotiate and @azure/web-pubsub-client;
 * 3. typing: POST /typing to the other participants' sockets;
 * 4. cost per chat event: Web PubSub REST calls, Tables requests and ACS calls made while events are handled alone.
 * Baselines measured in the same run: when Event Grid delivers the same events to a do-nothing webhook, and how long
 * a push straight to the Web PubSub emulator takes to reach a socket.
 * Tables (Azurite) and Web PubSub run in a process of their own (live-services.ts) so that their calls can be counted.
 * Informational: timings never fail the run; missing deliveries, leaks to non-participants and failed requests do.
 */

const USERS = 100;
const TABS_PER_USER = 2;
const THREADS = 50;
const PARTICIPANTS_PER_THREAD = 4;
const RATE = Number(process.env.BENCH_LIVE_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 30);
const IDLE_SECONDS = Number(process.env.BENCH_LIVE_IDLE_SECONDS ?? 60);
/** At most one per thread: ACS allows a user 5 typing notifications per thread per 10 s, and a thread 10. */
const TYPING_SAMPLES = Math.min(THREADS, Number(process.env.BENCH_LIVE_TYPING_SAMPLES ?? 50));
const COST_MESSAGES = Number(process.env.BENCH_LIVE_COST_MESSAGES ?? 20);
const FLOOR_SAMPLES = 50;
/** Tabs connecting at once (each negotiates through the backend first). */
const CONNECT_CONCURRENCY = 20;
/** The backend's default WEBPUBSUB_HUB. */
const HUB = process.env.WEBPUBSUB_HUB || 'chat';

const userId = (user: number): string => `live-${user}`;
/** Thread t: users 2t … 2t+3 (so every user is in two threads); the first creates it. */
const membersOf = (thread: number): number[] =>
  Array.from({ length: PARTICIPANTS_PER_THREAD }, (_, j) => (2 * thread + j) % USERS);
const tabsOf = (user: number): number[] => Array.from({ length: TABS_PER_USER }, (_, k) => user * TABS_PER_USER + k);
const otherTabs = (thread: number, sender: number): number[] =>
  membersOf(thread)
    .filter((user) => user !== sender)
    .flatMap(tabsOf);

/** Every live update a tab received, when (performance.now()). */
interface Received {
  tab: number;
  update: LiveUpdate;
  at: number;
}

interface Run {
  stack: BenchStack;
  services: LiveServices;
  tokens: string[];
  threadIds: string[];
  tabs: LiveConnection[];
  received: Received[];
}

/** A delivery each of `tabs` should get of the change named `key`, timed from `since`. */
interface Expected {
  key: string;
  since: number;
  tabs: number[];
}

interface Deliveries {
  expected: number;
  received: number;
  missing: number;
  duplicates: number;
  /** Sorted, ms. */
  latencies: number[];
}

/** What identifies a change across its deliveries: `<threadId> <messageId>` or `<threadId> <from userId>`. */
function keyOf(update: LiveUpdate): string | undefined {
  if (update.type === 'messageCreated') return `${update.threadId} ${update.message.id}`;
  if (update.type === 'typing') return `${update.threadId} ${update.from.userId ?? ''}`;
  return undefined;
}

/** Received updates by key and tab, with their arrival times. */
function arrivals(received: Received[]): Map<string, Map<number, number[]>> {
  const byKey = new Map<string, Map<number, number[]>>();
  for (const { tab, update, at } of received) {
    const key = keyOf(update);
    if (key === undefined) continue;
    const byTab = byKey.get(key) ?? new Map<number, number[]>();
    byTab.set(tab, [...(byTab.get(tab) ?? []), at]);
    byKey.set(key, byTab);
  }
  return byKey;
}

/** Matches what was expected with what arrived: latency of each first arrival, what is missing or came twice. */
function matchDeliveries(expected: Expected[], received: Received[]): Deliveries {
  const byKey = arrivals(received);
  const result: Deliveries = { expected: 0, received: 0, missing: 0, duplicates: 0, latencies: [] };
  for (const { key, since, tabs } of expected) {
    for (const tab of tabs) {
      result.expected += 1;
      const times = byKey.get(key)?.get(tab);
      if (!times) {
        result.missing += 1;
        continue;
      }
      result.received += 1;
      result.duplicates += times.length - 1;
      result.latencies.push(Math.min(...times) - since);
    }
  }
  result.latencies.sort((a, b) => a - b);
  return result;
}

/** Deliveries of these changes to tabs that are none of `allowed`: a leak to someone not in the thread. */
function strangers(expected: Array<{ key: string; allowed: number[] }>, received: Received[]): number {
  const byKey = arrivals(received);
  let count = 0;
  for (const { key, allowed } of expected) {
    for (const tab of byKey.get(key)?.keys() ?? []) if (!allowed.includes(tab)) count += 1;
  }
  return count;
}

/** Runs `work(0 … count-1)`, starting one every 1/rate s whatever the previous ones are doing (an open loop). */
async function atRate<T>(count: number, rate: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const started = performance.now();
  const running: Array<Promise<T>> = [];
  for (let index = 0; index < count; index += 1) {
    await sleep(Math.max(0, started + (index * 1000) / rate - performance.now()));
    running.push(work(index));
  }
  return Promise.all(running);
}

async function inBatches(count: number, size: number, work: (index: number) => Promise<void>): Promise<void> {
  for (let first = 0; first < count; first += size) {
    await Promise.all(Array.from({ length: Math.min(size, count - first) }, (_, i) => work(first + i)));
  }
}

const threadUrl = (run: Run, thread: number, rest: string): string =>
  `${run.stack.info.apiBaseUrl}/threads/${encodeURIComponent(run.threadIds[thread]!)}${rest}`;

async function createThreads(stack: BenchStack, tokens: string[]): Promise<string[]> {
  return Promise.all(
    Array.from({ length: THREADS }, async (_, thread) => {
      const [creator, ...others] = membersOf(thread);
      const res = await stack.send(`${stack.info.apiBaseUrl}/threads`, 'POST', tokens[creator!]!, {
        topic: `live ${thread}`,
        participants: others.map((user) => ({ userId: userId(user) })),
      });
      const id = (res.json as { thread?: { id?: string } } | undefined)?.thread?.id;
      if (res.status !== 201 || !id) throw new Error(`creating thread ${thread}: ${res.status}`);
      return id;
    }),
  );
}

/** Tab i is user ⌊i/2⌋'s, connected with the typed client (default Web PubSub client options, as a browser tab). */
async function openTabs(apiBaseUrl: string, tokens: string[], received: Received[]): Promise<LiveConnection[]> {
  const tabs: LiveConnection[] = [];
  await inBatches(USERS * TABS_PER_USER, CONNECT_CONCURRENCY, async (tab) => {
    const token = tokens[Math.floor(tab / TABS_PER_USER)]!;
    tabs[tab] = await connectLive({
      client: createChatClient({ baseUrl: apiBaseUrl, token: () => token }),
      handlers: {},
      onUpdate: (update) => received.push({ tab, update, at: performance.now() }),
    });
  });
  return tabs;
}

interface IdleFigures {
  tabs: number;
  live: number;
  minutes: number;
  tabRequests: Record<string, number>;
  eventDeliveries: number;
  pushes: number;
  negotiatesAtConnect: number;
}

/**
 * Backend requests while every tab sits connected and nothing happens: what the tabs send to the API (all their API
 * traffic goes through `apiProxy`, which counts it) plus Event Grid deliveries to the backend (the emulator's
 * counts); nothing else calls the dev host meanwhile.
 */
async function measureIdle(run: Run, apiProxy: CountingProxy): Promise<IdleFigures> {
  const control = run.stack.control;
  await control.flushEvents();
  const negotiatesAtConnect = apiProxy.total();
  apiProxy.reset();
  await run.services.reset();
  const before = await control.eventDeliveryStats();
  const started = performance.now();
  await sleep(IDLE_SECONDS * 1000);
  const minutes = (performance.now() - started) / 60_000;
  const after = await control.eventDeliveryStats();
  return {
    tabs: run.tabs.length,
    live: run.tabs.filter((tab) => tab.state === 'live').length,
    minutes,
    tabRequests: apiProxy.counts(),
    eventDeliveries: after.delivered + after.failed - before.delivered - before.failed,
    pushes: (await run.services.counts()).webPubSubDelivered,
    negotiatesAtConnect,
  };
}

interface SentMessage {
  thread: number;
  sender: number;
  status: number;
  key?: string;
  sentAt: number;
  answeredAt: number;
}

interface MessageFigures {
  sent: SentMessage[];
  seconds: number;
  toOthers: Deliveries;
  toOwnTabs: Deliveries;
  strangers: number;
  /** The thread-level event at a do-nothing webhook, per message, timed from the POST and from its 201. */
  eventGridBaseline: { fromSent: number[]; from201: number[] };
}

/** Waits (up to 10 s) until every expected delivery has arrived, then matches them. */
function settle(run: Run, from: number, expected: Expected[]): Promise<Deliveries> {
  return eventually(
    () => matchDeliveries(expected, run.received.slice(from)),
    (deliveries) => deliveries.missing === 0,
    10_000,
  );
}

/**
 * Message n goes to thread n mod 50, from each of its participants in turn, RATE per second for SECONDS. A webhook
 * subscribed beside the backend to the messages' thread-level events times Event Grid alone (one more delivery per
 * message for the emulator, which delivers 16 at a time over all subscriptions).
 */
async function measureMessages(run: Run): Promise<MessageFigures> {
  const control = run.stack.control;
  const sinkArrivals = new Map<string, number>();
  const sink = await EventSink.start((delivery) => {
    for (const event of delivery.events) {
      const data = event.data as { threadId: string; messageId: string };
      sinkArrivals.set(`${data.threadId} ${data.messageId}`, performance.now());
    }
  });
  const subscription = await control.subscribeEvents({
    endpoint: sink.url,
    includedEventTypes: ['Microsoft.Communication.ChatMessageReceivedInThread'],
  });
  const from = run.received.length;
  const started = performance.now();
  try {
    const sent = await atRate(Math.round(RATE * SECONDS), RATE, (n) => {
      const thread = n % THREADS;
      return sendMessage(run, thread, membersOf(thread)[Math.floor(n / THREADS) % PARTICIPANTS_PER_THREAD]!, n);
    });
    const seconds = (performance.now() - started) / 1000;
    const ok = sent.filter((message): message is SentMessage & { key: string } => message.key !== undefined);
    const toOthers = ok.map((m) => ({ key: m.key, since: m.answeredAt, tabs: otherTabs(m.thread, m.sender) }));
    const toOwnTabs = ok.map((m) => ({ key: m.key, since: m.answeredAt, tabs: tabsOf(m.sender) }));
    await control.flushEvents(120_000);
    await settle(run, from, [...toOthers, ...toOwnTabs]);
    const received = run.received.slice(from);
    return {
      sent,
      seconds,
      toOthers: matchDeliveries(toOthers, received),
      toOwnTabs: matchDeliveries(toOwnTabs, received),
      strangers: strangers(
        ok.map(({ key, thread }) => ({ key, allowed: membersOf(thread).flatMap(tabsOf) })),
        received,
      ),
      eventGridBaseline: {
        fromSent: latencies(ok, sinkArrivals, (m) => m.sentAt),
        from201: latencies(ok, sinkArrivals, (m) => m.answeredAt),
      },
    };
  } finally {
    await control.unsubscribeEvents(subscription.id);
    await sink.close();
  }
}

/** Sorted arrival − since, for the messages that arrived. */
function latencies(
  sent: Array<SentMessage & { key: string }>,
  arrivedAt: Map<string, number>,
  since: (message: SentMessage) => number,
): number[] {
  return sent
    .map((message) => (arrivedAt.get(message.key) ?? Number.NaN) - since(message))
    .filter((latency) => !Number.isNaN(latency))
    .sort((a, b) => a - b);
}

async function sendMessage(run: Run, thread: number, sender: number, n: number): Promise<SentMessage> {
  const sentAt = performance.now();
  const res = await run.stack.send(threadUrl(run, thread, '/messages'), 'POST', run.tokens[sender]!, {
    content: `live bench ${n}`,
  });
  const answeredAt = performance.now();
  const id = (res.json as { id?: string } | undefined)?.id;
  return {
    thread,
    sender,
    status: res.status,
    ...(res.status === 201 && id ? { key: `${run.threadIds[thread]} ${id}` } : {}),
    sentAt,
    answeredAt,
  };
}

/** Calls made to ACS (the emulator's counts), Tables (the proxy's) and Web PubSub's REST API (its emulator's). */
interface Calls {
  acs: Record<string, number>;
  tables: Record<string, number>;
  webPubSubRest: Record<string, number>;
}

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((sum, n) => sum + n, 0);

function addCounts(into: Record<string, number>, more: Record<string, number>): void {
  for (const [key, n] of Object.entries(more)) into[key] = (into[key] ?? 0) + n;
}

async function resetCalls(run: Run): Promise<void> {
  await Promise.all([run.stack.control.resetCounts(), run.services.reset()]);
}

async function callsSinceReset(run: Run): Promise<Calls> {
  const [acs, services]: [Record<string, number>, LiveServiceCounts] = await Promise.all([
    run.stack.control.requestCounts(),
    run.services.counts(),
  ]);
  return { acs, tables: services.tables, webPubSubRest: services.webPubSubRest };
}

interface TypingFigures {
  posts: number;
  failed: number;
  deliveries: Deliveries;
  strangers: number;
  /** POST round trips, sorted, ms. */
  answered: number[];
  calls: Calls;
}

/** One typing notification per thread, from each thread's participants in turn, 10 a second. */
async function measureTyping(run: Run): Promise<TypingFigures> {
  const from = run.received.length;
  await resetCalls(run);
  const posts = await atRate(TYPING_SAMPLES, 10, async (thread) => {
    const sender = membersOf(thread)[thread % PARTICIPANTS_PER_THREAD]!;
    const since = performance.now();
    const res = await run.stack.send(threadUrl(run, thread, '/typing'), 'POST', run.tokens[sender]!);
    return { thread, sender, since, ok: res.status === 204, answered: performance.now() - since };
  });
  const sent = posts.filter((post) => post.ok);
  const expected = sent.map(({ thread, sender, since }) => ({
    key: `${run.threadIds[thread]} ${userId(sender)}`,
    since,
    tabs: otherTabs(thread, sender),
  }));
  const deliveries = await settle(run, from, expected);
  return {
    posts: posts.length,
    failed: posts.length - sent.length,
    deliveries,
    strangers: strangers(
      sent.map(({ thread, sender }) => ({
        key: `${run.threadIds[thread]} ${userId(sender)}`,
        allowed: membersOf(thread).flatMap(tabsOf),
      })),
      run.received.slice(from),
    ),
    answered: posts.map((post) => post.answered).sort((a, b) => a - b),
    calls: await callsSinceReset(run),
  };
}

/** The floor under any push: a REST sendToUser straight to the Web PubSub emulator, to both tabs of one user. */
async function measurePushFloor(run: Run): Promise<Deliveries> {
  const client = new WebPubSubServiceClient(run.services.webPubSubConnectionString, HUB, {
    allowInsecureConnection: true,
  });
  const from = run.received.length;
  const expected = await atRate(FLOOR_SAMPLES, RATE, async (sample) => {
    const user = sample % USERS;
    const threadId = `floor-${sample}`;
    const update: LiveUpdate = {
      v: 1,
      id: threadId,
      type: 'typing',
      threadId,
      from: { userId: 'floor', acsUserId: 'floor' },
      on: new Date().toISOString(),
    };
    const since = performance.now();
    await client.sendToUser(userId(user), update);
    return { key: `${threadId} floor`, since, tabs: tabsOf(user) };
  });
  return settle(run, from, expected);
}

interface EventCost {
  messages: number;
  /** Events the backend was delivered, by type (seen by a webhook with the backend's own filter). */
  events: Record<string, number>;
  /** Deliveries the emulator counted to the backend, which should equal the events above. */
  backendDeliveries: number;
  failedDeliveries: number;
  calls: Calls;
}

/**
 * Calls made while chat events are handled and nothing else happens: each message is sent with Event Grid holding
 * its events (the emulator's hold-and-release fault, released by a flush), the counts are zeroed once its 201 is in
 * (so the sender's own ACS call and the route's Tables reads are not counted), and read after its events were
 * delivered and acknowledged. A message's events concern different recipients, so the order a release delivers them
 * in changes nothing. Identity lookups are warm, as in a running instance.
 */
async function measureEventCost(run: Run): Promise<EventCost> {
  const control = run.stack.control;
  const backend = (await control.listEventSubscriptions()).find(
    (subscription) => subscription.id === run.stack.info.chatEvents?.subscriptionId,
  );
  if (!backend) throw new Error('the dev stack has no chatEvents subscription');
  const twin = await EventSink.start();
  const twinSubscription = await control.subscribeEvents({
    endpoint: twin.url,
    ...(backend.includedEventTypes ? { includedEventTypes: backend.includedEventTypes } : {}),
  });
  await control.flushEvents();
  await control.setEventDelivery({ reorder: true, reorderWindowMs: 600_000 });
  const cost: EventCost = {
    messages: 0,
    events: {},
    backendDeliveries: 0,
    failedDeliveries: 0,
    calls: { acs: {}, tables: {}, webPubSubRest: {} },
  };
  try {
    for (let i = 0; i < COST_MESSAGES; i += 1) {
      const thread = i % THREADS;
      const message = await sendMessage(run, thread, membersOf(thread)[i % PARTICIPANTS_PER_THREAD]!, i);
      if (message.status !== 201) throw new Error(`sending a message answered ${message.status}`);
      await resetCalls(run);
      const before = await control.eventDeliveryStats();
      const after = await control.flushEvents(60_000);
      const calls = await callsSinceReset(run);
      cost.messages += 1;
      cost.backendDeliveries += after.delivered - before.delivered;
      cost.failedDeliveries += after.failed - before.failed;
      addCounts(cost.calls.acs, calls.acs);
      addCounts(cost.calls.tables, calls.tables);
      addCounts(cost.calls.webPubSubRest, calls.webPubSubRest);
    }
  } finally {
    await control.setEventDelivery({ reorder: false });
    await control.unsubscribeEvents(twinSubscription.id);
    await twin.close();
  }
  const events = twin.events();
  cost.backendDeliveries -= events.length;
  cost.events = countBy(events.map((event) => event.eventType.replace('Microsoft.Communication.', '')));
  return cost;
}

interface Figures {
  idle: IdleFigures;
  messages: MessageFigures;
  typing: TypingFigures;
  floor: Deliveries;
  cost: EventCost;
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const latency = (sorted: number[]): string =>
  sorted.length === 0
    ? 'no samples'
    : `p50 ${ms(percentile(sorted, 50))}  p99 ${ms(percentile(sorted, 99))}  min ${ms(sorted[0]!)}  ` +
      `max ${ms(sorted.at(-1)!)}  (${sorted.length} samples)`;
const counted = (d: Deliveries): string =>
  `${d.expected} expected, ${d.received} received, ${d.missing} missing, ${d.duplicates} duplicates`;
const listed = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || 'none';
const per = (counts: Record<string, number>, units: number): string =>
  `${(total(counts) / units).toFixed(2)} (${listed(counts)})`;
/** Tables requests split into reads (GET) and writes (anything else). */
const tablesPer = (counts: Record<string, number>, units: number): string => {
  const reads = total(Object.fromEntries(Object.entries(counts).filter(([key]) => key.startsWith('GET '))));
  return `${(total(counts) / units).toFixed(2)} = ${(reads / units).toFixed(2)} reads + ${((total(counts) - reads) / units).toFixed(2)} writes (${listed(counts)})`;
};

function printSummary({ idle, messages, typing, floor, cost }: Figures): void {
  const failedSends = messages.sent.filter((message) => message.status !== 201);
  const requests = total(idle.tabRequests) + idle.eventDeliveries;
  const events = total(cost.events);
  const p = (sorted: number[], at: number): string => ms(percentile(sorted, at));
  console.log(
    [
      '',
      '=== live updates: summary ===',
      `setup: ${USERS} users x ${TABS_PER_USER} tabs = ${idle.tabs} clients (@azure/web-pubsub-client, URL from ` +
        `POST /api/realtime/negotiate), ${THREADS} threads x ${PARTICIPANTS_PER_THREAD} participants; dev stack, ` +
        `the emulator's default Event Grid delivery, ACS rate limits on`,
      `RESULT message, sender's 201 → other participants' sockets: p50 ${p(messages.toOthers.latencies, 50)} ` +
        `(target ≤ 150 ms), p99 ${p(messages.toOthers.latencies, 99)} (target ≤ 1000 ms)`,
      `       ${latency(messages.toOthers.latencies)}`,
      `       ${messages.sent.length} messages in ${messages.seconds.toFixed(1)} s ` +
        `(${(messages.sent.length / messages.seconds).toFixed(1)}/s; ${failedSends.length} not 201: ` +
        `${listed(countBy(failedSends.map((message) => String(message.status))))}); ` +
        `per recipient socket: ${counted(messages.toOthers)}; ${messages.strangers} to non-participants`,
      `RESULT message, sender's 201 → the sender's own tabs: ${latency(messages.toOwnTabs.latencies)}; ` +
        counted(messages.toOwnTabs),
      `RESULT baseline, Event Grid delivering the same messages' thread-level events to a do-nothing webhook:`,
      `       from the sender's 201 (negative: before it): ${latency(messages.eventGridBaseline.from201)}`,
      `       from the sender's POST: ${latency(messages.eventGridBaseline.fromSent)}`,
      `RESULT baseline, REST sendToUser straight to the Web PubSub emulator → socket: ${latency(floor.latencies)}; ` +
        counted(floor),
      `RESULT typing, POST sent → other participants' sockets: p50 ${p(typing.deliveries.latencies, 50)}, ` +
        `p99 ${p(typing.deliveries.latencies, 99)}; ${latency(typing.deliveries.latencies)}`,
      `       ${typing.posts} POSTs (${typing.failed} not 204; answered p50 ${p(typing.answered, 50)}); ` +
        `${counted(typing.deliveries)}; ${typing.strangers} to non-participants`,
      `RESULT idle: backend requests per idle connected tab per minute: ` +
        `${(requests / idle.tabs / idle.minutes).toFixed(3)} (target 0)`,
      `       ${idle.tabs} tabs (${idle.live} live at the end) for ${(idle.minutes * 60).toFixed(1)} s: ` +
        `requests from the tabs ${listed(idle.tabRequests)}, Event Grid deliveries to the backend ` +
        `${idle.eventDeliveries}, Web PubSub messages pushed ${idle.pushes} (the same proxy counted ` +
        `${idle.negotiatesAtConnect} requests while the tabs connected)`,
      `RESULT cost per chat event (${events} events of ${cost.messages} messages, handled alone: ` +
        `${listed(cost.events)}; the emulator counted ${cost.backendDeliveries} deliveries to the backend, ` +
        `${cost.failedDeliveries} failed):`,
      `       Web PubSub REST calls ${per(cost.calls.webPubSubRest, events)}`,
      `       Tables requests ${tablesPer(cost.calls.tables, events)}`,
      `       ACS calls ${per(cost.calls.acs, events)} (target 0)`,
      `       per message: ${(events / cost.messages).toFixed(2)} events, ` +
        `${(total(cost.calls.webPubSubRest) / cost.messages).toFixed(2)} Web PubSub REST calls, ` +
        `${(total(cost.calls.tables) / cost.messages).toFixed(2)} Tables requests, ` +
        `${(total(cost.calls.acs) / cost.messages).toFixed(2)} ACS calls`,
      `RESULT cost per typing POST (${typing.posts}): ACS calls as the caller ${per(typing.calls.acs, typing.posts)}, ` +
        `Web PubSub REST calls ${per(typing.calls.webPubSubRest, typing.posts)}, ` +
        `Tables requests ${tablesPer(typing.calls.tables, typing.posts)}`,
    ].join('\n'),
  );
}

function countBy(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

/** Wrong behaviour (not timings): what makes the run fail. */
function failures({ messages, typing, floor, cost }: Figures): string[] {
  const checks: Array<[boolean, string]> = [
    [messages.sent.some((message) => message.status !== 201), 'messages were not accepted (not 201)'],
    [messages.toOthers.missing + messages.toOwnTabs.missing > 0, 'message deliveries are missing'],
    [messages.strangers + typing.strangers > 0, 'updates reached clients of non-participants'],
    [typing.failed > 0, 'typing notifications were not accepted (not 204)'],
    [typing.deliveries.missing > 0, 'typing deliveries are missing'],
    [floor.missing > 0, 'pushes straight to Web PubSub are missing'],
    [cost.failedDeliveries > 0, 'the backend failed Event Grid deliveries'],
    [cost.backendDeliveries !== total(cost.events), 'the backend was not delivered what its filter selects'],
  ];
  return checks.filter(([failed]) => failed).map(([, what]) => what);
}

runBench(async (cleanup) => {
  const began = performance.now();
  const services = await startLiveServices();
  cleanup.push(() => services.stop());
  const stack = await startBenchStack({
    TABLES_CONNECTION_STRING: services.tablesConnectionString,
    WEBPUBSUB_CONNECTION_STRING: services.webPubSubConnectionString,
  });
  cleanup.push(() => stack.stop());
  const apiProxy = await startCountingProxy(
    new URL(stack.info.apiBaseUrl).origin,
    (method, path) => `${method} ${path}`,
  );
  cleanup.push(() => apiProxy.close());

  const tokens = await Promise.all(Array.from({ length: USERS }, (_, user) => stack.token(userId(user))));
  const threadIds = await createThreads(stack, tokens);
  const received: Received[] = [];
  const apiPath = new URL(stack.info.apiBaseUrl).pathname;
  const tabs = await openTabs(`${apiProxy.origin}${apiPath}`, tokens, received);
  cleanup.push(() => tabs.forEach((tab) => tab.stop()));
  console.log(
    `${tabs.length} tabs connected, ${THREADS} threads (${((performance.now() - began) / 1000).toFixed(1)} s)`,
  );

  const run: Run = { stack, services, tokens, threadIds, tabs, received };
  const idle = await measureIdle(run, apiProxy);
  const messages = await measureMessages(run);
  const typing = await measureTyping(run);
  const floor = await measurePushFloor(run);
  const cost = await measureEventCost(run);
  const figures = { idle, messages, typing, floor, cost };
  printSummary(figures);
  console.log(`took ${((performance.now() - began) / 1000).toFixed(1)} s`);
  return failures(figures);
});
