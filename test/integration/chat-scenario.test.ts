import { type ApiUser, signIn, threadPath } from '../helpers/api';
import { startTestStack, type TestStack } from '../helpers/stack';

interface Thread {
  id: string;
  topic: string;
  createdBy: string;
  createdOn: string;
  lastActivityOn: string;
  metadata?: Record<string, string>;
}
interface Message {
  id: string;
  type: string;
  content?: { message?: string };
  sender?: { userId: string | null; acsUserId: string };
  senderDisplayName?: string;
  metadata?: Record<string, string>;
  deletedOn?: string;
  editedOn?: string;
}
interface Page<T> {
  items: T[];
  continuationToken?: string;
}

describe('a conversation between alice and bob', () => {
  let stack: TestStack;
  let alice: ApiUser;
  let bob: ApiUser;
  let carol: ApiUser;

  beforeAll(async () => {
    stack = await startTestStack();
    [alice, bob, carol] = await Promise.all([
      signIn(stack, 'sc-alice', { name: 'Alice' }),
      signIn(stack, 'sc-bob', { name: 'Bob' }),
      signIn(stack, 'sc-carol', { name: 'Carol' }),
    ]);
  });
  afterAll(() => stack.close());

  it('runs from creation to deletion', async () => {
    const created = await alice.request<{ thread: Thread; invalidParticipants: unknown[] }>('POST', '/threads', {
      topic: 'Lunch',
      participants: [{ userId: 'sc-bob', displayName: 'Bob' }],
      metadata: { project: 'p1' },
    });
    expect(created.status).toBe(201);
    expect(created.body.invalidParticipants).toEqual([]);
    const thread = created.body.thread;
    expect(thread).toMatchObject({ topic: 'Lunch', createdBy: 'sc-alice', metadata: { project: 'p1' } });
    expect(thread.id).toMatch(/^19:.+@thread\.v2$/);

    // Both see it; the service identity is not a participant anyone sees.
    for (const user of [alice, bob]) {
      const list = await user.request<Page<{ id: string; topic: string }>>('GET', '/threads');
      expect(list.body.items.map((item) => item.id)).toContain(thread.id);
    }
    const participants = await bob.request<Page<{ userId: string; displayName: string }>>(
      'GET',
      threadPath(thread.id, '/participants'),
    );
    expect(participants.status).toBe(200);
    expect(participants.body.items.map((p) => p.userId).sort()).toEqual(['sc-alice', 'sc-bob']);

    // They exchange text and html messages with metadata.
    const sent: string[] = [];
    for (const [user, body] of [
      [alice, { content: 'hi bob', metadata: { mood: 'happy' } }],
      [bob, { content: '<b>hi</b> alice', type: 'html' }],
      [alice, { content: 'noon?', senderDisplayName: 'Alice A.' }],
    ] as const) {
      const res = await user.request<{ id: string }>('POST', threadPath(thread.id, '/messages'), body);
      expect(res.status).toBe(201);
      sent.push(res.body.id);
    }

    // Bob pages through them one at a time.
    const seen: Message[] = [];
    let continuationToken: string | undefined;
    let pages = 0;
    do {
      const query = `?maxPageSize=1${continuationToken ? `&continuationToken=${encodeURIComponent(continuationToken)}` : ''}`;
      const page = await bob.request<Page<Message>>('GET', threadPath(thread.id, `/messages${query}`));
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.items);
      continuationToken = page.body.continuationToken;
      pages += 1;
    } while (continuationToken && pages < 20);
    const texts = seen.filter((m) => m.type === 'text' || m.type === 'html');
    expect(texts.map((m) => m.id).sort()).toEqual([...sent].sort());
    const html = texts.find((m) => m.type === 'html')!;
    expect(html).toMatchObject({
      content: { message: '<b>hi</b> alice' },
      sender: { userId: 'sc-bob' },
      senderDisplayName: 'Bob',
    });
    expect(texts.find((m) => m.id === sent[0])).toMatchObject({
      metadata: { mood: 'happy' },
      sender: { userId: 'sc-alice' },
    });
    expect(texts.find((m) => m.id === sent[2])).toMatchObject({ senderDisplayName: 'Alice A.' });
    expect(JSON.stringify(seen)).not.toContain(await (await stack.services()).identity.serviceAcsUserId());

    // Carol is refused everything.
    expect((await carol.request('GET', threadPath(thread.id))).status).toBe(404);
    expect((await carol.request('GET', threadPath(thread.id, '/messages'))).status).toBe(404);
    expect((await carol.request('POST', threadPath(thread.id, '/messages'), { content: 'let me in' })).status).toBe(
      404,
    );

    // Alice edits and deletes her messages; bob cannot edit hers.
    const edited = await alice.request<Message>('PATCH', threadPath(thread.id, `/messages/${sent[0]}`), {
      content: 'hi bob!',
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ content: { message: 'hi bob!' }, editedOn: expect.any(String) });
    const bobEdit = await bob.request<{ error: { code: string } }>(
      'PATCH',
      threadPath(thread.id, `/messages/${sent[0]}`),
      { content: 'hacked' },
    );
    expect(bobEdit.status).toBe(403);
    expect(bobEdit.body.error.code).toBe('NotMessageSender');
    expect((await alice.request('DELETE', threadPath(thread.id, `/messages/${sent[2]}`))).status).toBe(204);
    const deleted = await bob.request<Message>('GET', threadPath(thread.id, `/messages/${sent[2]}`));
    expect(deleted.body.deletedOn).toEqual(expect.any(String));

    // Bob leaves and can no longer read.
    expect((await bob.request('DELETE', threadPath(thread.id, '/participants/sc-bob'))).status).toBe(204);
    expect((await bob.request('GET', threadPath(thread.id, '/messages'))).status).toBe(404);
    expect((await bob.request<Page<{ id: string }>>('GET', '/threads')).body.items.map((t) => t.id)).not.toContain(
      thread.id,
    );

    // Alice deletes the thread: gone from both lists.
    expect((await alice.request('DELETE', threadPath(thread.id))).status).toBe(204);
    for (const user of [alice, bob]) {
      expect((await user.request<Page<{ id: string }>>('GET', '/threads')).body.items.map((t) => t.id)).not.toContain(
        thread.id,
      );
      expect((await user.request('GET', threadPath(thread.id))).status).toBe(404);
    }
  });
});
