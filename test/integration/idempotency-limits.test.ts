import { type ApiUser, signIn, threadPath } from '../helpers/api';
import { startTestStack, type TestStack } from '../helpers/stack';

/**
 * Regression tests for what `npm run chaos` found at 2.5 times the load: Idempotency-Key retries refused by a limit.
 * A retry of a request that succeeded is answered with its original result whatever limits the caller has reached
 * since (our fair use, ACS's own per-identity limits); a retry of one that never completed is a new request as far as
 * limits go. The backend runs on the emulator's clock, so fair-use hours and ACS's rate windows move together.
 */

interface Created {
  thread: { id: string; topic: string; createdOn: string; createdBy: string; lastActivityOn: string };
  invalidParticipants: unknown[];
}
interface ErrorBody {
  error: { code: string };
}

const THREADS_PER_HOUR = 3;
const HOUR_MS = 3_600_000;

describe('Idempotency-Key retries and limits', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ FAIR_USE_THREADS_PER_HOUR: String(THREADS_PER_HOUR) }, { emulatorClock: true });
  });
  afterAll(() => stack.close());

  const control = () => stack.emulator!.control;
  let users = 0;
  const newUser = async (): Promise<ApiUser> => {
    const user = await signIn(stack, `idem-${(users += 1)}`);
    await user.request('POST', '/token');
    return user;
  };
  const create = (user: ApiUser, topic: string, key?: string) =>
    user.request<Created & ErrorBody>('POST', '/threads', { topic }, key ? { 'Idempotency-Key': key } : undefined);
  /** A fresh fair-use hour and fresh ACS rate windows for every test. */
  beforeEach(() => control().advanceClock(HOUR_MS));

  it('answers a retry of a create that succeeded with the original result while the caller is over fair use', async () => {
    const alice = await newUser();
    const first = await create(alice, 'kept', 'create-1');
    expect(first.status).toBe(201);
    for (let i = 1; i < THREADS_PER_HOUR; i += 1) expect((await create(alice, `more-${i}`)).status).toBe(201);
    const refused = await create(alice, 'one too many');
    expect([refused.status, refused.body.error.code]).toEqual([429, 'FairUseExceeded']);

    control().resetCounts();
    const retry = await create(alice, 'kept', 'create-1');
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    // Answered from the key's record: ACS was not asked to create anything.
    expect(control().requestCounts()['chat.createThread']).toBeUndefined();
  });

  it('answers a retry of a create that succeeded with the original result while ACS throttles the caller', async () => {
    const alice = await newUser();
    const first = await create(alice, 'kept', 'create-2');
    expect(first.status).toBe(201);
    // ACS answers every create of alice's with 429 now, as it does once she is past 10 creations in 10 s (fair use,
    // 3 an hour here, would stop a real burst before ACS does).
    control().injectFault({ operation: 'chat.createThread', status: 429, retryAfterSeconds: 10, percent: 100 });
    try {
      const other = await create(alice, 'another', 'create-2b');
      expect([other.status, other.headers.get('retry-after')]).toEqual([429, '10']);
      const retry = await create(alice, 'kept', 'create-2');
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
    } finally {
      control().clearFaults();
    }
  });

  it('checks a retry of a create that never completed against limits like a new request', async () => {
    const alice = await newUser();
    for (let i = 0; i < THREADS_PER_HOUR; i += 1) expect((await create(alice, `fill-${i}`)).status).toBe(201);
    const refused = await create(alice, 'later', 'create-3');
    expect([refused.status, refused.body.error.code]).toEqual([429, 'FairUseExceeded']);
    // Still over the limit: the retry is refused as well, not let through because its key was seen before.
    const stillRefused = await create(alice, 'later', 'create-3');
    expect([stillRefused.status, stillRefused.body.error.code]).toEqual([429, 'FairUseExceeded']);
    expect(Number(stillRefused.headers.get('retry-after'))).toBeGreaterThan(0);

    // In the next hour the same retry creates the thread, once.
    control().advanceClock(HOUR_MS);
    const created = await create(alice, 'later', 'create-3');
    expect(created.status).toBe(201);
    const again = await create(alice, 'later', 'create-3');
    expect(again.body.thread.id).toBe(created.body.thread.id);
    expect(
      control()
        .listThreads()
        .filter((thread) => thread.topic === 'later' && !thread.deleted),
    ).toHaveLength(1);
  });

  it('answers a retry of a send that succeeded with its message id while ACS throttles sends in the thread', async () => {
    const alice = await newUser();
    const threadId = (await create(alice, 'chatty')).body.thread.id;
    const send = (content: string, key: string) =>
      alice.request<{ id: string } & ErrorBody>(
        'POST',
        threadPath(threadId, '/messages'),
        { content },
        { 'Idempotency-Key': key },
      );
    const first = await send('hello', 'send-1');
    expect(first.status).toBe(201);
    // ACS takes 10 messages per thread per 10 s: a burst spends the rest of the window.
    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => send(`burst-${i}`, `send-burst-${i}`)));
    expect(burst.map((res) => res.status)).toContain(429);

    control().resetCounts();
    const retry = await send('hello', 'send-1');
    expect([retry.status, retry.body.id]).toEqual([201, first.body.id]);
    expect(control().requestCounts()['chat.sendMessage']).toBeUndefined();
  });
});
