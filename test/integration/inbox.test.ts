import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';

import type { InboxEntry, UnreadBadge } from '../../src/inbox/inbox-schemas';
import { type ApiUser, signIn, threadPath } from '../helpers/api';
import { startTestStack, type TestStack } from '../helpers/stack';

/**
 * The inbox end to end through the dev stack: ACS (the emulator) publishes chat events, Event Grid (the emulator)
 * delivers them to `chatEvents` (duplicated and newest first where the test turns that on), and GET /api/inbox answers
 * from Tables alone.
 */

interface InboxPage {
  items: InboxEntry[];
  continuationToken?: string;
}

describe('the inbox through the dev stack', () => {
  let stack: TestStack;
  let alice: ApiUser;
  let bob: ApiUser;
  let carol: ApiUser;

  beforeAll(async () => {
    stack = await startTestStack({}, { chatEvents: true });
    [alice, bob, carol] = await Promise.all([
      signIn(stack, 'alice', { name: 'Alice' }),
      signIn(stack, 'bob', { name: 'Bob' }),
      signIn(stack, 'carol', { name: 'Carol' }),
    ]);
  });
  afterAll(() => stack.close());

  const control = () => stack.emulator!.control;
  const flush = async () => expect(await control().flushEvents()).toMatchObject({ settled: true, deadLettered: 0 });

  async function inboxOf(user: ApiUser, query = ''): Promise<InboxPage> {
    const res = await user.request<InboxPage>('GET', `/inbox${query}`);
    expect(res.status).toBe(200);
    return res.body;
  }
  const entryOf = async (user: ApiUser, threadId: string) =>
    (await inboxOf(user)).items.find((entry) => entry.threadId === threadId);
  async function badgeOf(user: ApiUser): Promise<UnreadBadge> {
    const res = await user.request<UnreadBadge>('GET', '/inbox/unread');
    expect(res.status).toBe(200);
    return res.body;
  }
  async function send(user: ApiUser, threadId: string, content: string, type = 'text'): Promise<string> {
    const res = await user.request<{ id: string }>('POST', threadPath(threadId, '/messages'), { content, type });
    expect(res.status).toBe(201);
    return res.body.id;
  }
  async function directAcsClient(user: ApiUser): Promise<ChatClient> {
    const issued = await user.request<{ token: string; endpoint: string }>('POST', '/token');
    expect(issued.status).toBe(200);
    return new ChatClient(issued.body.endpoint, new AzureCommunicationTokenCredential(issued.body.token), {
      tlsOptions: { ca: stack.emulator!.caCertPem },
    });
  }
  async function createThread(owner: ApiUser, topic: string, others: ApiUser[]): Promise<string> {
    const participants = others.map((user) => ({ userId: user.userId }));
    const res = await owner.request<{ thread: { id: string } }>('POST', '/threads', { topic, participants });
    expect(res.status).toBe(201);
    return res.body.thread.id;
  }

  it('tells the whole story: unread counts, the last message, read receipts, topic, removal and deletion', async () => {
    const bobDirect = (await directAcsClient(bob)).getChatThreadClient(
      await createThread(alice, 'Weekend', [bob, carol]),
    );
    const threadId = bobDirect.threadId;
    // Every event from here on is delivered twice, and held back and delivered newest first.
    await flush();
    const before = control().eventDeliveryStats();
    control().setEventDelivery({ duplicatePercent: 100, reorder: true, reorderWindowMs: 600_000 });
    try {
      await send(alice, threadId, 'Who is in?');
      await send(bob, threadId, 'Me');
      await send(bob, threadId, '<p>Bringing <b>snacks</b></p>', 'html');
      const { id: directId } = await bobDirect.sendMessage({ content: 'and a ball' }, { senderDisplayName: 'Bobby' });
      await flush();

      expect(control().eventDeliveryStats().duplicated - before.duplicated).toBeGreaterThanOrEqual(8);

      const aliceEntry = await entryOf(alice, threadId);
      expect(aliceEntry).toMatchObject({ topic: 'Weekend', unreadCount: 3 });
      expect(aliceEntry?.lastMessage).toEqual({
        id: directId,
        type: 'text',
        preview: 'and a ball',
        senderDisplayName: 'Bobby',
        sender: { userId: 'bob', acsUserId: expect.stringMatching(/^8:acs:/) },
        createdOn: expect.any(String),
      });
      expect((await entryOf(carol, threadId))?.unreadCount).toBe(4);
      expect((await entryOf(bob, threadId))?.unreadCount).toBe(1);
      expect(await badgeOf(carol)).toEqual({ unreadCount: 4, threadsWithUnread: 1 });

      // Carol reads up to the latest message through our API.
      const read = await carol.request('POST', threadPath(threadId, '/read-receipts'), { messageId: directId });
      expect(read.status).toBe(204);
      expect((await entryOf(carol, threadId))?.unreadCount).toBe(0);
      expect(await badgeOf(carol)).toEqual({ unreadCount: 0, threadsWithUnread: 0 });

      const renamed = await alice.request('PATCH', threadPath(threadId), { topic: 'Sunday football' });
      expect(renamed.status).toBe(200);
      await flush();
      for (const user of [alice, bob, carol]) expect((await entryOf(user, threadId))?.topic).toBe('Sunday football');

      const removed = await alice.request('DELETE', threadPath(threadId, `/participants/${carol.userId}`));
      expect(removed.status).toBe(204);
      await flush();
      expect(await entryOf(carol, threadId)).toBeUndefined();
      expect(await entryOf(bob, threadId)).toBeDefined();

      expect((await alice.request('DELETE', threadPath(threadId))).status).toBe(204);
      await flush();
      for (const user of [alice, bob, carol]) expect(await entryOf(user, threadId)).toBeUndefined();
      expect(await badgeOf(alice)).toEqual({ unreadCount: 0, threadsWithUnread: 0 });
    } finally {
      control().setEventDelivery({ duplicatePercent: 0, reorder: false, reorderWindowMs: 1_000 });
    }
  });

  it('shows edits and deletes of the last message, and never counts system messages or your own', async () => {
    const threadId = await createThread(bob, 'Edits', [alice]);
    const first = await send(bob, threadId, 'first');
    const last = await send(bob, threadId, 'secnd');
    await send(alice, threadId, 'mine');
    await flush();
    expect(await entryOf(alice, threadId)).toMatchObject({ unreadCount: 2, lastMessage: { preview: 'mine' } });

    const ownDeleted = await alice.request('GET', threadPath(threadId, '/messages'));
    expect(ownDeleted.status).toBe(200);
    const mineId = (ownDeleted.body as { items: Array<{ id: string; content?: { message?: string } }> }).items.find(
      (m) => m.content?.message === 'mine',
    )!.id;
    expect((await alice.request('DELETE', threadPath(threadId, `/messages/${mineId}`))).status).toBe(204);
    expect((await bob.request('PATCH', threadPath(threadId, `/messages/${last}`), { content: 'second' })).status).toBe(
      200,
    );
    await flush();
    expect(await entryOf(alice, threadId)).toMatchObject({
      unreadCount: 2,
      lastMessage: { id: last, preview: 'second', sender: { userId: 'bob' } },
    });
    expect((await bob.request('DELETE', threadPath(threadId, `/messages/${last}`))).status).toBe(204);
    await flush();
    expect(await entryOf(alice, threadId)).toMatchObject({ unreadCount: 1, lastMessage: { id: first } });
    // The topic change below adds a system message to the thread; it is not counted.
    expect((await bob.request('PATCH', threadPath(threadId), { topic: 'Edited' })).status).toBe(200);
    await flush();
    expect(await entryOf(alice, threadId)).toMatchObject({ topic: 'Edited', unreadCount: 1 });
  });

  it('shows a thread to someone added later, with its topic, and hides it when they leave', async () => {
    const dave = await signIn(stack, 'dave');
    const threadId = await createThread(alice, 'Later', [bob]);
    expect((await alice.request('PATCH', threadPath(threadId), { topic: 'Later on' })).status).toBe(200);
    await flush();
    const added = await alice.request('POST', threadPath(threadId, '/participants'), {
      participants: [{ userId: dave.userId }],
    });
    expect(added.status).toBe(200);
    await send(bob, threadId, 'welcome');
    await flush();
    expect(await entryOf(dave, threadId)).toMatchObject({ topic: 'Later on', unreadCount: 1 });
    expect((await dave.request('DELETE', threadPath(threadId, `/participants/${dave.userId}`))).status).toBe(204);
    await flush();
    expect(await entryOf(dave, threadId)).toBeUndefined();
  });

  it('pages newest first, makes no ACS call and reads only the caller’s partition', async () => {
    const older = await createThread(carol, 'Older', []);
    const newer = await createThread(carol, 'Newer', []);
    await flush();
    await send(carol, older, 'bump'); // now the most recent activity
    await flush();

    control().resetCounts();
    stack.tablesCalls.reset();
    const first = await inboxOf(carol, '?maxPageSize=1');
    expect(first.items.map((entry) => entry.threadId)).toEqual([older]);
    expect(stack.tablesCalls).toMatchObject({ reads: 1, writes: 0 });
    const second = await inboxOf(carol, `?maxPageSize=1&continuationToken=${first.continuationToken!}`);
    expect(second.items.map((entry) => entry.threadId)).toEqual([newer]);
    expect(second.continuationToken).toBeUndefined();
    stack.tablesCalls.reset();
    await badgeOf(carol);
    expect(stack.tablesCalls).toMatchObject({ reads: 1, writes: 0 });
    expect(control().requestCounts()).toEqual({});
  });

  it('refuses bad paging and callers without a token; a user never seen has an empty inbox', async () => {
    expect((await alice.request('GET', '/inbox?maxPageSize=0')).status).toBe(400);
    const badToken = await alice.request<{ error: { code: string } }>('GET', '/inbox?continuationToken=xyz');
    expect({ status: badToken.status, code: badToken.body.error.code }).toEqual({
      status: 400,
      code: 'InvalidContinuationToken',
    });
    const anonymous = await fetch(`${stack.apiBaseUrl}/inbox`);
    expect(anonymous.status).toBe(401);
    const stranger = await signIn(stack, 'never-seen');
    expect(await inboxOf(stranger)).toEqual({ items: [] });
    expect(await badgeOf(stranger)).toEqual({ unreadCount: 0, threadsWithUnread: 0 });
  });
});

describe('inbox backfill for threads that existed before inboxes', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack(); // no chat events: as before inboxes existed
  });
  afterAll(() => stack.close());

  it('builds the entries from ACS once, idempotently, for an admin only', async () => {
    const [alice, bob, admin] = await Promise.all([
      signIn(stack, 'old-alice'),
      signIn(stack, 'old-bob'),
      signIn(stack, 'old-admin', { roles: ['Chat.Admin'] }),
    ]);
    const created = await alice.request<{ thread: { id: string } }>('POST', '/threads', {
      topic: 'Before inboxes',
      participants: [{ userId: bob.userId }],
    });
    const threadId = created.body.thread.id;
    const ids: string[] = [];
    for (const [user, content] of [
      [alice, 'one'],
      [alice, 'two'],
      [bob, 'three'],
    ] as const) {
      ids.push((await user.request<{ id: string }>('POST', threadPath(threadId, '/messages'), { content })).body.id);
    }
    expect((await bob.request('POST', threadPath(threadId, '/read-receipts'), { messageId: ids[0] })).status).toBe(204);
    expect((await alice.request<InboxPage>('GET', '/inbox')).body.items).toEqual([]);

    expect((await alice.request('POST', '/maintenance/inbox-backfill')).status).toBe(403);
    for (let run = 0; run < 2; run += 1) {
      const summary = await admin.request('POST', '/maintenance/inbox-backfill', { budgetSeconds: 30 });
      expect(summary.body).toEqual({ threads: 1, entries: 2, failed: 0, incomplete: false });
      expect((await alice.request<InboxPage>('GET', '/inbox')).body.items).toEqual([
        expect.objectContaining({
          threadId,
          topic: 'Before inboxes',
          unreadCount: 1,
          lastMessage: expect.objectContaining({
            id: ids[2],
            preview: 'three',
            sender: expect.objectContaining({ userId: bob.userId }),
          }),
        }),
      ]);
      expect((await bob.request<UnreadBadge>('GET', '/inbox/unread')).body).toEqual({
        unreadCount: 1,
        threadsWithUnread: 1,
      });
    }
  });
});
