import { Agent } from 'node:http';

import { Cron } from 'croner';

import { DEV_EVENT_TIME_SCALE } from '../dev/event-clock';
import { type LocalStack, startLocalStack } from '../dev/local-stack';
import { type RunningEmulator, startEmulator } from '../emulator';
import { buildFunctionTable } from '../src/functions';
import { createTableClients, TABLE_ROLES, type TableClients, type TableRole } from '../src/storage/table-clients';
import { runBench } from './bench-main';
import { sendRequest } from './dev-stack';
import {
  addInto,
  check,
  countBy,
  forEachAtOnce,
  listed,
  problemKey,
  settleEvents,
  subtract,
  total,
  withoutPrefix,
} from './figures';
import { type LiveServices, startLiveServices } from './live-services';

/**
 * Data lifecycle (issue 26, "Measured"), against the emulators, one dev stack in this process (startLocalStack) on
 * the ACS emulator's clock; Tables (Azurite, behind a proxy counting operations by table) in a process of its own
 * (live-services.ts).
 * 1. Row counts of every table over HOURS emulated hours of steady traffic: USERS users; every STEP_MINUTES emulated
 *    minutes one thread is created (with an Idempotency-Key, retried once with the same key: a replay), messages are
 *    sent (each with an Idempotency-Key) in the most recently created threads, users mark them read and read their
 *    inbox, now and then a member leaves a thread. Older threads fall idle and are pruned. After each step every
 *    timer runs once if its schedule fired since the last step (a timer due every minute runs once per step). Retention
 *    is compressed where the backend allows it (THREAD_RETENTION_DAYS, PRUNE_SCHEDULE below); the rest keeps its
 *    defaults, so the steady state comes after the longest of them (Idempotency-Key rows 24 h, inbox rows of threads
 *    left or deleted INBOX_LEFT_RETENTION_DAYS = 1, its minimum). Rows per table every REPORT_HOURS emulated hours.
 * 2. Erasure of a user in ERASE_THREADS threads with ERASE_MESSAGES messages of theirs (a third owned alone, a fifth
 *    owned with a peer, the rest owned by the peer), `DELETE /api/users/{userId}?deleteMessages=true` as an admin,
 *    then the `continueErasures` timer each emulated minute until `GET …/erasure` says finished, with ACS's rate
 *    limits on (they are off while part 1 runs and the erasure's threads are set up). Meanwhile a bystander sends
 *    BYSTANDER_MESSAGES messages a minute in threads of their own: their 429s must be 0.
 * Informational: timings never fail. Wrong outcomes do: a request refused in part 1, a table still growing over the
 * last quarter of part 1, an erasure that does not finish, a 429 for the bystander, a message of the erased user left.
 *
 * Scale with BENCH_LIFECYCLE_HOURS (48), BENCH_LIFECYCLE_USERS (20), BENCH_LIFECYCLE_STEP_MINUTES (30),
 * BENCH_LIFECYCLE_MESSAGES (messages per step, 8), BENCH_ERASE_THREADS (100), BENCH_ERASE_MESSAGES (1,000).
 */

const MINUTE = 60_000;
const HOURS = Number(process.env.BENCH_LIFECYCLE_HOURS ?? 48);
const USERS = Number(process.env.BENCH_LIFECYCLE_USERS ?? 20);
const STEP_MINUTES = Number(process.env.BENCH_LIFECYCLE_STEP_MINUTES ?? 30);
const MESSAGES_PER_STEP = Number(process.env.BENCH_LIFECYCLE_MESSAGES ?? 8);
const ERASE_THREADS = Number(process.env.BENCH_ERASE_THREADS ?? 100);
const ERASE_MESSAGES = Number(process.env.BENCH_ERASE_MESSAGES ?? 1_000);
const REPORT_HOURS = 4;
/** Messages go to the threads created most recently; older ones fall idle and are pruned. */
const ACTIVE_THREADS = 12;
const READS_PER_STEP = 3;
const INBOX_READS_PER_STEP = 2;
const LEAVE_CHANCE = 0.3;
const BYSTANDER_THREADS = 4;
const BYSTANDER_MESSAGES = 4;
const MAX_ERASURE_MINUTES = 24 * 60;
const CONCURRENCY = 8;
const PREFIX = 'life';
const ENV = {
  TABLE_NAME_PREFIX: PREFIX,
  THREAD_RETENTION_DAYS: '0.25',
  PRUNE_SCHEDULE: '0 0 * * * *',
  INBOX_LEFT_RETENTION_DAYS: '1.01',
};

interface Bench {
  local: LocalStack;
  emulator: RunningEmulator;
  services: LiveServices;
  tables: TableClients;
  agent: Agent;
  bearers: Map<string, string>;
  /** ACS responses with status 429, by operation. */
  acs429: Record<string, number>;
  /** Responses of our API by status, all users. */
  statuses: Record<string, number>;
}

/** Deterministic randomness (mulberry32), so that every run plays the same traffic. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const threadPath = (threadId: string, rest = ''): string => `/threads/${encodeURIComponent(threadId)}${rest}`;

/** A request to the API as `userId` (admins: `roles`), with an Idempotency-Key when given; its status and body. */
async function call(
  bench: Bench,
  userId: string,
  method: string,
  path: string,
  body?: unknown,
  key?: string,
): Promise<{ status: number; json: unknown }> {
  let bearer = bench.bearers.get(userId);
  if (!bearer) {
    const roles = userId.endsWith('admin') ? { roles: ['Chat.Admin'] } : {};
    bearer = await bench.local.issuer.mint(userId, { name: userId, email: `${userId}@example.com`, ...roles });
    bench.bearers.set(userId, bearer);
  }
  const headers: Record<string, string> = key ? { 'Idempotency-Key': key } : {};
  const res = await sendRequest(bench.agent, `${bench.local.host.apiBaseUrl}${path}`, method, bearer, body, headers);
  addInto(bench.statuses, { [String(res.status)]: 1 });
  return res;
}

/** `call`, which must succeed. */
async function api<T>(bench: Bench, userId: string, method: string, path: string, body?: unknown, key?: string) {
  const res = await call(bench, userId, method, path, body, key);
  check(res.status >= 200 && res.status < 300, `${method} ${path} answered ${res.status}: ${JSON.stringify(res.json)}`);
  return res.json as T;
}

const forEach = <T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> =>
  forEachAtOnce(items, CONCURRENCY, work);

async function createThread(bench: Bench, creator: string, others: string[], topic: string, key?: string) {
  const body = { topic, participants: others.map((userId) => ({ userId })) };
  return (await api<{ thread: { id: string } }>(bench, creator, 'POST', '/threads', body, key)).thread.id;
}

async function rowCounts(tables: TableClients): Promise<Record<TableRole, number>> {
  const counts = {} as Record<TableRole, number>;
  for (const role of TABLE_ROLES) {
    let n = 0;
    for await (const page of tables[role].listEntities({ queryOptions: { select: ['RowKey'] } }).byPage())
      n += page.length;
    counts[role] = n;
  }
  return counts;
}

// --- Timers on the emulated clock ---

interface Timer {
  name: string;
  cron: Cron;
}

function timersOf(local: LocalStack): Timer[] {
  return buildFunctionTable(local.config, local.services)
    .filter((definition) => definition.kind === 'timer')
    .map((timer) => ({ name: timer.name, cron: new Cron(timer.schedule, { paused: true, utcOffset: 0 }) }));
}

async function runTimer(bench: Bench, name: string): Promise<void> {
  const url = `${bench.local.host.origin}/admin/functions/${name}`;
  const res = await sendRequest(bench.agent, url, 'POST', '', { input: '' });
  check(res.status === 202, `running ${name} answered ${res.status}`);
}

/** Runs, once each, the timers whose schedule fired in (from, to]; returns their names. */
async function runDueTimers(bench: Bench, timers: Timer[], from: number, to: number): Promise<string[]> {
  const due = timers.filter((timer) => (timer.cron.nextRun(new Date(from))?.getTime() ?? Infinity) <= to);
  for (const timer of due) await runTimer(bench, timer.name);
  return due.map((timer) => timer.name);
}

// --- 1. A day of steady traffic ---

interface SteadyFigures {
  /** Emulated hour → rows per table. */
  snapshots: Array<{ hour: number; rows: Record<TableRole, number> }>;
  traffic: Record<string, number>;
  timerRuns: Record<string, number>;
  tablesOps: Record<string, number>;
  wallMs: number;
}

async function steadyTraffic(bench: Bench): Promise<SteadyFigures> {
  const began = performance.now();
  const control = bench.emulator.control;
  const rand = random(26);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const users = Array.from({ length: USERS }, (_, n) => `life-u${n}`);
  await forEach(users, (userId) => api(bench, userId, 'POST', '/token'));
  const timers = timersOf(bench.local);
  const threads: Array<{ id: string; owner: string; members: string[]; last?: string }> = [];
  const traffic: Record<string, number> = {};
  const timerRuns: Record<string, number> = {};
  const snapshots: SteadyFigures['snapshots'] = [{ hour: 0, rows: await rowCounts(bench.tables) }];
  const opsBefore = (await bench.services.counts()).tables;
  const steps = Math.round((HOURS * 60) / STEP_MINUTES);
  let keys = 0;
  for (let step = 1; step <= steps; step += 1) {
    const from = control.now();
    const now = control.advanceClock(STEP_MINUTES * MINUTE);
    // A new thread, its create retried once with the same Idempotency-Key (the replay answers the same thread).
    const owner = pick(users);
    const others = users.filter((u) => u !== owner && rand() < 3 / USERS);
    const key = `life-${(keys += 1)}`;
    const id = await createThread(bench, owner, others, `steady ${step}`, key);
    check(
      (await createThread(bench, owner, others, `steady ${step}`, key)) === id,
      'an Idempotency-Key replay differs',
    );
    threads.push({ id, owner, members: [owner, ...others] });
    addInto(traffic, { 'threads created': 1, 'create replays': 1 });
    const active = threads.slice(-ACTIVE_THREADS);
    for (let m = 0; m < MESSAGES_PER_STEP; m += 1) {
      const thread = pick(active);
      const sender = pick(thread.members);
      const sent = await api<{ id: string }>(
        bench,
        sender,
        'POST',
        threadPath(thread.id, '/messages'),
        {
          content: `step ${step} message ${m}`,
        },
        `life-${(keys += 1)}`,
      );
      thread.last = sent.id;
      addInto(traffic, { messages: 1 });
    }
    for (let r = 0; r < READS_PER_STEP; r += 1) {
      const thread = pick(active.filter((t) => t.last));
      if (!thread) break;
      await api(bench, pick(thread.members), 'POST', threadPath(thread.id, '/read-receipts'), {
        messageId: thread.last,
      });
      addInto(traffic, { 'read receipts': 1 });
    }
    for (let r = 0; r < INBOX_READS_PER_STEP; r += 1) {
      await api(bench, pick(users), 'GET', '/inbox');
      addInto(traffic, { 'inbox reads': 1 });
    }
    const leaving = active.filter((t) => t.members.length > 1);
    if (leaving.length > 0 && rand() < LEAVE_CHANCE) {
      const thread = pick(leaving);
      const leaver = pick(thread.members.filter((u) => u !== thread.owner));
      await api(bench, leaver, 'DELETE', threadPath(thread.id, `/participants/${encodeURIComponent(leaver)}`));
      thread.members = thread.members.filter((u) => u !== leaver);
      addInto(traffic, { leaves: 1 });
    }
    await settleEvents(bench.emulator, 'lifecycle');
    addInto(timerRuns, countBy(await runDueTimers(bench, timers, from, now)));
    await settleEvents(bench.emulator, 'lifecycle');
    const minutes = step * STEP_MINUTES;
    if (minutes % (REPORT_HOURS * 60) === 0) {
      const rows = await rowCounts(bench.tables);
      snapshots.push({ hour: minutes / 60, rows });
      console.log(`  +${minutes / 60} h: ${listed(rows)} (${seconds(performance.now() - began)})`);
    }
  }
  const tablesOps = subtract((await bench.services.counts()).tables, opsBefore);
  return { snapshots, traffic, timerRuns, tablesOps, wallMs: performance.now() - began };
}

// --- 2. Erasure of a heavy user ---

interface ErasureFigures {
  threads: number;
  messages: number;
  emulatedMs: number;
  wallMs: number;
  finished: boolean;
  /** Timer runs, the request's own first run not counted. */
  runs: number;
  acsCalls: Record<string, number>;
  acs429: Record<string, number>;
  tablesOps: Record<string, number>;
  counts: Record<string, number>;
  bystanderSent: number;
  bystander429: number;
  bystanderOther: number;
  leftMessages: number;
  identityDeleted: boolean;
  rowsBefore: Record<TableRole, number>;
  rowsAfter: Record<TableRole, number>;
}

interface ErasureState {
  status: 'running' | 'finished';
  stepsDone: string[];
  counts: Record<string, number>;
}

async function erasure(bench: Bench): Promise<ErasureFigures> {
  const control = bench.emulator.control;
  const [victim, peer, admin, bystander, bystanderPeer] = ['er-victim', 'er-peer', 'er-admin', 'er-by', 'er-by-peer'];
  const victimAcs = (await api<{ acsUserId: string }>(bench, victim, 'POST', '/token')).acsUserId;
  await forEach([peer, admin, bystander, bystanderPeer], (userId) => api(bench, userId, 'POST', '/token'));
  // Rate limits off while the threads are set up: a third owned alone, a fifth shared with the peer, the rest his.
  const alone = Math.round(ERASE_THREADS / 3);
  const shared = Math.round(ERASE_THREADS / 5);
  const specs = Array.from({ length: ERASE_THREADS }, (_, t) =>
    t < alone
      ? { owner: victim, others: [] }
      : t < alone + shared
        ? { owner: victim, others: [peer] }
        : { owner: peer, others: [victim] },
  );
  const threadIds: string[] = [];
  await forEach(
    specs.map((spec, t) => ({ ...spec, t })),
    async ({ owner, others, t }) => void (threadIds[t] = await createThread(bench, owner, others, `erase ${t}`)),
  );
  const sends = Array.from({ length: ERASE_MESSAGES }, (_, m) => ({ thread: threadIds[m % ERASE_THREADS]!, m }));
  await forEach(sends, ({ thread, m }) =>
    api(bench, victim, 'POST', threadPath(thread, '/messages'), { content: `victim ${m}` }),
  );
  await forEach(threadIds.slice(alone), (thread) =>
    api(bench, peer, 'POST', threadPath(thread, '/messages'), { content: 'the peer keeps this one' }),
  );
  const bystanderThreads: string[] = [];
  for (let t = 0; t < BYSTANDER_THREADS; t += 1)
    bystanderThreads.push(await createThread(bench, bystander, [bystanderPeer], `bystander ${t}`));
  await settleEvents(bench.emulator, 'lifecycle');
  const rowsBefore = await rowCounts(bench.tables);

  // ACS's published limits from here on, fresh windows.
  control.setRateLimiting(true);
  const acsBefore = control.requestCounts();
  const acs429Before = { ...bench.acs429 };
  const opsBefore = (await bench.services.counts()).tables;
  const startedAt = control.now();
  const began = performance.now();
  const byStatus: Record<string, number> = {};
  const bystanderMinute = async (minute: number): Promise<void> => {
    for (let m = 0; m < BYSTANDER_MESSAGES; m += 1) {
      const thread = bystanderThreads[m % BYSTANDER_THREADS]!;
      const res = await call(bench, bystander, 'POST', threadPath(thread, '/messages'), {
        content: `by ${minute}.${m}`,
      });
      addInto(byStatus, { [String(res.status)]: 1 });
    }
  };
  await bystanderMinute(0);
  await api(bench, admin, 'DELETE', `/users/${encodeURIComponent(victim)}?deleteMessages=true`);
  const statusPath = `/users/${encodeURIComponent(victim)}/erasure`;
  let state = await api<ErasureState>(bench, admin, 'GET', statusPath);
  let runs = 0;
  while (state.status !== 'finished' && runs < MAX_ERASURE_MINUTES) {
    control.advanceClock(MINUTE);
    await bystanderMinute(runs + 1);
    await runTimer(bench, 'continueErasures');
    runs += 1;
    state = await api<ErasureState>(bench, admin, 'GET', statusPath);
  }
  const emulatedMs = control.now() - startedAt;
  const wallMs = performance.now() - began;
  const acsCalls = subtract(control.requestCounts(), acsBefore);
  const acs429 = subtract(bench.acs429, acs429Before);
  const tablesOps = subtract((await bench.services.counts()).tables, opsBefore);
  control.setRateLimiting(false);
  await settleEvents(bench.emulator, 'lifecycle');

  let leftMessages = 0;
  for (const id of threadIds) {
    for (const message of control.getThread(id)?.messages ?? [])
      if (message.type === 'text' && !message.deletedOn && JSON.stringify(message).includes(victimAcs))
        leftMessages += 1;
  }
  const identity = control.listIdentities().find((entry) => entry.id === victimAcs);
  return {
    threads: ERASE_THREADS,
    messages: ERASE_MESSAGES,
    emulatedMs,
    wallMs,
    finished: state.status === 'finished',
    runs,
    acsCalls,
    acs429,
    tablesOps,
    counts: state.counts,
    bystanderSent: total(byStatus),
    bystander429: byStatus['429'] ?? 0,
    bystanderOther: total(byStatus) - (byStatus['201'] ?? 0) - (byStatus['429'] ?? 0),
    leftMessages,
    identityDeleted: identity?.deleted ?? false,
    rowsBefore,
    rowsAfter: await rowCounts(bench.tables),
  };
}

// --- Summary ---

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const minutesOf = (ms: number): string => `${Math.round(ms / MINUTE)} min`;

/** Tables still growing over the last quarter of the run, with their rows then and at the end. */
function growing(snapshots: SteadyFigures['snapshots']): Array<{ role: TableRole; from: number; to: number }> {
  const last = snapshots.at(-1)!;
  const earlier = snapshots.filter((s) => s.hour <= last.hour - Math.max(REPORT_HOURS, HOURS / 4)).at(-1);
  if (!earlier) return [];
  return TABLE_ROLES.filter(
    (role) => last.rows[role] > Math.max(earlier.rows[role] * 1.15, earlier.rows[role] + 10),
  ).map((role) => ({ role, from: earlier.rows[role], to: last.rows[role] }));
}

function steadyLines(figures: SteadyFigures): string[] {
  const header = `  hour ${TABLE_ROLES.map((role) => role.padStart(13)).join('')}`;
  const rows = figures.snapshots.map(
    ({ hour, rows: r }) =>
      `  ${String(hour).padStart(4)} ${TABLE_ROLES.map((role) => String(r[role]).padStart(13)).join('')}`,
  );
  const grown = growing(figures.snapshots);
  const last = figures.snapshots.at(-1)!;
  return [
    `RESULT rows per table over ${HOURS} emulated hours of steady traffic (${USERS} users, a step every ` +
      `${STEP_MINUTES} emulated min: ${listed(figures.traffic)}; retention: THREAD_RETENTION_DAYS ` +
      `${ENV.THREAD_RETENTION_DAYS} pruned hourly, INBOX_LEFT_RETENTION_DAYS ${ENV.INBOX_LEFT_RETENTION_DAYS}, ` +
      `the rest at its defaults; timer runs: ${listed(figures.timerRuns)}; ${seconds(figures.wallMs)} wall):`,
    header,
    ...rows,
    `RESULT tables still growing over the last ${Math.max(REPORT_HOURS, HOURS / 4)} emulated hours (> 15 % and ` +
      `> 10 rows): ${grown.map((g) => `${g.role} ${g.from} → ${g.to}`).join(', ') || 'none'}; rows at the end ` +
      `${total(last.rows)}`,
    `       Tables operations during part 1: ${total(figures.tablesOps)} (${listed(withoutPrefix(figures.tablesOps, PREFIX))})`,
  ];
}

function erasureLines(f: ErasureFigures): string[] {
  return [
    `RESULT erasure of a user in ${f.threads} threads with ${f.messages} messages (deleteMessages=true, ACS rate ` +
      `limits on): ${f.finished ? 'finished' : 'NOT finished'} after ${minutesOf(f.emulatedMs)} emulated, ` +
      `${seconds(f.wallMs)} wall; ${f.runs} continueErasures runs (one per emulated minute) after the request's own`,
    `       ACS calls: ${total(f.acsCalls)} (${listed(f.acsCalls)})`,
    `       ACS 429s: ${total(f.acs429)} (${listed(f.acs429)})`,
    `       erasure counts: ${listed(f.counts)}; identity deleted in ACS: ${f.identityDeleted}; the user's messages ` +
      `left undeleted: ${f.leftMessages}`,
    `       Tables operations: ${total(f.tablesOps)} (${listed(withoutPrefix(f.tablesOps, PREFIX))})`,
    `       rows before → after: ${TABLE_ROLES.map((role) => `${role} ${f.rowsBefore[role]} → ${f.rowsAfter[role]}`).join(', ')}`,
    `RESULT bystander meanwhile: ${f.bystanderSent} messages in ${BYSTANDER_THREADS} threads of their own, ` +
      `${f.bystander429} answered 429 (expected 0), ${f.bystanderOther} other failures`,
  ];
}

function failures(steady: SteadyFigures, erased: ErasureFigures): string[] {
  const checks: Array<[boolean, string]> = [
    [
      growing(steady.snapshots).length > 0,
      `tables still growing after ${HOURS} emulated hours: ` +
        growing(steady.snapshots)
          .map((g) => `${g.role} ${g.from} → ${g.to}`)
          .join(', '),
    ],
    [!erased.finished, `the erasure did not finish within ${MAX_ERASURE_MINUTES} emulated minutes`],
    [erased.bystander429 > 0, `the bystander got ${erased.bystander429} 429s during the erasure`],
    [erased.bystanderOther > 0, `the bystander got ${erased.bystanderOther} failures other than 429`],
    [erased.leftMessages > 0, `${erased.leftMessages} messages of the erased user were left`],
    [!erased.identityDeleted, "the erased user's ACS identity was not deleted"],
    [
      (erased.counts.threadsDeleted ?? 0) + (erased.counts.threadsHandedOver ?? 0) !==
        Math.round(erased.threads / 3) + Math.round(erased.threads / 5),
      `of the ${Math.round(erased.threads / 3) + Math.round(erased.threads / 5)} threads the user owned, ` +
        `${erased.counts.threadsDeleted ?? 0} were deleted and ${erased.counts.threadsHandedOver ?? 0} handed over`,
    ],
    [
      (erased.counts.threadsLeft ?? 0) < erased.threads - Math.round(erased.threads / 3),
      `the user left ${erased.counts.threadsLeft ?? 0} threads of the ${erased.threads - Math.round(erased.threads / 3)} ` +
        'others were in too',
    ],
  ];
  return checks.filter(([failed]) => failed).map(([, what]) => what);
}

runBench(async (cleanup) => {
  const began = performance.now();
  const services = await startLiveServices();
  cleanup.push(() => services.stop());
  const acs429: Record<string, number> = {};
  const problems: string[] = [];
  const emulator = await startEmulator({
    rateLimits: false,
    eventDelivery: { timeScale: DEV_EVENT_TIME_SCALE },
    onResponse: (operation, status) => {
      if (status === 429) addInto(acs429, { [operation]: 1 });
    },
  });
  cleanup.push(() => emulator.close());
  const local = await startLocalStack({
    port: 0,
    tablesConnectionString: services.tablesConnectionString,
    emulator,
    env: { ...ENV, WEBPUBSUB_CONNECTION_STRING: services.webPubSubConnectionString },
    contentSafety: false,
    attachments: false,
    backendOnEmulatorClock: true,
    log: (record) => {
      if (record.level === 'warning' || record.level === 'error') problems.push(problemKey(record));
    },
  });
  cleanup.push(() => local.close());
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  cleanup.push(() => agent.destroy());
  const tables = createTableClients(local.config.tables, () => {
    throw new Error('Azurite is reached by connection string');
  });
  const bench: Bench = { local, emulator, services, tables, agent, bearers: new Map(), acs429, statuses: {} };
  console.log(`stack up (${seconds(performance.now() - began)})`);

  const steady = await steadyTraffic(bench);
  console.log(`part 1 done (${seconds(performance.now() - began)})`);
  const erased = await erasure(bench);
  console.log(`part 2 done (${seconds(performance.now() - began)})`);
  console.log(
    [
      '',
      '=== data lifecycle: summary ===',
      ...steadyLines(steady),
      ...erasureLines(erased),
      `API responses by status, whole run: ${listed(bench.statuses)}`,
      `warnings and errors the backend logged: ${problems.length} (${listed(countBy(problems))})`,
      `took ${seconds(performance.now() - began)}`,
    ].join('\n'),
  );
  return failures(steady, erased);
});
