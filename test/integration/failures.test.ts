import { setTimeout as sleep } from 'node:timers/promises';

import { startLocalStack } from '../../dev/local-stack';
import { type ApiUser, signIn, threadPath } from '../helpers/api';
import { call } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/stack';
import { eventually } from '../helpers/wait';

/** Regression tests for what the chaos run found: faults leave no debris and retries never duplicate. */

interface Created {
  thread: { id: string };
}
interface ErrorBody {
  error: { code: string };
}

const TIMEOUT_MS = 400;

describe('failures leave no debris', () => {
  let stack: TestStack;
  let alice: ApiUser;
  beforeAll(async () => {
    stack = await startTestStack(
      { ORPHAN_THREAD_GRACE_SECONDS: '1' },
      { upstreamTimeoutMs: TIMEOUT_MS, chatEvents: true },
    );
    alice = await signIn(stack, 'ff-alice');
    await alice.request('POST', '/token');
  });
  afterAll(() => stack.close());
  afterEach(() => {
    stack.emulator!.control.clearFaults();
    stack.tablesFaults.clear();
  });

  const control = () => stack.emulator!.control;

  it('answers 503 with Retry-After, not 500, when the first paged list of a fresh instance meets a Tables outage', async () => {
    const fresh = await startTestStack(
      { TABLE_NAME_PREFIX: stack.config.tables.tableNamePrefix },
      {
        emulator: stack.emulator!,
      },
    );
    try {
      const user = await signIn(fresh, alice.userId);
      const created = await user.request<Created>('POST', '/threads', { topic: 'paged' });
      const threadId = created.body.thread.id;
      for (const content of ['one', 'two']) await user.request('POST', threadPath(threadId, '/messages'), { content });
      // Storage is down: the signing key for continuation tokens can be neither read nor created.
      for (const method of ['GET', 'POST', 'PUT']) fresh.tablesFaults.failNext(method, 503, 50);
      const res = await user.request<ErrorBody>('GET', threadPath(threadId, '/messages?maxPageSize=1'));
      expect([res.status, res.body.error.code]).toEqual([503, 'ServiceUnavailable']);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await fresh.close();
    }
  });

  it('deletes a thread ACS created after the create timed out (no Idempotency-Key): its ChatThreadCreated finds no record', async () => {
    // The emulator's clock stays with ours here: the grace period runs from the thread's creation time in ACS.
    const owner = await signIn(stack, 'ff-orphans');
    control().injectFault({ operation: 'chat.createThread', latencyMs: TIMEOUT_MS * 2, percent: 100 });
    const res = await owner.request<ErrorBody>('POST', '/threads', { topic: 'timed out' });
    control().clearFaults();
    expect([res.status, res.body.error.code]).toEqual([503, 'ServiceUnavailable']);
    const orphans = () =>
      control()
        .listThreads()
        .filter((thread) => thread.topic === 'timed out');
    // ACS finishes what it was asked, after the backend gave up waiting.
    expect((await eventually(orphans, (found) => found.length > 0)).length).toBeGreaterThanOrEqual(1);
    expect((await control().flushEvents(10_000)).settled).toBe(true);
    expect(orphans().filter((thread) => !thread.deleted)).toEqual([]);
    // A thread that was recorded is left alone.
    const kept = await owner.request<Created>('POST', '/threads', { topic: 'recorded' });
    await control().flushEvents(10_000);
    expect(control().getThread(kept.body.thread.id)?.deleted).toBe(false);
  });

  it('never acknowledges a thread the orphan clean-up deleted because its record came after the grace period', async () => {
    const owner = await signIn(stack, 'ff-late-record');
    await owner.request('POST', '/token');
    // The thread's first record write (its activity index entry) is held until the orphan clean-up, which runs when
    // ChatThreadCreated is redelivered after the 1 s grace period, has found no record and deleted the thread.
    const release = stack.tablesFaults.holdNext('PUT', 'Activity');
    const pending = owner.request<ErrorBody>(
      'POST',
      '/threads',
      { topic: 'late record' },
      { 'Idempotency-Key': 'late-1' },
    );
    const late = () =>
      control()
        .listThreads()
        .filter((thread) => thread.topic === 'late record');
    const threads = await eventually(late, (found) => found.length === 1 && found[0]!.deleted);
    expect(threads.map((thread) => thread.deleted)).toEqual([true]);
    release();

    const res = await pending;
    expect([res.status, res.body.error.code]).toEqual([503, 'ServiceUnavailable']);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const { tables } = await stack.services();
    expect(await tables.threads.getEntity(threads[0]!.id, 'thread').catch(() => undefined)).toBeUndefined();
    // The retry finds the thread gone: 404, not a thread that no longer exists.
    const retry = await owner.request<ErrorBody>(
      'POST',
      '/threads',
      { topic: 'late record' },
      { 'Idempotency-Key': 'late-1' },
    );
    expect([retry.status, retry.body.error.code]).toEqual([404, 'ThreadNotFound']);
  });

  it('deletes the ACS identity it created when Tables fails to record it (ACS first, without Tables)', async () => {
    const before = new Set(
      control()
        .listIdentities()
        .map((identity) => identity.id),
    );
    stack.tablesFaults.failNext('PUT', 503, 50);
    stack.tablesFaults.failNext('POST', 503, 50);
    stack.tablesFaults.failNext('PATCH', 503, 50);
    stack.tablesFaults.failNext('DELETE', 503, 50);
    const res = await (await signIn(stack, 'ff-newcomer')).request<ErrorBody>('POST', '/token');
    expect(res.status).toBe(503);
    const created = control()
      .listIdentities()
      .filter((identity) => !before.has(identity.id));
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.filter((identity) => !identity.deleted)).toEqual([]);
  });

  describe('Idempotency-Key on POST /threads/{id}/messages', () => {
    let threadId: string;
    beforeAll(async () => {
      threadId = (await alice.request<Created>('POST', '/threads', { topic: 'sends' })).body.thread.id;
    });
    const texts = (content: string) =>
      control()
        .getThread(threadId)!
        .messages.filter((message) => (message.content as { message?: string } | undefined)?.message === content);
    const send = (content: string, key: string) =>
      alice.request<{ id: string } & ErrorBody>(
        'POST',
        threadPath(threadId, '/messages'),
        { content },
        {
          'Idempotency-Key': key,
        },
      );

    it('returns the first message for a retry and never posts twice; another body is 422', async () => {
      const first = await send('once', 'send-1');
      const again = await send('once', 'send-1');
      expect([first.status, again.status, again.body.id]).toEqual([201, 201, first.body.id]);
      expect(texts('once')).toHaveLength(1);
      const other = await send('something else', 'send-1');
      expect([other.status, other.body.error.code]).toEqual([422, 'IdempotencyKeyReused']);
      // The backend's marker never reaches clients.
      const listed = await alice.request<{ items: Array<{ id: string; metadata?: unknown }> }>(
        'GET',
        threadPath(threadId, '/messages'),
      );
      expect(listed.body.items.find((message) => message.id === first.body.id)?.metadata).toBeUndefined();
    });

    it('finds the message of a first attempt that timed out after ACS stored it', async () => {
      control().injectFault({ operation: 'chat.sendMessage', latencyMs: TIMEOUT_MS * 2, percent: 100 });
      const first = await send('slow', 'send-2');
      control().clearFaults();
      expect(first.status).toBe(503);
      const stored = await eventually(
        () => texts('slow'),
        (found) => found.length > 0,
      );
      expect(stored.length).toBeGreaterThanOrEqual(1);
      const retry = await send('slow', 'send-2');
      expect(retry.status).toBe(201);
      expect(stored.map((message) => message.id)).toContain(retry.body.id);
      expect(texts('slow')).toHaveLength(stored.length);
    });
  });

  it('passes a throttled ACS call on at once with its Retry-After, without waiting inside', async () => {
    const threadId = (await alice.request<Created>('POST', '/threads', { topic: 'throttled' })).body.thread.id;
    control().resetCounts();
    control().injectFault({ operation: 'chat.sendMessage', status: 429, retryAfterSeconds: 30, count: 1 });
    const res = await alice.request<ErrorBody>('POST', threadPath(threadId, '/messages'), { content: 'x' });
    expect([res.status, res.headers.get('retry-after')]).toEqual([429, '30']);
    expect(control().requestCounts()['chat.sendMessage']).toBe(1);
  });

  it('health shows a Storage outage and its end within 2 s, and its 503 carries Retry-After', async () => {
    const health = () => call<{ status: string }>(`${stack.apiBaseUrl}/health`);
    const within2s = async (status: number) => {
      const deadline = Date.now() + 2_000;
      let res = await health();
      while (res.status !== status && Date.now() < deadline) {
        await sleep(100);
        res = await health();
      }
      return res;
    };
    expect((await within2s(200)).status).toBe(200);
    stack.tablesFaults.failNext('GET', 503, 10_000);
    const down = await within2s(503);
    expect(down.status).toBe(503);
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    stack.tablesFaults.clear();
    expect((await within2s(200)).status).toBe(200);
  });
});

describe('the dev stack reports the Tables it uses', () => {
  it('with TABLES_CONNECTION_STRING set, starts no Azurite of its own and reports that one', async () => {
    const connectionString = process.env.TEST_TABLES_CONNECTION_STRING!;
    const stack = await startLocalStack({
      port: 0,
      acsPort: 0,
      env: { TABLES_CONNECTION_STRING: connectionString, TABLE_NAME_PREFIX: 'devreport' },
      subscribeChatEvents: false,
      // Kept out of the test run's output.
      log: () => undefined,
    });
    try {
      expect(stack.info.storage).toEqual({ connectionString });
      expect((await call(`${stack.host.apiBaseUrl}/health`)).status).toBe(200);
    } finally {
      await stack.close();
    }
  });
});
