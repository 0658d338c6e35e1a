import { setTimeout as sleep } from 'node:timers/promises';

import { type ApiUser, signIn } from '../helpers/api';
import type { TestResponse } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/stack';

/**
 * ACS limits thread creation and deletion per identity (10 per 10 s each), and the emulator enforces those limits as
 * ACS does. Threads are created and deleted as their owners, so no single identity caps the deployment.
 */

interface Created {
  thread: { id: string };
}
interface PruneSummary {
  candidates: number;
  deleted: number;
  failed: number;
  deferred: number;
  complete: boolean;
  durationMs: number;
}

const RETENTION_DAYS = '0.00002'; // 1.7 s
const RETENTION_MS = Number(RETENTION_DAYS) * 86_400_000;

function usersOf(stack: TestStack, prefix: string, count: number): Promise<ApiUser[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => signIn(stack, `${prefix}-${i}`)));
}

describe('thread creation past one ACS identity (emulator limits on)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  const control = () => stack.emulator!.control;
  const users = (prefix: string, count: number) => usersOf(stack, prefix, count);

  it('50 users each creating one thread per second: no 429', async () => {
    const creators = await users('so-many', 50);
    const statuses: number[] = [];
    // Three seconds of ACS time: the emulator's clock (which its rate windows run on) moves one second per round.
    for (let second = 0; second < 3; second += 1) {
      const round = await Promise.all(
        creators.map((user) => user.request('POST', '/threads', { topic: `s${second}` })),
      );
      statuses.push(...round.map((res) => res.status));
      control().advanceClock(1_000);
    }
    expect(statuses.filter((status) => status !== 201)).toEqual([]);
    expect(statuses).toHaveLength(150);
  });

  it('one user going past 10 creations per 10 s gets 429 with Retry-After; other users carry on', async () => {
    const [eager, other] = await users('so-eager', 2);
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        eager!.request<{ error?: { code: string } }>('POST', '/threads', { topic: `b${i}` }),
      ),
    );
    const throttled = burst.filter((res) => res.status === 429);
    expect(burst.filter((res) => res.status === 201)).toHaveLength(10);
    expect(throttled).toHaveLength(2);
    for (const res of throttled) {
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(res.body.error?.code).toBe('TooManyRequests');
    }
    expect((await other!.request('POST', '/threads', { topic: 'meanwhile' })).status).toBe(201);
  });
});

describe('pruning past one ACS identity (emulator limits on)', () => {
  let stack: TestStack;
  let admin: ApiUser;
  beforeAll(async () => {
    stack = await startTestStack({ THREAD_RETENTION_DAYS: RETENTION_DAYS });
    admin = await signIn(stack, 'so-admin', { roles: ['Chat.Admin'] });
  });
  afterAll(() => stack.close());

  const control = () => stack.emulator!.control;

  it('prunes 300 expired threads of 100 owners; a run that meets 429 backs off and the next run finishes', async () => {
    const owners = await usersOf(stack, 'so-owner', 100);
    // Three rounds of 100 (one thread per owner each): all 300 at once made the in-process stack's ACS and Tables calls
    // outlast the upstream timeout on a busy 2-core machine, and creation is not what this test is about.
    const created: Array<TestResponse<Created>> = [];
    for (const i of [0, 1, 2]) {
      created.push(
        ...(await Promise.all(
          owners.map((owner) => owner.request<Created>('POST', '/threads', { topic: `prune-${i}` })),
        )),
      );
    }
    expect(created.filter((res) => res.status !== 201).map((res) => res.status)).toEqual([]);
    const threadIds = created.map((res) => res.body.thread.id);
    await sleep(RETENTION_MS + 300);

    // ACS throttles deletions for a while: the first run backs off until its budget is spent and leaves the rest.
    control().injectFault({ operation: 'chat.deleteThread', status: 429, count: 40, retryAfterSeconds: 3 });
    const first = await admin.request<PruneSummary>('POST', '/maintenance/prune', { budgetSeconds: 2 });
    expect(first.status).toBe(200);
    expect(first.body.complete).toBe(false);
    expect(first.body.deleted).toBeLessThan(300);
    control().clearFaults();

    const started = Date.now();
    const second = await admin.request<PruneSummary>('POST', '/maintenance/prune', { budgetSeconds: 120 });
    expect(second.body).toMatchObject({ failed: 0, complete: true });
    expect(first.body.deleted + second.body.deleted).toBe(300);
    const live = threadIds.filter((threadId) => control().getThread(threadId)?.deleted === false);
    expect(live).toEqual([]);
    console.info(
      `pruned 300 threads of 100 owners: first run ${first.body.deleted} deleted (429s, ${first.body.durationMs} ms), ` +
        `second run ${second.body.deleted} in ${Date.now() - started} ms`,
    );
  });
});
