import { Agent } from 'node:http';

import type { TableClient } from '@azure/data-tables';

import type { LogRecord } from '../dev/host';
import { type LocalStack, startLocalStack } from '../dev/local-stack';
import type { RunningEmulator } from '../emulator';
import type { MailboxEntry } from '../emulator/email/control';
import { EMAIL_RATE_TIERS } from '../emulator/email/limits';
import { DUE_ENTRIES_PER_RUN, EMAILS_PER_RUN } from '../src/notifications/away-mailer';
import { DEFAULT_DELAY_MINUTES, MIN_DELAY_MINUTES } from '../src/notifications/notification-schemas';
import { NotificationRepository } from '../src/storage/notification-repository';
import { createTableClients } from '../src/storage/table-clients';
import { EventSink } from '../test/helpers/event-sink';
import { runBench } from './bench-main';
import { sendRequest } from './dev-stack';
import {
  addInto,
  check,
  countBy,
  forEachAtOnce,
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
 * Away emails (issue 25, "Measured"): what scheduling and sending them costs, against the emulators.
 * 1. Extra Tables operations per unread-creating event: the same chat traffic (threads of EVENT_MEMBERS, messages
 *    from each member in turn, some recipients reading between rounds so that threads go from read to unread again)
 *    on a dev stack with away emails and on one without (`email: false`); the Tables operations made while the
 *    events were handled, on each, by table, and their difference per unread-creating event (a user-level
 *    ChatMessageReceived that adds an unread message) and per batch start (a thread going from read to unread: the
 *    one Notifications insert).
 * 2. Work per `sendAwayEmails` run: TOTAL_USERS users with a row in the Notifications table (the signed-in ones by
 *    POST /api/token with an `email` claim, the rest seeded), of whom 10, 100 and QUOTA_USERS have due entries; the
 *    timer runs every emulated minute from their messages until each was emailed; Tables operations per run and per
 *    due user, and a run with nothing due.
 * 3. QUOTA_USERS users with unread messages at once (threads of RECIPIENTS recipients and one sender, one message
 *    each) under ACS Email's default quota (the emulator's 'CustomDomain': 30 a minute, 100 an hour), then
 *    MANAGED_USERS of them again (they read, then a new message) under an Azure-managed domain's (5 a minute, 10 an
 *    hour): emails per user in the emulator's mailbox (exactly one each), emulated time taken against the least the
 *    quota allows, 429s and whether their Retry-After was waited out, order of sending (oldest first).
 *
 * Both stacks run in this process (startLocalStack, as moderation.bench.ts does), each with an ACS emulator of its
 * own, the backend on that emulator's clock (the timer is run through the dev host's admin route each emulated
 * minute, after the clock is moved on); Tables (Azurite, behind a proxy counting operations by table) and Web PubSub
 * (presence checks) in a process of their own (live-services.ts). Nothing else runs while a figure is counted, so
 * counts are deltas of the services' own counters. ACS's rate limits are off while users, threads and the traffic of
 * parts 1 and 2 are set up (the emulator's switch turns Email's limits off with them: part 2 measures work, not the
 * quota); part 3 turns them on, with Email's tier set for each drain. Informational: timings never fail the run;
 * refused requests and wrong counts (an email lost or sent twice, out of order, sent during a Retry-After, work that
 * grows with all users) do.
 *
 * Scale with BENCH_AWAY_TOTAL_USERS (users with a Notifications row, 10,000), BENCH_AWAY_DUE (the due groups of part
 * 2, `10,100`), BENCH_AWAY_USERS (part 3's users, 1,000), BENCH_AWAY_MANAGED_USERS (of those, the ones emailed again
 * at the managed domain's quota, 1,000: about 100 emulated hours, ~35 s here; fewer, and the summary projects 1,000),
 * BENCH_AWAY_ROUNDS (part 1's rounds, 4). Part 1's events are delivered one at a time after each batch of requests,
 * so that neither stack's inbox writes race (the same inbox work on both).
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TOTAL_USERS = Number(process.env.BENCH_AWAY_TOTAL_USERS ?? 10_000);
const DUE_SIZES = (process.env.BENCH_AWAY_DUE ?? '10,100').split(',').map(Number);
const QUOTA_USERS = Number(process.env.BENCH_AWAY_USERS ?? 1_000);
const MANAGED_USERS = Math.min(QUOTA_USERS, Number(process.env.BENCH_AWAY_MANAGED_USERS ?? 1_000));
const EVENT_ROUNDS = Number(process.env.BENCH_AWAY_ROUNDS ?? 4);
/** Part 1: threads of EVENT_MEMBERS among EVENT_USERS users, EVENT_MESSAGES messages a round in each. */
const EVENT_USERS = 8;
const EVENT_THREADS = 4;
const EVENT_MEMBERS = 4;
const EVENT_MESSAGES = 3;
/** Parts 2 and 3: each thread has one sender (of SENDERS, who create the threads) and RECIPIENTS recipients. */
const RECIPIENTS = 10;
const SENDERS = 10;
const CONCURRENCY = 16;
/** After the last email of a drain, the timer keeps running this long (emulated) to show that nothing more is sent. */
const TAIL_MS = HOUR;

type StackName = 'on' | 'off';

/** What the backend logged about a `sendAwayEmails` run, with the emulated time it logged it at. */
type MailerRecord =
  | { at: number; kind: 'run'; counts: Record<string, number> }
  | { at: number; kind: 'paused'; retryAfterSeconds: number };

interface Stack {
  name: StackName;
  local: LocalStack;
  emulator: RunningEmulator;
  agent: Agent;
  bearers: Map<string, string>;
  mailer: MailerRecord[];
  /** Warnings and errors the backend logged, but for the mailer's pauses (counted in part 3). */
  problems: LogRecord[];
}

interface Bench extends Sides<Stack> {
  /** The on stack's Notifications table, read directly (seeding, and the due index after each drain). */
  notifications: NotificationRepository;
  notificationsTable: TableClient;
}

const address = (userId: string): string => `${userId}@example.com`;
const threadPath = (threadId: string, rest: string): string => `/threads/${encodeURIComponent(threadId)}${rest}`;

async function startStack(name: StackName, services: LiveServices): Promise<Stack> {
  const mailer: MailerRecord[] = [];
  const problems: LogRecord[] = [];
  // The emulated time of log records (wall time while the stack starts).
  const clock = { now: (): number => Date.now() };
  const local = await startLocalStack({
    port: 0,
    tablesConnectionString: services.tablesConnectionString,
    env: { TABLE_NAME_PREFIX: name, WEBPUBSUB_CONNECTION_STRING: services.webPubSubConnectionString },
    email: name === 'on',
    contentSafety: false,
    attachments: false,
    acsRateLimits: false,
    backendOnEmulatorClock: true,
    log: (record) => {
      const [message, fields] = record.args as [unknown, Record<string, number> | undefined];
      const at = clock.now();
      if (message === 'away emails run' && fields) mailer.push({ at, kind: 'run', counts: fields });
      else if (message === 'away emails paused: ACS Email asks to wait')
        mailer.push({ at, kind: 'paused', retryAfterSeconds: Number(fields?.retryAfterSeconds) });
      else if (record.level === 'warning' || record.level === 'error') problems.push(record);
    },
  });
  const { emulator } = local;
  check(emulator !== undefined, 'the stack runs no ACS emulator');
  clock.now = () => emulator.control.now();
  return {
    name,
    local,
    emulator,
    agent: new Agent({ keepAlive: true, maxSockets: CONCURRENCY }),
    bearers: new Map(),
    mailer,
    problems,
  };
}

/** A request to the stack's API as `userId` (signed by its dev issuer, with an `email` claim); checks the status. */
async function api<T>(stack: Stack, method: string, path: string, userId: string, body?: unknown): Promise<T> {
  let bearer = stack.bearers.get(userId);
  if (!bearer) {
    bearer = await stack.local.issuer.mint(userId, { name: userId, email: address(userId) });
    stack.bearers.set(userId, bearer);
  }
  const res = await sendRequest(stack.agent, `${stack.local.host.apiBaseUrl}${path}`, method, bearer, body);
  check(res.status >= 200 && res.status < 300, `${method} ${path} answered ${res.status}: ${JSON.stringify(res.json)}`);
  return res.json as T;
}

/** `work` for each item, CONCURRENCY at a time. */
const forEach = <T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> =>
  forEachAtOnce(items, CONCURRENCY, work);

/** POST /api/token: the user's ACS identity, and the backend learns their address from the token. */
const signIn = (stack: Stack, users: readonly string[]): Promise<void> =>
  forEach(users, (userId) => api(stack, 'POST', '/token', userId));

async function createThread(stack: Stack, creator: string, others: string[], topic: string): Promise<string> {
  const created = await api<{ thread: { id: string } }>(stack, 'POST', '/threads', creator, {
    topic,
    participants: others.map((userId) => ({ userId })),
  });
  return created.thread.id;
}

async function sendMessage(stack: Stack, threadId: string, sender: string, content: string): Promise<string> {
  return (await api<{ id: string }>(stack, 'POST', threadPath(threadId, '/messages'), sender, { content })).id;
}

// --- Counts ---

interface Counts {
  /** `<method> <table>`, the stack's table prefix taken off. */
  tables: Record<string, number>;
  webPubSubRest: number;
}

async function countsOf(bench: Bench, stack: Stack): Promise<Counts> {
  const counts = await bench.services.counts();
  return { tables: withoutPrefix(counts.tables, stack.name), webPubSubRest: total(counts.webPubSubRest) };
}

/** The counts `work` caused on `stack` (nothing else may run meanwhile). */
async function counting(bench: Bench, stack: Stack, work: () => Promise<unknown>): Promise<Counts> {
  const before = await countsOf(bench, stack);
  await work();
  const after = await countsOf(bench, stack);
  return { tables: subtract(after.tables, before.tables), webPubSubRest: after.webPubSubRest - before.webPubSubRest };
}

// --- 1. Extra Tables operations per unread-creating event ---

/** The traffic of part 1, played out on a model of who has what unread (each stack gets the same). */
interface EventTraffic {
  messages: number;
  /** Recipients' user-level events that add an unread message (every message, every member but its sender). */
  unreadCreating: number;
  /** Of those, the ones where the thread went from nothing unread to something: a batch starts. */
  batchStarts: number;
  reads: number;
}

interface EventSide {
  tables: Record<string, number>;
  delivered: number;
  failed: number;
  /** By event type, as a webhook with the backend's own filter saw them. */
  events: Record<string, number>;
}

const eventUser = (n: number): string => `ev-u${n}`;
const eventMembers = (thread: number): string[] =>
  Array.from({ length: EVENT_MEMBERS }, (_, j) => eventUser((2 * thread + j) % EVENT_USERS));

/** Round r: in each thread EVENT_MESSAGES messages from members r, r+1, …; then members r and r+2 read them all. */
async function playEvents(bench: Bench, stack: Stack, traffic: EventTraffic): Promise<EventSide> {
  const users = Array.from({ length: EVENT_USERS }, (_, n) => eventUser(n));
  await signIn(stack, users);
  const threadIds: string[] = [];
  for (let thread = 0; thread < EVENT_THREADS; thread += 1) {
    const [creator, ...others] = eventMembers(thread);
    threadIds.push(await createThread(stack, creator!, others, `events ${thread}`));
  }
  await settleEvents(stack.emulator, stack.name);
  const control = stack.emulator.control;
  const backend = control.listEventSubscriptions().find((s) => s.id === stack.local.info.chatEvents?.subscriptionId);
  check(backend !== undefined, 'the stack has no chatEvents subscription');
  const twin = await EventSink.start();
  const twinSubscription = await control.subscribeEvents({
    endpoint: twin.url,
    ...(backend.includedEventTypes ? { includedEventTypes: backend.includedEventTypes } : {}),
  });
  const side: EventSide = { tables: {}, delivered: 0, failed: 0, events: {} };
  // One delivery at a time: no two handlers race for an inbox row, so both stacks do the same inbox work.
  const { concurrency } = control.getEventDelivery();
  control.setEventDelivery({ concurrency: 1 });
  const unread = new Map<string, number>();
  const handled = async (): Promise<void> => {
    const before = control.eventDeliveryStats();
    addInto(side.tables, (await counting(bench, stack, () => settleEvents(stack.emulator, stack.name))).tables);
    const after = control.eventDeliveryStats();
    side.delivered += after.delivered - before.delivered;
    side.failed += after.failed - before.failed;
  };
  const model = stack.name === 'on';
  try {
    for (let round = 0; round < EVENT_ROUNDS; round += 1) {
      holdEvents(stack.emulator, true);
      const last: string[] = [];
      for (let thread = 0; thread < EVENT_THREADS; thread += 1) {
        const members = eventMembers(thread);
        for (let k = 0; k < EVENT_MESSAGES; k += 1) {
          const sender = members[(round + k) % EVENT_MEMBERS]!;
          last[thread] = await sendMessage(stack, threadIds[thread]!, sender, `round ${round} message ${k}`);
          if (!model) continue;
          traffic.messages += 1;
          for (const member of members.filter((m) => m !== sender)) {
            const key = `${thread}|${member}`;
            traffic.unreadCreating += 1;
            if ((unread.get(key) ?? 0) === 0) traffic.batchStarts += 1;
            unread.set(key, (unread.get(key) ?? 0) + 1);
          }
        }
      }
      await handled();
      holdEvents(stack.emulator, true);
      for (let thread = 0; thread < EVENT_THREADS; thread += 1) {
        const members = eventMembers(thread);
        for (const reader of [members[round % EVENT_MEMBERS]!, members[(round + 2) % EVENT_MEMBERS]!]) {
          await api(stack, 'POST', threadPath(threadIds[thread]!, '/read-receipts'), reader, {
            messageId: last[thread],
          });
          if (!model) continue;
          traffic.reads += 1;
          unread.set(`${thread}|${reader}`, 0);
        }
      }
      await handled();
    }
  } finally {
    holdEvents(stack.emulator, false);
    control.setEventDelivery({ concurrency });
    control.unsubscribeEvents(twinSubscription.id);
    await twin.close();
  }
  side.events = countBy(twin.events().map((event) => event.eventType.replace('Microsoft.Communication.', '')));
  return side;
}

interface EventFigures {
  traffic: EventTraffic;
  on: EventSide;
  off: EventSide;
  /** Due entries the on stack's scheduler logged. */
  scheduled: number;
}

async function measureEvents(bench: Bench): Promise<EventFigures> {
  const traffic: EventTraffic = { messages: 0, unreadCreating: 0, batchStarts: 0, reads: 0 };
  const on = await playEvents(bench, bench.on, traffic);
  const off = await playEvents(bench, bench.off, traffic);
  return { traffic, on, off, scheduled: only(on.tables, 'POST Notifications') };
}

// --- 2. Work per timer run ---

/** One sendAwayEmails run: what it cost and what it did. */
interface Run {
  at: number;
  counts: Counts;
  /** Outcomes by user (`sent`, `waiting`, …) as the run logged them; `paused` for a run that only saw the pause. */
  outcomes: Record<string, number>;
}

/** Runs the timer once, now, through the dev host's admin route (it answers when the run has ended). */
async function runTimer(bench: Bench): Promise<Run> {
  const { on } = bench;
  const at = on.emulator.control.now();
  const mark = on.mailer.length;
  const counts = await counting(bench, on, async () => {
    const res = await sendRequest(on.agent, `${on.local.host.origin}/admin/functions/sendAwayEmails`, 'POST', '', {
      input: '',
    });
    check(res.status === 202, `running sendAwayEmails answered ${res.status}`);
  });
  const outcomes: Record<string, number> = {};
  for (const record of on.mailer.slice(mark)) {
    if (record.kind === 'run') addInto(outcomes, record.counts);
  }
  // A paused run logs nothing: it read the pause and stopped (one Tables read).
  if (Object.keys(outcomes).length === 0 && total(counts.tables) === 1) outcomes.paused = 1;
  return { at, counts, outcomes };
}

/** Users a run looked at (every outcome but a pause). */
const handledIn = (run: Run): number => total(run.outcomes) - only(run.outcomes, 'paused');

/** A group of threads, each with one sender and RECIPIENTS recipients, the recipients being the group's users. */
interface Group {
  label: string;
  threads: Array<{ id: string; sender: string; recipients: string[] }>;
}

const groupUsers = (group: Group): string[] => group.threads.flatMap((thread) => thread.recipients);

async function createGroup(stack: Stack, label: string, users: number): Promise<Group> {
  const threads = Array.from({ length: Math.ceil(users / RECIPIENTS) }, (_, t) => ({
    id: '',
    sender: `away-s${t % SENDERS}`,
    recipients: Array.from({ length: RECIPIENTS }, (__, r) => `${label}-r${t * RECIPIENTS + r}`),
  }));
  await signIn(
    stack,
    threads.flatMap((thread) => thread.recipients),
  );
  await forEach(threads, async (thread) => {
    thread.id = await createThread(stack, thread.sender, thread.recipients, `${label} ${thread.recipients[0]}`);
  });
  return { label, threads };
}

/** One message in each of the group's threads, from its sender; returns the emulated time before the first. */
async function messageGroup(stack: Stack, group: Group, content: string): Promise<{ at: number; ids: string[] }> {
  const at = stack.emulator.control.now();
  const ids: string[] = [];
  for (const thread of group.threads) ids.push(await sendMessage(stack, thread.id, thread.sender, content));
  await settleEvents(stack.emulator, stack.name);
  return { at, ids };
}

/** Due entries left in the index (read directly, not counted), for these users if given. */
async function dueLeft(bench: Bench, users?: Set<string>): Promise<number> {
  const entries = await bench.notifications.due(9_999_999_999_998, 1_000);
  return entries.filter((entry) => !users || users.has(entry.userId)).length;
}

interface Drain {
  /** Emulated time of the group's messages. */
  from: number;
  runs: Run[];
  /** When the last email went out was found, and the runs went on for TAIL_MS. */
  done: boolean;
}

/**
 * Moves the emulator clock on a minute and runs the timer, again and again, until the group's `expected` emails went
 * out (by the runs' own `sent` counts) and TAIL_MS more, or `limitMs` of emulated time passed.
 */
async function drain(bench: Bench, from: number, expected: number, limitMs: number): Promise<Drain> {
  const control = bench.on.emulator.control;
  const runs: Run[] = [];
  let sent = 0;
  let lastSentAt: number | undefined;
  while (control.now() - from < limitMs) {
    control.advanceClock(MINUTE);
    const run = await runTimer(bench);
    runs.push(run);
    sent += only(run.outcomes, 'sent');
    if (sent >= expected && lastSentAt === undefined) lastSentAt = run.at;
    if (lastSentAt !== undefined && run.at - lastSentAt >= TAIL_MS) return { from, runs, done: true };
  }
  return { from, runs, done: false };
}

interface WorkFigures {
  users: number;
  /** A run with nothing due. */
  idle: Counts;
  groups: Array<{ due: number; drain: Drain; left: number }>;
}

/**
 * A drain's totals, its busiest run (most Tables operations), and the work for its users: what its runs made beyond
 * what every run makes (`idle`, a run with nothing due; 1 read for a run that found the pause).
 */
function drainWork(drain: Drain, idle: number) {
  const { runs } = drain;
  const tables: Record<string, number> = {};
  for (const run of runs) addInto(tables, run.counts.tables);
  const busiest = runs.reduce((most, run) => (total(run.counts.tables) > total(most.counts.tables) ? run : most));
  const paused = runs.filter((run) => only(run.outcomes, 'paused') > 0).length;
  return {
    runs: runs.length,
    working: runs.filter((run) => handledIn(run) > 0).length,
    paused,
    tables,
    forUsers: total(tables) - paused - (runs.length - paused) * idle,
    sent: runs.reduce((sum, run) => sum + only(run.outcomes, 'sent'), 0),
    busiest,
    webPubSubRest: runs.reduce((sum, run) => sum + run.counts.webPubSubRest, 0),
  };
}

async function measureWork(bench: Bench, groups: Group[], signedIn: number): Promise<WorkFigures> {
  const { on } = bench;
  // Everyone else with a settings row: as POST /api/token leaves it for a user whose token carries an address.
  const seeded = Math.max(0, TOTAL_USERS - signedIn);
  await forEach(
    Array.from({ length: seeded }, (_, n) => `bystander-${n}`),
    (userId) => bench.notifications.merge(userId, { tokenAddress: address(userId) }),
  );
  check((await dueLeft(bench)) === 0, 'due entries were left before part 2');
  const idle = (await runTimer(bench)).counts;
  // The users' rows (partitions `user-…`), counted in the table itself.
  let users = 0;
  const rows = bench.notificationsTable.listEntities({
    queryOptions: { filter: "PartitionKey ge 'user-' and PartitionKey lt 'user.'", select: ['RowKey'] },
  });
  for await (const row of rows) if (row.rowKey) users += 1;
  check(users === signedIn + seeded, `the Notifications table holds ${users} user rows, not ${signedIn + seeded}`);
  const figures: WorkFigures = { users, idle, groups: [] };
  for (const group of groups) {
    const users = groupUsers(group);
    const { at } = await messageGroup(on, group, `for ${group.label}`);
    const drained = await drain(bench, at, users.length, 3 * HOUR);
    figures.groups.push({ due: users.length, drain: drained, left: await dueLeft(bench, new Set(users)) });
  }
  return figures;
}

// --- 3. The quota ---

type Tier = keyof typeof EMAIL_RATE_TIERS;

interface QuotaFigures {
  tier: Tier;
  users: number;
  /** The message of each thread of the group that started the batch. */
  messageIds: string[];
  drain: Drain;
  /** The group's mailbox entries of this drain, oldest first. */
  emails: MailboxEntry[];
  /** Users of the group with no email, with more than one. */
  missing: number;
  twice: number;
  /** Repeated requests under an Operation-Id already sent (the emulator sent nothing again). */
  repeats: number;
  /** Emails with another subject than "1 unread message in <topic>". */
  wrongSubject: number;
  /** Emails sent before an email of a user whose batch started earlier. */
  outOfOrder: number;
  pauses: Array<{ at: number; retryAfterSeconds: number }>;
  /** Emails accepted, and send requests made, while a Retry-After had not run out. */
  sentWhilePaused: number;
  /** The least time the quota allows, with the same runs: when an ideal sender's last email would have gone. */
  idealLastAt: number;
  /** email.send requests the emulator received meanwhile. */
  sendRequests: number;
  left: number;
}

/**
 * With the emulator's fixed windows (one minute, one hour, on its clock) and the drain's own run times: the run at
 * which a sender using every email the quota allows would send its last, each user's email allowed from their
 * batch's start plus the default delay.
 */
function idealLastRun(tier: Tier, runs: Run[], eligibleFrom: number[]): number {
  const windows = EMAIL_RATE_TIERS[tier].send.map((w) => ({ ms: w.windowSeconds * 1000, limit: w.limit }));
  const used = new Map<string, number>();
  const waiting = [...eligibleFrom].sort((a, b) => a - b);
  let next = 0;
  for (const run of runs) {
    while (next < waiting.length && waiting[next]! <= run.at) {
      const keys = windows.map((w) => `${w.ms}|${Math.floor(run.at / w.ms)}`);
      if (windows.some((w, i) => (used.get(keys[i]!) ?? 0) >= w.limit)) break;
      for (const key of keys) used.set(key, (used.get(key) ?? 0) + 1);
      next += 1;
      if (next === waiting.length) return run.at;
    }
  }
  return Number.NaN;
}

/** One message in each thread of `group` with the emulator's Email quota at `tier`, and the drain that follows. */
async function measureQuota(bench: Bench, tier: Tier, group: Group, content: string): Promise<QuotaFigures> {
  const expected = new Set(groupUsers(group));
  const control = bench.on.emulator.control;
  control.setRateLimiting(true);
  control.email.setRateLimit(tier);
  const mailboxMark = control.email.messages().length;
  const sendsBefore = only(control.requestCounts(), 'email.send');
  const { at, ids: messageIds } = await messageGroup(bench.on, group, content);
  // Each user's batch started with their thread's message: the order emails should go out in.
  const batchOf = new Map<string, number>();
  for (const [t, thread] of group.threads.entries())
    for (const user of thread.recipients) if (expected.has(user)) batchOf.set(address(user), t);
  const { send } = EMAIL_RATE_TIERS[tier];
  const perHour = Math.min(...send.map((w) => (w.limit * 3600) / w.windowSeconds));
  const limitMs = (Math.ceil(expected.size / perHour) + 3) * HOUR;
  const drained = await drain(bench, at, expected.size, limitMs);
  const emails = control.email.messages().slice(mailboxMark);
  const mine = emails.filter((email) => batchOf.has(email.to[0]?.address ?? ''));
  const perUser = countBy(mine.map((email) => email.to[0]!.address));
  const pauses = bench.on.mailer
    .filter((record): record is Extract<MailerRecord, { kind: 'paused' }> => record.kind === 'paused')
    .filter((record) => record.at >= at);
  const acceptedAt = mine.map((email) => Date.parse(email.acceptedAt));
  // The pause is logged a moment after the 429 was answered: a second's leeway at its end.
  const inPause = (time: number): boolean =>
    pauses.some((pause) => time > pause.at && time < pause.at + (pause.retryAfterSeconds - 1) * 1000);
  let outOfOrder = 0;
  let latest = -1;
  for (const email of mine) {
    const batch = batchOf.get(email.to[0]!.address)!;
    if (batch < latest) outOfOrder += 1;
    latest = Math.max(latest, batch);
  }
  const topicOf = (email: MailboxEntry): string =>
    `${group.label} ${group.threads[batchOf.get(email.to[0]!.address)!]!.recipients[0]}`;
  return {
    tier,
    users: expected.size,
    messageIds,
    drain: drained,
    emails: mine,
    missing: [...expected].filter((user) => !perUser[address(user)]).length,
    twice: Object.values(perUser).filter((n) => n > 1).length,
    repeats: mine.reduce((sum, email) => sum + email.repeats, 0),
    wrongSubject: mine.filter((email) => email.subject !== `1 unread message in ${topicOf(email)}`).length,
    outOfOrder,
    pauses,
    sentWhilePaused: acceptedAt.filter(inPause).length + pauses.filter((pause) => inPause(pause.at)).length,
    idealLastAt: idealLastRun(
      tier,
      drained.runs,
      [...expected].map(() => at + DEFAULT_DELAY_MINUTES * MINUTE),
    ),
    sendRequests: only(control.requestCounts(), 'email.send') - sendsBefore,
    left: await dueLeft(bench, expected),
  };
}

// --- Summary ---

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
/** Emulated time as `9 h 04 min`. */
function span(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  const minutes = Math.round(ms / MINUTE);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

function eventLines({ traffic, on, off, scheduled }: EventFigures): string[] {
  const diff: Record<string, number> = {};
  for (const key of new Set([...Object.keys(on.tables), ...Object.keys(off.tables)]))
    if (only(on.tables, key) !== only(off.tables, key)) diff[key] = only(on.tables, key) - only(off.tables, key);
  const extra = total(on.tables) - total(off.tables);
  const signed = (n: number, units: number): string => `${n >= 0 ? '+' : '−'}${rate(Math.abs(n), units)}`;
  const byTable = Object.entries(diff)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key} ${signed(n, traffic.unreadCreating)}`)
    .join(', ');
  return [
    `RESULT extra Tables operations per unread-creating event, away emails on − off: ` +
      `${signed(extra, traffic.unreadCreating)} (target ≤ 1; ${extra} operations over ` +
      `${traffic.unreadCreating} unread-creating events, ChatMessageReceived for a member other than the sender; by ` +
      `table: ${byTable || 'none'})`,
    `       Notifications inserts: ${scheduled} for ${traffic.batchStarts} batch starts (threads going from read ` +
      `to unread; expected equal), i.e. ${rate(scheduled, traffic.unreadCreating)} per unread-creating event`,
    `       traffic on each stack: ${traffic.messages} messages (${EVENT_THREADS} threads of ${EVENT_MEMBERS}, ` +
      `${EVENT_ROUNDS} rounds of ${EVENT_MESSAGES} per thread), ${traffic.reads} reads between rounds; events ` +
      `handled: on ${total(on.events)} (${listed(on.events)}; the backend's own identity gets a ChatMessageReceived ` +
      `too), off ${total(off.events)}; failed deliveries on ${on.failed}, off ${off.failed}; delivered one at a ` +
      `time after each batch of requests`,
    `       Tables operations per handled event: on ${per(on.tables, total(on.events))}`,
    `                                            off ${per(off.tables, total(off.events))}`,
  ];
}

function workLines({ users, idle, groups }: WorkFigures, quota: QuotaFigures): string[] {
  const lines = [
    `RESULT sendAwayEmails with ${users.toLocaleString('en-US')} users with a Notifications row: a run with ` +
      `nothing due makes ${total(idle.tables)} Tables operations (${listed(idle.tables)}); expected 5: the pause ` +
      `row and one query per due-index shard`,
  ];
  const fixed = total(idle.tables);
  const row = (due: number, drained: Drain, left: number, note: string): string => {
    const work = drainWork(drained, fixed);
    return (
      `       ${String(due).padStart(5)} due: ${rate(work.forUsers, due)} per due user beyond the runs' own ` +
      `(${total(work.tables)} in ${work.runs} runs: ${work.working} handled users, ${work.paused} found the pause; ` +
      `${work.sent} sent); busiest run ${total(work.busiest.counts.tables)} for ${handledIn(work.busiest)} users ` +
      `(${listed(work.busiest.outcomes)}); Web PubSub presence checks ${rate(work.webPubSubRest, due)} per due ` +
      `user; due entries left ${left}${note}`
    );
  };
  lines.push(
    `RESULT Tables operations per timer run, per due user (the timer every emulated minute from the messages until ` +
      `all were emailed and ${span(TAIL_MS)} more; a run reads ≤ ${DUE_ENTRIES_PER_RUN} due entries and sends ≤ ` +
      `${EMAILS_PER_RUN} emails; each run makes ${fixed}, or 1 while paused):`,
  );
  for (const group of groups) lines.push(row(group.due, group.drain, group.left, ' (Email quota off)'));
  lines.push(row(quota.users, quota.drain, quota.left, ` (part 3's first drain, '${quota.tier}' quota)`));
  const busy = drainWork(quota.drain, fixed);
  lines.push(`       by table, ${quota.users} due, all runs: ${per(busy.tables, quota.users)} per due user`);
  return lines;
}

function quotaLines(figures: QuotaFigures): string[] {
  const { tier, users, drain: drained, emails, pauses } = figures;
  const [minute, hour] = EMAIL_RATE_TIERS[tier].send;
  const times = emails.map((email) => Date.parse(email.acceptedAt));
  const first = Math.min(...times);
  const last = Math.max(...times);
  const hours = countBy(times.map((time) => String(Math.floor(time / HOUR))));
  // Emails per clock hour, runs of equal counts written once: `100 ×10`.
  const perWindow: Array<{ n: number; times: number }> = [];
  for (const key of Object.keys(hours).sort()) {
    const previous = perWindow.at(-1);
    if (previous && previous.n === hours[key]) previous.times += 1;
    else perWindow.push({ n: hours[key]!, times: 1 });
  }
  const retryAfters = pauses.map((pause) => pause.retryAfterSeconds);
  const minimumWindows = Math.ceil(users / hour!.limit);
  return [
    `RESULT ${users} users unread at once, ACS Email '${tier}' (${minute!.limit}/min, ${hour!.limit}/h): ` +
      `${emails.length} emails, ${users - figures.missing} users emailed, ${figures.missing} missing, ` +
      `${figures.twice} emailed twice; ${figures.repeats} repeated Operation-Ids`,
    `       emulated time: messages at 0, first email at +${span(first - drained.from)} (delay ` +
      `${DEFAULT_DELAY_MINUTES} min), last at +${span(last - drained.from)}; first → last ${span(last - first)}; ` +
      `the least the quota allows (a sender using every email it allows, at the same runs): last at ` +
      `+${span(figures.idealLastAt - drained.from)}; ${Object.keys(hours).length} clock-hour windows used, the ` +
      `minimum for ${users} at ${hour!.limit} an hour (the emulator's windows are fixed clock hours: the first ` +
      `one is partial; with a sliding hour it would be ≥ ${minimumWindows - 1} h from the first email to the last)`,
    `       emails per clock hour: ${perWindow.map(({ n, times: k }) => (k > 1 ? `${n} ×${k}` : `${n}`)).join(', ')}; ` +
      `${pauses.length} 429s seen by the mailer ` +
      `(Retry-After ${retryAfters.length ? `${Math.min(...retryAfters)}…${Math.max(...retryAfters)} s` : 'none'}), ` +
      `${figures.sentWhilePaused} emails or requests before a Retry-After ran out; ${figures.sendRequests} ` +
      `email.send requests for ${emails.length} emails; ${drained.runs.length} runs ` +
      `(${drainWork(drained, 0).paused} paused), out of order ${figures.outOfOrder}, wrong subject ` +
      `${figures.wrongSubject}, due entries left ${figures.left}`,
  ];
}

/** Wrong counts (refused requests already stopped the run). */
function failures(events: EventFigures, work: WorkFigures, quotas: QuotaFigures[], problems: string[]): string[] {
  const checks: Array<[boolean, string]> = [
    [events.scheduled !== events.traffic.batchStarts, 'Notifications inserts differ from batch starts'],
    [
      total(events.on.tables) - total(events.off.tables) > events.traffic.unreadCreating,
      'away emails add more than 1 Tables operation per unread-creating event',
    ],
    [total(work.idle.tables) > 5, 'a run with nothing due makes more than 5 Tables operations'],
    [problems.length > 0, 'the sendAwayEmails timer logged warnings or errors'],
  ];
  const perUser = (drained: Drain, due: number): number => drainWork(drained, total(work.idle.tables)).forUsers / due;
  for (const group of work.groups) {
    checks.push([!group.drain.done, `${group.due} due users were not all emailed`]);
    checks.push([group.left > 0, `due entries were left after ${group.due} users were emailed`]);
  }
  const smallest = work.groups[0];
  if (smallest && quotas[0])
    checks.push([
      perUser(quotas[0].drain, quotas[0].users) > 1.5 * perUser(smallest.drain, smallest.due),
      `work per due user grows with the number due (${quotas[0].users} vs ${smallest.due})`,
    ]);
  for (const quota of quotas) {
    const what = `(${quota.tier}, ${quota.users} users)`;
    checks.push(
      [!quota.drain.done || quota.missing > 0, `emails were lost ${what}`],
      [quota.twice > 0, `emails were sent twice ${what}`],
      [quota.outOfOrder > 0, `emails went out of order ${what}`],
      [quota.sentWhilePaused > 0, `emails were sent before a Retry-After ran out ${what}`],
      [quota.wrongSubject > 0, `emails had the wrong subject ${what}`],
      [quota.left > 0, `due entries were left ${what}`],
    );
  }
  return checks.filter(([failed]) => failed).map(([, what]) => what);
}

runBench(async (cleanup) => {
  const began = performance.now();
  const sides = await startSides(cleanup, startStack);
  const { on, off } = sides;
  const tables = createTableClients(on.local.config.tables, () => {
    throw new Error('Azurite is reached by connection string');
  });
  const bench: Bench = {
    ...sides,
    notifications: new NotificationRepository(tables.notifications),
    notificationsTable: tables.notifications,
  };
  console.log(`stacks up (${seconds(performance.now() - began)})`);

  // Part 1 on both stacks; then its due entries are emailed, so that part 2 starts from an empty index.
  const events = await measureEvents(bench);
  on.emulator.control.advanceClock((DEFAULT_DELAY_MINUTES + 1) * MINUTE);
  await runTimer(bench);
  console.log(`part 1 done (${seconds(performance.now() - began)})`);

  const senders = Array.from({ length: SENDERS }, (_, s) => `away-s${s}`);
  await signIn(on, senders);
  const dueGroups: Group[] = [];
  for (const size of DUE_SIZES) dueGroups.push(await createGroup(on, `due${size}`, size));
  const quotaGroup = await createGroup(on, 'quota', QUOTA_USERS);
  await settleEvents(on.emulator, on.name);
  const signedIn =
    EVENT_USERS + SENDERS + [...dueGroups, quotaGroup].reduce((sum, group) => sum + groupUsers(group).length, 0);
  console.log(`users and threads set up (${seconds(performance.now() - began)})`);

  const work = await measureWork(bench, dueGroups, signedIn);
  console.log(`part 2 done (${seconds(performance.now() - began)})`);

  const custom = await measureQuota(bench, 'CustomDomain', quotaGroup, 'while you were away');
  console.log(`part 3, CustomDomain, done (${seconds(performance.now() - began)})`);

  // The managed domain's tier: MANAGED_USERS of the same users read their thread, then a new message starts a batch.
  const managedGroup: Group = {
    label: quotaGroup.label,
    threads: quotaGroup.threads.slice(0, Math.ceil(MANAGED_USERS / RECIPIENTS)),
  };
  on.emulator.control.setRateLimiting(false);
  await forEach(
    managedGroup.threads.flatMap((thread, t) => thread.recipients.map((user) => ({ thread, user, t }))),
    ({ thread, user, t }) =>
      api(on, 'POST', threadPath(thread.id, '/read-receipts'), user, { messageId: custom.messageIds[t] }),
  );
  const managed = await measureQuota(bench, 'AzureManagedDomain', managedGroup, 'back again');
  console.log(`part 3, AzureManagedDomain, done (${seconds(performance.now() - began)})`);

  const deadLetters = on.emulator.control.listDeadLetters().length + off.emulator.control.listDeadLetters().length;
  const problems = [on, off].flatMap((stack) => stack.problems.map((record) => `${stack.name}: ${problemKey(record)}`));
  if (deadLetters > 0) problems.push(`chat events dead-lettered: ${deadLetters}`);
  console.log(
    [
      '',
      '=== away emails: summary ===',
      `setup: two dev stacks in this process (startLocalStack: away emails on, and email: false), each with its ` +
        `own ACS emulator, the backend on its clock; Tables (Azurite, counted by table) and Web PubSub in a process ` +
        `of their own; scheduling at the shortest delay (${MIN_DELAY_MINUTES} min), users' default delay ` +
        `${DEFAULT_DELAY_MINUTES} min`,
      ...eventLines(events),
      ...workLines(work, custom),
      ...quotaLines(custom),
      ...quotaLines(managed),
      ...(MANAGED_USERS < 1_000
        ? [
            `       projection for 1,000 users at 10/h: ≥ 100 clock-hour windows, ≈ 100 h (this run: ` +
              `${MANAGED_USERS} users, BENCH_AWAY_MANAGED_USERS)`,
          ]
        : []),
      `warnings and errors the backend logged: ${problems.length} (${listed(countBy(problems))})`,
      `took ${seconds(performance.now() - began)}`,
    ].join('\n'),
  );
  const timerProblems = [on, off].flatMap((stack) =>
    stack.problems.filter((record) => record.functionName === 'sendAwayEmails').map(problemKey),
  );
  return failures(events, work, [custom, managed], timerProblems);
});
