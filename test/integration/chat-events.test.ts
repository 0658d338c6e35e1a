import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';

import { HANDLED_CHAT_EVENT_TYPES } from '../../src/events/chat-event-schemas';
import type { PruneSummary } from '../../src/pruning/summary';
import { type ApiUser, signIn } from '../helpers/api';
import { call } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/stack';

/**
 * Chat events end to end through the dev stack: ACS (the emulator) publishes, Event Grid (the emulator) delivers to
 * the dev host's `/runtime/webhooks/eventgrid?functionName=chatEvents`, and `chatEvents` updates our records.
 */

/**
 * 0.01 days (14.4 minutes) on the emulator's clock, which the backend runs on here: the retention period is waited
 * out by moving that clock, so what a test does inside it stays inside it however slow the machine.
 */
const RETENTION_DAYS = '0.01';
const RETENTION_MS = Number(RETENTION_DAYS) * 86_400_000;

interface Created {
  thread: { id: string };
}

/** Our records of a thread: its record's last activity (ms) and its index entries' times. */
async function recordsOf(stack: TestStack, threadId: string): Promise<{ lastActivityOn?: number; indexed: number[] }> {
  const { tables } = await stack.services();
  const record = await tables.threads.getEntity<{ lastActivityOn: Date }>(threadId, 'thread').catch(() => undefined);
  const indexed: number[] = [];
  for await (const entity of tables.activity.listEntities<{ threadId: string }>()) {
    if (entity.threadId === threadId) indexed.push(Date.parse(entity.rowKey!.split('|')[0]!));
  }
  return { ...(record ? { lastActivityOn: new Date(record.lastActivityOn).getTime() } : {}), indexed };
}

/** A ChatClient acting as the user's own ACS identity, with the token POST /api/token issued to them. */
async function directAcsClient(stack: TestStack, user: ApiUser): Promise<ChatClient> {
  const issued = await user.request<{ token: string; endpoint: string }>('POST', '/token');
  expect(issued.status).toBe(200);
  return new ChatClient(issued.body.endpoint, new AzureCommunicationTokenCredential(issued.body.token), {
    tlsOptions: { ca: stack.emulator!.caCertPem },
  });
}

/** What chatEvents did about a thread's messages and deletion (its creation is checked for orphans separately). */
const handledLogs = (stack: TestStack, threadId: string): unknown[] =>
  stack.logs
    .filter((log) => log.functionName === 'chatEvents' && log.args[0] === 'chat event handled')
    .map((log) => log.args[1] as { threadId?: string; eventType?: string })
    .filter(
      (fields) => fields.threadId === threadId && fields.eventType !== 'Microsoft.Communication.ChatThreadCreated',
    );

describe('chat events through the dev stack', () => {
  let stack: TestStack;
  let alice: ApiUser;
  let admin: ApiUser;

  beforeAll(async () => {
    stack = await startTestStack({ THREAD_RETENTION_DAYS: RETENTION_DAYS }, { chatEvents: true, emulatorClock: true });
    [alice, admin] = await Promise.all([
      signIn(stack, 'ev-alice'),
      signIn(stack, 'ev-admin', { roles: ['Chat.Admin'] }),
    ]);
  });
  afterAll(() => stack.close());

  const control = () => stack.emulator!.control;
  const flush = () => control().flushEvents();

  async function createThread(topic: string): Promise<string> {
    const res = await alice.request<Created>('POST', '/threads', { topic });
    expect(res.status).toBe(201);
    return res.body.thread.id;
  }

  it('is subscribed automatically to the event types chatEvents handles', () => {
    expect(control().listEventSubscriptions()).toEqual([
      expect.objectContaining({
        endpoint: `${stack.host.origin}/runtime/webhooks/eventgrid?functionName=chatEvents`,
        includedEventTypes: [...HANDLED_CHAT_EVENT_TYPES],
      }),
    ]);
  });

  it('a message sent straight to ACS keeps its thread from being pruned, with no ACS call at prune time', async () => {
    const threadId = await createThread('direct');
    const client = await directAcsClient(stack, alice);
    control().advanceClock(RETENTION_MS + 60_000); // the thread's index entry expires
    await flush();
    stack.tablesCalls.reset();
    control().resetCounts();

    await client.getChatThreadClient(threadId).sendMessage({ content: 'straight to ACS' });
    const delivery = await flush();
    expect(delivery).toMatchObject({ settled: true, deadLettered: 0 });
    expect(handledLogs(stack, threadId)).toEqual([expect.objectContaining({ outcome: 'recorded' })]);
    // chatEvents: one read and one write of the thread record, one read and one write of the sender's inbox entry,
    // and not a single ACS call (only the client's own send).
    expect({ reads: stack.tablesCalls.reads, writes: stack.tablesCalls.writes }).toEqual({ reads: 2, writes: 2 });
    expect(control().requestCounts()).toEqual({ 'chat.sendMessage': 1 });
    const sentAt = Date.parse(control().getThread(threadId)!.lastMessageReceivedOn);
    expect((await recordsOf(stack, threadId)).lastActivityOn).toBe(sentAt);

    control().resetCounts();
    const summary = await admin.request<PruneSummary>('POST', '/maintenance/prune');
    expect(summary.body).toMatchObject({ candidates: 1, keptAlive: 1, deleted: 0, failed: 0 });
    expect(Object.keys(control().requestCounts()).filter((op) => op.startsWith('chat.'))).toEqual([]);
    expect(control().getThread(threadId)?.deleted).toBe(false);
    expect((await recordsOf(stack, threadId)).indexed).toEqual([sentAt]);
  });

  it('a thread deleted in ACS loses its records', async () => {
    const threadId = await createThread('deleted in ACS');
    expect((await recordsOf(stack, threadId)).indexed).toHaveLength(1);
    // Deleted in ACS without the backend (as an operator or a retention policy would).
    const { chat } = await stack.services();
    await chat.acs.asService((client) => client.deleteChatThread(threadId));
    await flush();
    expect(await recordsOf(stack, threadId)).toEqual({ indexed: [] });
    expect(handledLogs(stack, threadId)).toEqual([expect.objectContaining({ outcome: 'removed' })]);
    expect((await alice.request('GET', `/threads/${encodeURIComponent(threadId)}`)).status).toBe(404);
  });

  it('duplicated and reordered deliveries change nothing', async () => {
    const [kept, deleted] = [await createThread('kept'), await createThread('deleted')];
    const { tables, chat } = await stack.services();
    const hourAgo = new Date(control().now() - 3_600_000);
    await tables.threads.updateEntity({ partitionKey: kept, rowKey: 'thread', lastActivityOn: hourAgo }, 'Merge');
    const client = await directAcsClient(stack, alice);
    await flush();

    // Held until the flush and then delivered one at a time, newest first: the older message always comes last.
    control().setEventDelivery({ duplicatePercent: 100, reorder: true, reorderWindowMs: 600_000, concurrency: 1 });
    try {
      await client.getChatThreadClient(kept).sendMessage({ content: 'first' });
      await client.getChatThreadClient(kept).sendMessage({ content: 'second' });
      await client.getChatThreadClient(deleted).sendMessage({ content: 'last words' });
      await chat.acs.asService((acs) => acs.deleteChatThread(deleted));
      const before = control().eventDeliveryStats();
      const after = await flush();
      // Every event (per send: the thread-level one and the service identity's; per deletion: the thread-level one and
      // alice's) arrived twice, newest first (the deletion before the message), and each was acknowledged.
      expect(after.duplicated - before.duplicated).toBe(8);
      expect(after).toMatchObject({ settled: true, deadLettered: before.deadLettered, failed: before.failed });
    } finally {
      control().setEventDelivery({ duplicatePercent: 0, reorder: false, reorderWindowMs: 1_000, concurrency: 16 });
    }
    // The newest message's time, never moved back by the older message delivered after it.
    const messages = control().getThread(kept)!.messages as Array<{ createdOn: string; type: string }>;
    const newest = Date.parse(messages.filter((m) => m.type === 'text').at(-1)!.createdOn);
    expect((await recordsOf(stack, kept)).lastActivityOn).toBe(newest);
    // The deleted thread's message, delivered after its deletion, did not bring its records back.
    expect(await recordsOf(stack, deleted)).toEqual({ indexed: [] });
  });

  it('a handler failure is answered 500, retried by Event Grid, and then succeeds', async () => {
    const threadId = await createThread('retried');
    await flush();
    const before = control().eventDeliveryStats();
    // The deletion reaches chatEvents twice (the thread-level event, and alice's for her inbox); Tables fails the first
    // read of each (3 tries of the SDK each): both invocations throw.
    stack.tablesFaults.failNext('GET', 503, 6);
    const { chat } = await stack.services();
    await chat.acs.asService((client) => client.deleteChatThread(threadId));
    const after = await flush();
    stack.tablesFaults.clear();
    expect(after.failed - before.failed).toBe(2);
    expect(after.delivered - before.delivered).toBe(2);
    expect(after.deadLettered).toBe(before.deadLettered);
    expect(stack.logs.some((log) => log.functionName === 'chatEvents' && log.args[0] === 'function threw')).toBe(true);
    expect(await recordsOf(stack, threadId)).toEqual({ indexed: [] });
  });
});

describe('chatEvents budget', () => {
  let stack: TestStack;
  let alice: ApiUser;
  beforeAll(async () => {
    // The default retention (30 days): activity is recorded to the minute.
    stack = await startTestStack({}, { chatEvents: true });
    alice = await signIn(stack, 'budget-alice');
  });
  afterAll(() => stack.close());

  it('makes no ACS call, one Tables write for a message, none for messages within the minute after', async () => {
    const control = stack.emulator!.control;
    const created = await alice.request<Created>('POST', '/threads', { topic: 'budget' });
    const threadId = created.body.thread.id;
    const { tables } = await stack.services();
    const old = new Date(Date.now() - 5 * 60_000);
    await tables.threads.updateEntity({ partitionKey: threadId, rowKey: 'thread', lastActivityOn: old }, 'Merge');
    const thread = (await directAcsClient(stack, alice)).getChatThreadClient(threadId);
    await control.flushEvents();

    const measure = async (messages: number): Promise<{ reads: number; writes: number; acs: object }> => {
      stack.tablesCalls.reset();
      control.resetCounts();
      // One event at a time, as the budget is per event (concurrent deliveries may also race on one record).
      for (let i = 0; i < messages; i += 1) {
        await thread.sendMessage({ content: `m${i}` });
        await control.flushEvents();
      }
      return { reads: stack.tablesCalls.reads, writes: stack.tablesCalls.writes, acs: control.requestCounts() };
    };
    // Per message: the thread record (1 read, at most 1 write) and the sender's inbox entry (1 read, 1 write).
    expect(await measure(1)).toEqual({ reads: 2, writes: 2, acs: { 'chat.sendMessage': 1 } });
    expect(await measure(3)).toEqual({ reads: 6, writes: 3, acs: { 'chat.sendMessage': 3 } });
  });
});

describe('the dev host serves Event Grid triggers as Core Tools does', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  const webhook = (query: string, headers: Record<string, string>, body: unknown) =>
    call(`${stack.host.origin}/runtime/webhooks/eventgrid${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      json: body,
    });
  const notification = { 'aeg-event-type': 'Notification' };
  const event = {
    id: 'e-1',
    topic: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Communication/communicationServices/acs',
    subject: 'thread/19:x@thread.v2/createdBy/8:acs:r_1',
    eventType: 'Microsoft.Communication.ChatTypingIndicatorReceivedInThread',
    eventTime: new Date().toISOString(),
    data: {},
    dataVersion: '1.0',
    metadataVersion: '1',
  };

  it('answers 202 when every event succeeded (an array or a single event; unhandled types are acknowledged)', async () => {
    expect((await webhook('?functionName=chatEvents', notification, [event, event])).status).toBe(202);
    expect((await webhook('?functionName=chatEvents', notification, event)).status).toBe(202);
    expect(stack.logs.filter((log) => log.args[0] === 'chat event acknowledged without action')).toHaveLength(3);
  });

  it('answers 500 when an event failed, so that Event Grid delivers it again', async () => {
    stack.tablesFaults.failNext('GET', 503, 3);
    const deleted = {
      ...event,
      eventType: 'Microsoft.Communication.ChatThreadDeleted',
      data: { threadId: '19:gone@thread.v2' },
    };
    expect((await webhook('?functionName=chatEvents', notification, [deleted])).status).toBe(500);
    stack.tablesFaults.clear();
    expect((await webhook('?functionName=chatEvents', notification, [deleted])).status).toBe(202);
  });

  it('answers the validation handshake, 404 for an unknown function and 400 without a valid aeg-event-type', async () => {
    const validation = await webhook('?functionName=chatEvents', { 'aeg-event-type': 'SubscriptionValidation' }, [
      { ...event, eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: 'abc' } },
    ]);
    expect({ status: validation.status, body: validation.body }).toEqual({
      status: 200,
      body: { validationResponse: 'abc' },
    });
    expect((await webhook('?functionName=nope', notification, [event])).status).toBe(404);
    expect((await webhook('', notification, [event])).status).toBe(404);
    expect((await webhook('?functionName=chatEvents', {}, [event])).status).toBe(400);
    expect((await webhook('?functionName=chatEvents', { 'aeg-event-type': 'Other' }, [event])).status).toBe(400);
    expect((await webhook('?functionName=chatEvents', { 'aeg-event-type': 'Unsubscribe' }, [event])).status).toBe(202);
  });
});
