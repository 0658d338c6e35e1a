import { setTimeout as sleep } from 'node:timers/promises';

import { type BenchStack, startBenchStack } from './dev-stack';

/**
 * Scale past one ACS identity, with the emulator enforcing ACS's published limits (as `npm run dev` does):
 * 50 users each creating one thread per second for 20 s; one user bursting past 10 per 10 s while others create;
 * pruning 300 expired threads of 100 owners, once clean and once after a run that met 429s. Informational.
 */

const SECONDS = Number(process.env.BENCH_SCALE_SECONDS ?? 20);
const USERS = 50;

const tally = (statuses: number[]): string => {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} x ${status}`).join(', ');
};

async function createsPerSecond(stack: BenchStack): Promise<void> {
  const api = stack.info.apiBaseUrl;
  const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => stack.token(`scale-${i}`)));
  // Sign everyone in first (their ACS identities exist), so that every second's request is alike.
  await Promise.all(tokens.map((token) => stack.send(`${api}/token`, 'POST', token)));
  const statuses: number[] = [];
  const started = Date.now() + 100;
  await Promise.all(
    tokens.map(async (token) => {
      for (let second = 0; second < SECONDS; second += 1) {
        await sleep(Math.max(0, started + second * 1000 - Date.now()));
        statuses.push((await stack.send(`${api}/threads`, 'POST', token, { topic: `s${second}` })).status);
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  const throttled = statuses.filter((status) => status === 429).length;
  console.log(`${USERS} users x 1 thread/s for ${SECONDS} s: ${tally(statuses)} in ${elapsed.toFixed(1)} s`);
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
