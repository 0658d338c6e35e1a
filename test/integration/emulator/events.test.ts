import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type EventGridEvent, startEmulator } from '../../../emulator';
import { EventSink } from '../../helpers/event-sink';
import { EventContractValidator } from './event-contract';
import { raw, type TestUser, useEmulator } from './helpers';

/**
 * Chat events: what the emulator publishes for each change (checked against the Event Grid contract), and how it
 * delivers them (Event Grid's delivery semantics, subscriptions, flush, dead letters, injected faults).
 */

const published: EventGridEvent[] = [];
const validator = new EventContractValidator();

afterAll(() => {
  const problems = published.map((event) => validator.check(event)).filter((p): p is string => p !== undefined);
  if (published.length === 0) throw new Error('No event was published for the contract check.');
  if (problems.length > 0) throw new Error(`Events drifted from the contract:\n${problems.join('\n')}`);
});

const typesOf = (events: EventGridEvent[]): string[] =>
  events.map((event) => event.eventType.replace('Microsoft.Communication.', '')).sort();
const recipientOf = (event: EventGridEvent): string | undefined =>
  (event.data.recipientCommunicationIdentifier as { rawId?: string } | undefined)?.rawId;

describe('chat events', () => {
  const env = useEmulator({ onEvent: (event) => published.push(event) });
  let sink: EventSink;
  let users: [TestUser, TestUser, TestUser, TestUser];

  beforeAll(async () => {
    sink = await EventSink.start();
    await env().emu.control.subscribeEvents({ endpoint: sink.url });
    users = (await Promise.all([1, 2, 3, 4].map(() => env().newUser()))) as typeof users;
  });
  afterAll(() => sink.close());

  /** Runs a change and returns the events it published (after delivery has settled). */
  async function eventsOf(change: () => Promise<unknown>): Promise<EventGridEvent[]> {
    const before = published.length;
    await change();
    await env().emu.control.flushEvents();
    return published.slice(before);
  }

  it('publishes one thread-level event and one user-level event per participant except the actor', async () => {
    const [alice, bob, carol, dave] = users;
    const participants = [bob, carol].map((u) => ({ id: { communicationUserId: u.id }, displayName: 'P' }));
    let threadId = '';
    const created = await eventsOf(async () => {
      threadId = (await alice.chat.createChatThread({ topic: 'events' }, { participants })).chatThread!.id;
    });
    expect(typesOf(created)).toEqual(['ChatThreadCreated', 'ChatThreadCreatedWithUser', 'ChatThreadCreatedWithUser']);
    expect(created.map(recipientOf).filter(Boolean).sort()).toEqual([bob.id, carol.id].sort());
    expect(created.every((event) => event.topic === env().emu.eventTopic)).toBe(true);

    let messageId = '';
    const sent = await eventsOf(async () => {
      messageId = (await alice.thread(threadId).sendMessage({ content: 'hello' }, { senderDisplayName: 'Alice' })).id;
    });
    expect(typesOf(sent)).toEqual(['ChatMessageReceived', 'ChatMessageReceived', 'ChatMessageReceivedInThread']);
    const inThread = sent.find((event) => event.eventType.endsWith('InThread'))!;
    expect(inThread.subject).toBe(`thread/${threadId}/sender/${alice.id}`);
    expect(inThread.data).toMatchObject({ threadId, messageId, messageBody: 'hello', type: 'Text' });
    // One transaction id per ACS request, shared by all its events.
    expect(new Set(sent.map((event) => event.data.transactionId)).size).toBe(1);

    expect(typesOf(await eventsOf(() => alice.thread(threadId).updateMessage(messageId, { content: 'hi' })))).toEqual([
      'ChatMessageEdited',
      'ChatMessageEdited',
      'ChatMessageEditedInThread',
    ]);
    expect(typesOf(await eventsOf(() => bob.thread(threadId).updateTopic('renamed')))).toEqual([
      'ChatThreadPropertiesUpdated',
      'ChatThreadPropertiesUpdatedPerUser',
      'ChatThreadPropertiesUpdatedPerUser',
    ]);
    const added = await eventsOf(() =>
      alice.thread(threadId).addParticipants({ participants: [{ id: { communicationUserId: dave.id } }] }),
    );
    expect(typesOf(added)).toEqual([
      'ChatParticipantAddedToThreadWithUser',
      'ChatParticipantAddedToThreadWithUser',
      'ChatParticipantAddedToThreadWithUser',
      'ChatThreadParticipantAdded',
    ]);
    expect(added.map(recipientOf).filter(Boolean).sort()).toEqual([bob.id, carol.id, dave.id].sort());

    // Typing notifications and read receipts are not announced through Event Grid.
    expect(
      await eventsOf(async () => {
        await bob.thread(threadId).sendTypingNotification();
        await bob.thread(threadId).sendReadReceipt({ chatMessageId: messageId });
      }),
    ).toEqual([]);

    const removed = await eventsOf(() => alice.thread(threadId).removeParticipant({ communicationUserId: carol.id }));
    expect(typesOf(removed)).toEqual([
      'ChatParticipantRemovedFromThreadWithUser',
      'ChatParticipantRemovedFromThreadWithUser',
      'ChatParticipantRemovedFromThreadWithUser',
      'ChatThreadParticipantRemoved',
    ]);
    // The removed participant hears of it too.
    expect(removed.map(recipientOf)).toContain(carol.id);

    expect(typesOf(await eventsOf(() => alice.thread(threadId).deleteMessage(messageId)))).toEqual([
      'ChatMessageDeleted',
      'ChatMessageDeleted',
      'ChatMessageDeletedInThread',
    ]);
    const deleted = await eventsOf(() => alice.chat.deleteChatThread(threadId));
    expect(typesOf(deleted)).toEqual(['ChatThreadDeleted', 'ChatThreadWithUserDeleted', 'ChatThreadWithUserDeleted']);
    expect(deleted.find((event) => event.eventType.endsWith('ChatThreadDeleted'))?.subject).toBe(
      `thread/${threadId}/deletedBy/${alice.id}`,
    );
  });

  it('publishes a retention delete when its time comes, to every participant', async () => {
    const [alice, bob] = users;
    const { chatThread } = await alice.chat.createChatThread(
      { topic: 'retention' },
      {
        participants: [{ id: { communicationUserId: bob.id } }],
        retentionPolicy: { kind: 'threadCreationDate', deleteThreadAfterDays: 30 },
      },
    );
    const events = await eventsOf(async () => env().emu.control.advanceClock(31 * 86_400_000));
    env().emu.control.resetClock();
    expect(typesOf(events)).toEqual(['ChatThreadDeleted', 'ChatThreadWithUserDeleted', 'ChatThreadWithUserDeleted']);
    expect(events.every((event) => event.data.threadId === chatThread!.id)).toBe(true);
  });

  it('delivers every event as a JSON array with aeg-event-type: Notification, and flush reports the counts', async () => {
    const [alice] = users;
    sink.clear();
    const before = env().emu.control.eventDeliveryStats();
    await alice.chat.createChatThread({ topic: 'delivery' });
    const stats = await env().emu.control.flushEvents();
    expect(stats).toMatchObject({ queued: 0, inFlight: 0, settled: true, delivered: before.delivered + 1 });
    expect(sink.deliveries).toEqual([
      { eventType: 'Notification', deliveryCount: '0', status: 200, events: [expect.any(Object)] },
    ]);
    // Nothing queued: flush answers at once with the same counts.
    expect(await env().emu.control.flushEvents()).toEqual(stats);
  });
});

describe('event delivery', () => {
  const env = useEmulator({ onEvent: (event) => published.push(event) });
  let sink: EventSink;
  let subscriptionId: string;
  let alice: TestUser;

  beforeAll(async () => {
    sink = await EventSink.start();
  });
  beforeEach(async () => {
    const control = env().emu.control;
    for (const sub of control.listEventSubscriptions()) control.unsubscribeEvents(sub.id);
    // Forgets identities, threads, queued events, dead letters, delivery counts and faults.
    control.reset();
    sink.clear();
    alice = await env().newUser();
    subscriptionId = (
      await control.subscribeEvents({
        endpoint: sink.url,
        includedEventTypes: [
          'Microsoft.Communication.ChatThreadCreated',
          'Microsoft.Communication.ChatMessageReceivedInThread',
        ],
        retryPolicy: { maxDeliveryAttempts: 3 },
      })
    ).id;
  });
  afterAll(() => sink.close());

  async function createThreads(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) ids.push((await alice.chat.createChatThread({ topic: `t${i}` })).chatThread!.id);
    return ids;
  }
  const threadIdsOf = (events: EventGridEvent[]): string[] => events.map((event) => String(event.data.threadId));

  it('delivers only the included event types', async () => {
    const [threadId] = await createThreads(1);
    await alice.thread(threadId!).sendMessage({ content: 'x' });
    await alice.thread(threadId!).updateTopic('y');
    await env().emu.control.flushEvents();
    expect(typesOf(sink.events())).toEqual(['ChatMessageReceivedInThread', 'ChatThreadCreated']);
  });

  it('retries other answers with backoff until one succeeds, and never retries 400', async () => {
    sink.failNext(500, 503);
    await createThreads(1);
    const stats = await env().emu.control.flushEvents();
    expect(sink.deliveries.map((d) => [d.status, d.deliveryCount])).toEqual([
      [500, '0'],
      [503, '1'],
      [200, '2'],
    ]);
    expect(stats).toMatchObject({ delivered: 1, failed: 2, deadLettered: 0 });

    sink.clear();
    sink.failNext(400);
    const [refused] = await createThreads(1);
    expect(await env().emu.control.flushEvents()).toMatchObject({ delivered: 1, failed: 3, deadLettered: 1 });
    expect(sink.deliveries.map((d) => d.status)).toEqual([400]);
    expect(env().emu.control.listDeadLetters()).toEqual([
      expect.objectContaining({
        subscriptionId,
        deadLetterReason: 'NonRetriableDeliveryOutcome',
        deliveryAttempts: 1,
        lastDeliveryOutcome: 'BadRequest',
        data: expect.objectContaining({ threadId: refused }),
      }),
    ]);
  });

  it('dead-letters an event once its delivery attempts are used up', async () => {
    sink.failNext(503, 503, 503);
    await createThreads(1);
    expect(await env().emu.control.flushEvents()).toMatchObject({ delivered: 0, failed: 3, deadLettered: 1 });
    const [dead] = env().emu.control.listDeadLetters();
    expect(dead).toMatchObject({ deadLetterReason: 'MaxDeliveryAttemptsExceeded', deliveryAttempts: 3 });
    const res = await raw(env().emu, 'GET', '/_emulator/eventgrid/dead-letters', {
      'x-emulator-key': env().emu.accessKey,
    });
    expect(res.json).toEqual({ value: [dead], count: 1 });
  });

  it('can deliver every event twice (same ids) and in reverse order', async () => {
    env().emu.control.setEventDelivery({ duplicatePercent: 100, reorder: true, concurrency: 1 });
    const threadIds = await createThreads(3);
    const stats = await env().emu.control.flushEvents();
    expect(stats).toMatchObject({ delivered: 6, duplicated: 3 });
    const delivered = sink.events();
    expect(new Set(delivered.map((event) => event.id)).size).toBe(3);
    expect([...new Set(threadIdsOf(delivered))]).toEqual([...threadIds].reverse());
  });

  it('batches up to maxEventsPerBatch events per request', async () => {
    env().emu.control.unsubscribeEvents(subscriptionId);
    await env().emu.control.subscribeEvents({ endpoint: sink.url, maxEventsPerBatch: 10 });
    env().emu.control.setEventDelivery({ reorder: true });
    await createThreads(1); // one ChatThreadCreated: no one else is in the thread
    const [threadId] = await createThreads(1);
    await alice.thread(threadId!).sendMessage({ content: 'batched' });
    await env().emu.control.flushEvents();
    expect(sink.deliveries.map((d) => d.events.length)).toEqual([3]);
  });

  it('is not throttled by the ACS rate limits', async () => {
    env().emu.control.setRateLimiting(true);
    await createThreads(5);
    expect(await env().emu.control.flushEvents()).toMatchObject({ delivered: 5, failed: 0 });
  });

  it('manages subscriptions through the control API, with the validation handshake', async () => {
    const key = { 'x-emulator-key': env().emu.accessKey, 'content-type': 'application/json' };
    const created = await raw(
      env().emu,
      'POST',
      '/_emulator/eventgrid/subscriptions',
      key,
      JSON.stringify({ endpoint: sink.url }),
    );
    expect(created.status).toBe(201);
    const { id } = created.json as { id: string };
    const listed = await raw(env().emu, 'GET', '/_emulator/eventgrid/subscriptions', key);
    expect((listed.json as { value: Array<{ id: string }> }).value.map((s) => s.id)).toContain(id);
    expect((await raw(env().emu, 'DELETE', `/_emulator/eventgrid/subscriptions/${id}`, key)).status).toBe(204);
    expect((await raw(env().emu, 'DELETE', `/_emulator/eventgrid/subscriptions/${id}`, key)).status).toBe(404);
    // An endpoint that does not echo the validation code is refused.
    const refused = await raw(
      env().emu,
      'POST',
      '/_emulator/eventgrid/subscriptions',
      key,
      JSON.stringify({ endpoint: `${new URL(sink.url).origin}/nowhere`.replace(/:\d+/, ':9') }),
    );
    expect(refused.status).toBe(400);
    expect((await raw(env().emu, 'POST', '/_emulator/eventgrid/flush', {})).status).toBe(401);
  });
});

describe('event subscriptions on disk', () => {
  it('survive a restart, like the rest of the emulator state', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'acs-events-'));
    const sink = await EventSink.start();
    try {
      const first = await startEmulator({ dataDir });
      const { id } = await first.control.subscribeEvents({ endpoint: sink.url, maxEventsPerBatch: 5 });
      await first.close();
      const second = await startEmulator({ dataDir });
      expect(second.control.listEventSubscriptions()).toEqual([
        expect.objectContaining({ id, endpoint: sink.url, maxEventsPerBatch: 5 }),
      ]);
      await second.close();
    } finally {
      await sink.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
