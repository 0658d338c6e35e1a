import { type ApiUser, signIn, threadPath } from '../../helpers/api';
import { startTestStack, type TestStack } from '../../helpers/stack';

interface Message {
  id: string;
  sender?: { userId?: string };
  content?: { message?: string };
  deletedOn?: string;
}
interface ExportPage {
  user?: { userId: string };
  notifications?: { email: { enabled: boolean; address?: string } };
  threads: Array<{ threadId: string; topic: string; readUpTo?: string; unreadCount: number; messages: Message[] }>;
  continuationToken?: string;
}

describe('GET /api/me/export: the caller’s data, as the API shows it to them', () => {
  let stack: TestStack;
  let alice: ApiUser;
  let bob: ApiUser;

  beforeAll(async () => {
    stack = await startTestStack({}, { chatEvents: true, email: true });
    alice = await signIn(stack, 'exp-alice', { name: 'Alice', email: 'alice@example.com' });
    bob = await signIn(stack, 'exp-bob', { name: 'Bob' });
    await alice.request('POST', '/token');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('lists every thread with her own messages and read mark, a thread per page, matching the API', async () => {
    const threadIds: string[] = [];
    for (const topic of ['Export one', 'Export two', 'Export three']) {
      const created = await alice.request<{ thread: { id: string } }>('POST', '/threads', {
        topic,
        participants: [{ userId: bob.userId }],
      });
      threadIds.push(created.body.thread.id);
    }
    for (const [index, threadId] of threadIds.entries()) {
      for (let n = 0; n <= index; n += 1)
        await alice.request('POST', threadPath(threadId, '/messages'), { content: `alice ${index}.${n}` });
      const fromBob = await bob.request<{ id: string }>('POST', threadPath(threadId, '/messages'), {
        content: `bob ${index}`,
      });
      if (index === 0)
        await alice.request('POST', threadPath(threadId, '/read-receipts'), { messageId: fromBob.body.id });
    }
    const deleted = await alice.request<{ id: string }>('POST', threadPath(threadIds[2]!, '/messages'), {
      content: 'deleted again',
    });
    await alice.request('DELETE', threadPath(threadIds[2]!, `/messages/${deleted.body.id}`));
    await stack.emulator!.control.flushEvents();

    const pages: ExportPage[] = [];
    let token: string | undefined;
    do {
      const res = await alice.request<ExportPage>(
        'GET',
        `/me/export${token ? `?continuationToken=${encodeURIComponent(token)}` : ''}`,
      );
      expect(res.status).toBe(200);
      pages.push(res.body);
      token = res.body.continuationToken;
    } while (token && pages.length < 10);
    expect(pages[0]!.user).toEqual({ userId: 'exp-alice', acsUserId: expect.any(String), displayName: 'Alice' });
    expect(pages[0]!.notifications?.email).toMatchObject({ enabled: true, address: 'alice@example.com' });
    const exported = pages.flatMap((page) => page.threads);
    expect(exported.map((thread) => thread.threadId).sort()).toEqual([...threadIds].sort());

    for (const thread of exported) {
      const listed = await alice.request<{ items: Message[] }>('GET', threadPath(thread.threadId, '/messages'));
      const own = listed.body.items.filter((m) => m.sender?.userId === 'exp-alice' && !m.deletedOn);
      expect(thread.messages.map((m) => [m.id, m.content?.message])).toEqual(
        own.map((m) => [m.id, m.content?.message]),
      );
      expect(thread.messages.every((m) => m.sender?.userId === 'exp-alice')).toBe(true);
      const inbox = await alice.request<{ items: Array<{ threadId: string; unreadCount: number; topic: string }> }>(
        'GET',
        '/inbox',
      );
      const entry = inbox.body.items.find((item) => item.threadId === thread.threadId)!;
      expect([thread.topic, thread.unreadCount]).toEqual([entry.topic, entry.unreadCount]);
    }
    const first = exported.find((thread) => thread.threadId === threadIds[0])!;
    expect(first.readUpTo).toBeDefined();
    expect(first.unreadCount).toBe(0);
    expect(exported.find((thread) => thread.threadId === threadIds[2])!.messages).toHaveLength(3);

    // Bob's export has none of alice's messages.
    const bobs = await bob.request<ExportPage>('GET', '/me/export');
    expect(bobs.body.threads.flatMap((thread) => thread.messages).every((m) => m.sender?.userId === 'exp-bob')).toBe(
      true,
    );
    expect((await alice.request('GET', '/me/export?continuationToken=not-a-token')).status).toBe(400);
  });
});
