import { setTimeout as sleep } from 'node:timers/promises';

import { type BenchStack, startBenchStack } from './dev-stack';

/**
 * Scale past one ACS identity, with the emulator enforcing ACS's published limits (as `npm run dev` does):
 * 50 users each creating 20 threads about a second apart (never 11 in 10 s); one user bursting past 10 per 10 s while
 * others create; pruning 300 expired threads of 100 owners, once clean and once after a run that met 429s.
 * Informational.
 */

const CREATES_PER_USER = Number(process.env.BENCH_SCALE_CREATES ?? 20);
const USERS = 50;
/** ACS allows 10 thread creations per 10 s per identity (emulator/ratelimit.ts). */
const ACS_CREATES_PER_WINDOW = 10;
const ACS_WINDOW_MS = 10_000;
const INTERVAL_MS = ACS_WINDOW_MS / ACS_CREATES_PER_WINDOW;

const tally = (statuses: number[]): string => {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} x ${status}`).join(', ');
};

/**
 * When a user's next create may be sent: a second after their previous one was sent, and 10 s after the one 10 creates
 * before it answered. Each create makes its one ACS call between its sending and its answer, so any 11 consecutive
 * calls of a user span at least 10 s and no 10 s window can hold 11, however late a timer fires or slow a request is.
 * Paced by start times alone (every second on the second), one request slowed across a window's edge puts an 11th call
 * into the next window.
 */
function nextSendAt(sentAt: readonly number[], answeredAt: readonly number[], started: number): number {
  const previousSent = sentAt.at(-1);
  const tenthBackAnswered = answeredAt[answeredAt.length - ACS_CREATES_PER_WINDOW];
  return Math.max(
    previousSent === undefined ? started : previousSent + INTERVAL_MS,
    tenthBackAnswered === undefined ? started : tenthBackAnswered + ACS_WINDOW_MS,
  );
}

/** Timers may fire a little early by the wall clock that ACS's windows follow: waits until that clock says so. */
async function sleepUntil(time: number): Promise<void> {
  for (let wait = time - Date.now(); wait > 0; wait = time - Date.now()) await sleep(wait);
}

async function createsPerSecond(stack: BenchStack): Promise<void> {
  const api = stack.info.apiBaseUrl;
  const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => stack.token(`scale-${i}`)));
  // Sign everyone in first (their ACS identities exist), so that every second's request is alike.
  await Promise.all(tokens.map((token) => stack.send(`${api}/token`, 'POST', token)));
  const statuses: number[] = [];
  const started = Date.now() + 100;
  await Promise.all(
    tokens.map(async (token) => {
      const sentAt: number[] = [];
      const answeredAt: number[] = [];
      for (let create = 0; create < CREATES_PER_USER; create += 1) {
        await sleepUntil(nextSendAt(sentAt, answeredAt, started));
        sentAt.push(Date.now());
        statuses.push((await stack.send(`${api}/threads`, 'POST', token, { topic: `s${create}` })).status);
        answeredAt.push(Date.now());
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  const throttled = statuses.filter((status) => status === 429).length;
  console.log(
    `${USERS} users x ${CREATES_PER_USER} threads, 1 s apart and never 11 in 10 s: ${tally(statuses)} ` +
      `in ${elapsed.toFixed(1)} s`,
  );
  console.log(
    `RESULT thread creations with ${USERS} users: ${(statuses.filter((s) => s === 201).length / elapsed).toFixed(1)} ` +
      `creates/s, ${throttled} x 429 (target 0)`,
  );
}

async function eagerUser(stack: BenchStack): Promise<void> {
  const api = stack.info.apiBaseUrl;
  const eager = await stack.token('scale-eager');
  const others = await Promise.all(Array.from({ length: 5 }, (_, i) => stack.token(`scale-calm-${i}`)));
  const [burst, calm] = await Promise.all([
    Promise.all(Array.from({ length: 15 }, () => stack.send(`${api}/threads`, 'POST', eager, { topic: 'burst' }))),
    Promise.all(others.map((token) => stack.send(`${api}/threads`, 'POST', token, { topic: 'calm' }))),
  ]);
  console.log(
    `RESULT one user bursting 15 creates: ${tally(burst.map((res) => res.status))} (expected 10 x 201, 5 x 429)`,
  );
  console.log(`RESULT 5 other users meanwhile: ${tally(calm.map((res) => res.status))} (expected 5 x 201)`);
}

async function pruning(): Promise<void> {
  const retentionDays = 0.00002; // 1.7 s
  const stack = await startBenchStack({ THREAD_RETENTION_DAYS: String(retentionDays) });
  try {
    const api = stack.info.apiBaseUrl;
    const admin = await stack.token('scale-admin', { roles: ['Chat.Admin'] });
    for (const round of ['clean', 'after a throttled run'] as const) {
      const owners = await Promise.all(Array.from({ length: 100 }, (_, i) => stack.token(`prune-${round}-${i}`)));
      const created = await Promise.all(
        owners.flatMap((token) => [0, 1, 2].map(() => stack.send(`${api}/threads`, 'POST', token, { topic: 'p' }))),
      );
      if (created.some((res) => res.status !== 201)) throw new Error(`creates: ${tally(created.map((r) => r.status))}`);
      await sleep(retentionDays * 86_400_000 + 300);
      let firstDeleted = 0;
      if (round !== 'clean') {
        await stack.control.injectFault({
          operation: 'chat.deleteThread',
          status: 429,
          count: 40,
          retryAfterSeconds: 3,
        });
        const first = await stack.send(`${api}/maintenance/prune`, 'POST', admin, { budgetSeconds: 2 });
        firstDeleted = (first.json as { deleted: number }).deleted;
        await stack.control.clearFaults();
      }
      const started = Date.now();
      const run = await stack.send(`${api}/maintenance/prune`, 'POST', admin, { budgetSeconds: 120 });
      const summary = run.json as { deleted: number; failed: number; complete: boolean };
      const live = (await stack.control.listThreads()).filter((thread) => !thread.deleted).length;
      console.log(
        `RESULT prune 300 threads of 100 owners (${round}): ${firstDeleted + summary.deleted} deleted, ` +
          `${live} left, in ${Date.now() - started} ms (first run ${firstDeleted}, failed ${summary.failed})`,
      );
    }
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  try {
    await createsPerSecond(stack);
    await eagerUser(stack);
  } finally {
    await stack.stop();
  }
  await pruning();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
