import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';
import { CommunicationIdentityClient } from '@azure/communication-identity';

import { buildFunctionTable } from '../../src/functions';
import type { PruneSummary } from '../../src/pruning/summary';
import { type ApiUser, signIn, threadPath } from '../helpers/api';
import { call } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/stack';

/**
 * The backend runs on the emulator's clock here, so time passes only when a test moves it: the retention period is
 * waited out in no time, and what a test does inside it stays inside it however slow the machine. 0.01 days (14.4
 * minutes) stays well inside the lifetime of the ACS tokens the backend caches (24 h; the SDK's own token cache runs
 * on the real clock).
 */
const RETENTION_DAYS = '0.01';
const RETENTION_MS = Number(RETENTION_DAYS) * 86_400_000;

interface Created {
  thread: { id: string };
}

describe('pruning idle threads', () => {
  let stack: TestStack;
  let alice: ApiUser;
  let admin: ApiUser;

  beforeAll(async () => {
    stack = await startTestStack({ THREAD_RETENTION_DAYS: RETENTION_DAYS }, { emulatorClock: true });
    [alice, admin] = await Promise.all([
      signIn(stack, 'pr-alice'),
      signIn(stack, 'pr-admin', { roles: ['Chat.Admin'] }),
    ]);
  });
  afterAll(() => stack.close());

  const control = () => stack.emulator!.control;
  const waitOutRetention = (): void => {
    control().advanceClock(RETENTION_MS + 60_000);
  };

  let owners = 0;
  /**
   * Threads of owners of their own (as real threads are; ACS lets one user create and delete only 10 per 10 s), each
   * with alice in it.
   */
  async function createThreads(count: number, topic = 'prune'): Promise<string[]> {
    const responses = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const owner = await signIn(stack, `pr-owner-${(owners += 1)}`);
        return owner.request<Created>('POST', '/threads', {
          topic: `${topic}-${i}`,
          participants: [{ userId: alice.userId }],
        });
      }),
    );
    expect(responses.map((res) => res.status)).toEqual(Array(count).fill(201));
    return responses.map((res) => res.body.thread.id);
  }

  async function prune(json?: unknown): Promise<PruneSummary> {
    const res = await admin.request<PruneSummary>('POST', '/maintenance/prune', json);
    expect(res.status).toBe(200);
    return res.body;
  }

  const liveInAcs = (threadId: string): boolean => control().getThread(threadId)?.deleted === false;

  /** Our two tables, read directly: thread records (threadId → indexedActivityOn) and activity index entries. */
  async function tablesState(): Promise<{
    records: Map<string, number>;
    entries: Array<{ threadId: string; activityOn: number }>;
  }> {
    const { tables } = await stack.services();
    const records = new Map<string, number>();
    for await (const entity of tables.threads.listEntities<{ indexedActivityOn: Date }>()) {
      if (entity.rowKey === 'thread') records.set(entity.partitionKey!, new Date(entity.indexedActivityOn).getTime());
    }
    const entries: Array<{ threadId: string; activityOn: number }> = [];
    for await (const entity of tables.activity.listEntities<{ threadId: string }>()) {
      entries.push({ threadId: entity.threadId, activityOn: Date.parse(entity.rowKey!.split('|')[0]!) });
    }
    return { records, entries };
  }

  /**
   * ACS and Tables agree: every record's thread is live in ACS and indexed at the time the record names; every index
   * entry has its record; every live ACS thread has its record.
   */
  async function expectConsistent(): Promise<void> {
    const { records, entries } = await tablesState();
    for (const [threadId, indexedOn] of records) {
      expect({ threadId, live: liveInAcs(threadId) }).toEqual({ threadId, live: true });
      expect(entries).toContainEqual({ threadId, activityOn: indexedOn });
    }
    for (const entry of entries)
      expect({ entry, recorded: records.has(entry.threadId) }).toEqual({ entry, recorded: true });
    for (const thread of control()
      .listThreads()
      .filter((t) => !t.deleted)) {
      expect({ threadId: thread.id, recorded: records.has(thread.id) }).toEqual({
        threadId: thread.id,
        recorded: true,
      });
    }
  }

  async function expectGone(threadIds: string[]): Promise<void> {
    const { records, entries } = await tablesState();
    for (const threadId of threadIds) {
      expect({
        threadId,
        live: liveInAcs(threadId),
        recorded: records.has(threadId),
        indexed: entries.some((e) => e.threadId === threadId),
      }).toEqual({
        threadId,
        live: false,
        recorded: false,
        indexed: false,
      });
    }
  }

  async function sendDirectlyToAcs(user: ApiUser, threadId: string): Promise<void> {
    const issued = await user.request<{ token: string; endpoint: string }>('POST', '/token');
    expect(issued.status).toBe(200);
    const client = new ChatClient(issued.body.endpoint, new AzureCommunicationTokenCredential(issued.body.token), {
      tlsOptions: { ca: stack.emulator!.caCertPem },
    });
    await client.getChatThreadClient(threadId).sendMessage({ content: 'straight to ACS' });
  }

  it('deletes idle threads and keeps threads active through the backend or directly in ACS', async () => {
    const [idleA, idleB, viaBackend, viaAcs] = (await createThreads(4, 'activity')) as [string, string, string, string];
    waitOutRetention();
    // Both index entries are expired now; only the thread records (backend) or ACS itself know of the new messages.
    const sentAt = control().now();
    expect(
      (await alice.request('POST', threadPath(viaBackend, '/messages'), { content: 'through the backend' })).status,
    ).toBe(201);
    await sendDirectlyToAcs(alice, viaAcs);
    control().resetCounts();

    const summary = await prune();
    expect(summary).toMatchObject({
      candidates: 4,
      deleted: 2,
      keptAlive: 2,
      cleaned: 0,
      failed: 0,
      deferred: 0,
      complete: true,
    });
    // The thread used through the backend is kept by its record, without asking ACS; the other three are checked
    // with ACS (chat events are off in this stack, so the backend knows nothing of the message sent straight to ACS),
    // and the two idle ones deleted (plus, the first time this instance acts as the service identity, one token).
    const { 'identity.issueToken': tokens = 0, ...chatCalls } = control().requestCounts();
    expect(chatCalls).toEqual({ 'chat.listMessages': 3, 'chat.deleteThread': 2 });
    expect(tokens).toBeLessThanOrEqual(1);
    await expectGone([idleA, idleB]);
    expect(liveInAcs(viaBackend) && liveInAcs(viaAcs)).toBe(true);
    // The kept threads are re-indexed at their real last activity.
    const { records } = await tablesState();
    for (const threadId of [viaBackend, viaAcs]) expect(records.get(threadId)).toBeGreaterThanOrEqual(sentAt - 1000);
    await expectConsistent();

    // Once they fall idle too, the next run deletes them.
    waitOutRetention();
    expect(await prune()).toMatchObject({ candidates: 2, deleted: 2, keptAlive: 0, failed: 0, complete: true });
    await expectGone([viaBackend, viaAcs]);
    await expectConsistent();
  });

  it('reports failures injected into ACS list and delete calls, and the next run finishes consistently', async () => {
    const threadIds = await createThreads(8, 'faults');
    waitOutRetention();
    // The SDK tries each call 3 times here; 12 faults per operation make at least one call of each fail through.
    control().injectFault({ operation: 'chat.listMessages', status: 500, count: 12 });
    control().injectFault({ operation: 'chat.deleteThread', status: 500, count: 12 });
    const first = await prune();
    control().clearFaults();
    expect(first.candidates).toBe(8);
    expect(first.failed).toBeGreaterThanOrEqual(1);
    expect(first.deleted + first.failed).toBe(8);
    expect(first.complete).toBe(true);
    expect(stack.logs.some((log) => log.args[0] === 'prune: thread failed')).toBe(true);
    await expectConsistent();

    const second = await prune();
    expect(second).toMatchObject({ candidates: first.failed, deleted: first.failed, failed: 0, complete: true });
    await expectGone(threadIds);
    await expectConsistent();
  });

  it('finishes what an interrupted run left behind', async () => {
    const services = await stack.services();
    const repository = services.chat.threads;
    const [aclsDeleted, entryOnly, recordMissing, twoEntries] = (await createThreads(4, 'interrupted')) as [
      string,
      string,
      string,
      string,
    ];
    const deleteInAcs = (threadId: string) =>
      services.chat.acs.asService((client) => client.deleteChatThread(threadId));
    // Deleted in ACS, records left (a run died right after the ACS delete; or ACS retention deleted it).
    await deleteInAcs(aclsDeleted);
    // Deleted in ACS and its record removed, index entry left (a run died before its last write).
    await deleteInAcs(entryOnly);
    await services.tables.threads.deleteEntity(entryOnly, 'thread');
    // Live in ACS, index entry but no record (thread creation died between its two writes).
    await services.tables.threads.deleteEntity(recordMissing, 'thread');
    // Two index entries (a re-index died after writing the new entry): move it, then write the old one back.
    const record = (await repository.get(twoEntries))!;
    await repository.reindex(
      { threadId: twoEntries, activityOn: record.createdOn },
      new Date(record.createdOn.getTime() + 1),
    );
    await repository.create({ threadId: twoEntries, ownerUserId: record.ownerUserId, createdOn: record.createdOn });
    waitOutRetention();

    const summary = await prune();
    expect(summary).toMatchObject({ candidates: 5, failed: 0, keptAlive: 0, complete: true });
    expect(summary.deleted + summary.cleaned).toBe(5);
    expect(summary.cleaned).toBeGreaterThanOrEqual(2);
    await expectGone([aclsDeleted, entryOnly, recordMissing, twoEntries]);
    await expectConsistent();
  });

  it('two runs at once delete every idle thread and leave nothing behind', async () => {
    const threadIds = await createThreads(6, 'concurrent');
    waitOutRetention();
    const [a, b] = await Promise.all([prune(), prune()]);
    expect(a.failed + b.failed).toBe(0);
    expect(a.deleted + a.cleaned + b.deleted + b.cleaned).toBeGreaterThanOrEqual(6);
    await expectGone(threadIds);
    await expectConsistent();
  });

  it('honours Retry-After: stops at its budget with complete: false, and the next run continues', async () => {
    const threadIds = await createThreads(6, 'throttled');
    waitOutRetention();
    // Three checks are throttled for 30 s: far beyond a 1 s budget, so the run stops and leaves them for later.
    control().injectFault({ operation: 'chat.listMessages', status: 429, count: 3, retryAfterSeconds: 30 });
    const startedAt = Date.now();
    const first = await prune({ budgetSeconds: 1 });
    expect(Date.now() - startedAt).toBeLessThan(10_000); // it did not sit out the 30 s
    // The first 429 pauses every worker, so the run stops taking candidates from the index as well.
    expect(first).toMatchObject({ failed: 0, complete: false });
    expect(first.deferred).toBeGreaterThanOrEqual(1);
    expect(first.deleted + first.deferred).toBe(first.candidates);
    const left = 6 - first.deleted;
    await expectConsistent();

    // Short throttling is waited out (Retry-After honoured, not hammered): every throttled call is made once more.
    // Two throttled calls, fewer than the three attempts a step gets, however the workers happen to meet them.
    control().clearFaults();
    control().injectFault({ operation: 'chat.listMessages', status: 429, count: 2, retryAfterMs: 100 });
    control().resetCounts();
    const second = await prune();
    expect(second).toMatchObject({ candidates: left, deleted: left, failed: 0, deferred: 0, complete: true });
    expect(control().requestCounts()['chat.listMessages']).toBe(left + 2);
    await expectGone(threadIds);
    await expectConsistent();
  });

  it('runs on demand for admins only, and as the pruneThreads timer from the dev host', async () => {
    const anonymous = await call(`${stack.apiBaseUrl}/maintenance/prune`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const notAdmin = await alice.request<{ error: { code: string } }>('POST', '/maintenance/prune');
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body.error.code).toBe('AdminRoleRequired');
    expect((await admin.request('POST', '/maintenance/prune', { budgetSeconds: 0 })).status).toBe(400);

    const threadIds = await createThreads(2, 'timer');
    waitOutRetention();
    const logsBefore = stack.logs.length;
    await stack.runTimer('pruneThreads');
    await expectGone(threadIds);
    const runLogs = stack.logs.slice(logsBefore).filter((log) => log.functionName === 'pruneThreads');
    const finished = runLogs.find((log) => log.args[0] === 'prune run finished');
    expect(finished?.args[1]).toMatchObject({ candidates: 2, deleted: 2, failed: 0, complete: true });
    expect(JSON.stringify(runLogs)).not.toMatch(/eyJ|accesskey|Bearer /i);

    const summary = await prune();
    expect(summary).toEqual({
      candidates: 0,
      deleted: 0,
      keptAlive: 0,
      cleaned: 0,
      failed: 0,
      deferred: 0,
      durationMs: expect.any(Number),
      complete: true,
    });
  });

  it('registers no route under admin/, which the Functions host reserves', () => {
    const routes = buildFunctionTable(stack.config, stack.services).flatMap((definition) =>
      definition.kind === 'http' ? [definition.route] : [],
    );
    expect(routes.filter((route) => /^admin/i.test(route))).toEqual([]);
  });
});

describe('THREAD_MAX_AGE_DAYS backstop', () => {
  it('gives new threads the ACS retention policy threadCreationDate', async () => {
    const stack = await startTestStack({ THREAD_MAX_AGE_DAYS: '45' });
    try {
      const owner = await signIn(stack, 'backstop-owner');
      const res = await owner.request<Created>('POST', '/threads', { topic: 'backstop' });
      expect(res.status).toBe(201);
      expect(stack.emulator!.control.getThread(res.body.thread.id)?.retentionPolicy).toEqual({
        kind: 'threadCreationDate',
        deleteThreadAfterDays: 45,
      });
    } finally {
      await stack.close();
    }
  });
});

describe('pruning when the service identity is gone from ACS', () => {
  it('keeps the records of live threads: a refused token is a failure, not "thread gone"', async () => {
    const stack = await startTestStack({ THREAD_RETENTION_DAYS: RETENTION_DAYS }, { emulatorClock: true });
    try {
      const control = stack.emulator!.control;
      const admin = await signIn(stack, 'gone-admin', { roles: ['Chat.Admin'] });
      const owner = await signIn(stack, 'gone-owner');
      const created = await owner.request<Created>('POST', '/threads', { topic: 'still here' });
      expect(created.status).toBe(201);
      const threadId = created.body.thread.id;
      // Someone deletes the backend's service identity in ACS (an operator, a script).
      const { identity } = await stack.services();
      const emulator = stack.emulator!;
      await new CommunicationIdentityClient(emulator.connectionString, {
        tlsOptions: { ca: emulator.caCertPem },
      }).deleteUser({ communicationUserId: await identity.serviceAcsUserId() });
      control.advanceClock(RETENTION_MS + 60_000);

      const summary = (await admin.request<PruneSummary>('POST', '/maintenance/prune')).body;
      expect(summary).toMatchObject({ candidates: 1, cleaned: 0, deleted: 0, failed: 1 });
      expect(control.getThread(threadId)?.deleted).toBe(false);
      const { tables } = await stack.services();
      expect(await tables.threads.getEntity(threadId, 'thread').catch(() => undefined)).toBeDefined();
    } finally {
      await stack.close();
    }
  });
});
