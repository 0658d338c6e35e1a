import { type ApiUser, signIn, threadPath } from '../../helpers/api';
import { addBlocklistTerms, analyzeCalls } from '../../helpers/content-safety';
import { startTestStack, type TestStack } from '../../helpers/stack';

interface ErrorBody {
  error: { code: string; message: string; details?: Array<{ code: string; message: string; target?: string }> };
}

describe('content checks on the way in: one Content Safety call, 422 ContentRejected, nothing reaches ACS', () => {
  let stack: TestStack;
  let admin: ApiUser;
  let alice: ApiUser;
  let bob: ApiUser;
  let threadId: string;

  beforeAll(async () => {
    stack = await startTestStack({}, { contentSafety: true });
    admin = await signIn(stack, 'cc-admin', { roles: ['Chat.Admin'] });
    alice = await signIn(stack, 'cc-alice');
    bob = await signIn(stack, 'cc-bob');
    await addBlocklistTerms(stack.contentSafety!, 'chat-blocklist', ['grapefruit']);
    stack.contentSafety!.control.setSeverityTerms([{ term: 'menace', category: 'Violence', severity: 5 }]);
    const created = await alice.request<{ thread: { id: string } }>('POST', '/threads', {
      topic: 'Checked',
      participants: [{ userId: bob.userId }],
    });
    threadId = created.body.thread.id;
  });
  afterAll(() => stack?.close());

  const messagesInAcs = (): string[] =>
    (stack.emulator!.control.getThread(threadId)?.messages ?? [])
      .filter((message) => message.type === 'text' || message.type === 'html')
      .map((message) => String((message.content as { message?: string } | undefined)?.message ?? ''));

  it('refuses a blocklisted word and a harmful message with 422 naming the categories, not the words', async () => {
    const before = analyzeCalls(stack.contentSafety!);
    const blocked = await alice.request<ErrorBody>('POST', threadPath(threadId, '/messages'), {
      content: 'I love GRAPEFRUIT juice',
    });
    expect(blocked.status).toBe(422);
    expect(blocked.body.error.code).toBe('ContentRejected');
    expect(blocked.body.error.details).toEqual([{ code: 'HarmCategory', message: 'Blocklist', target: 'content' }]);
    expect(JSON.stringify(blocked.body).toLowerCase()).not.toContain('grapefruit');
    expect(analyzeCalls(stack.contentSafety!) - before).toBe(1);

    const harmful = await alice.request<ErrorBody>('POST', threadPath(threadId, '/messages'), {
      content: '<p>you <b>men</b>ace</p>',
      type: 'html',
    });
    expect(harmful.status).toBe(422);
    expect(harmful.body.error.details?.map((detail) => detail.message)).toEqual(['Violence']);
    expect(JSON.stringify(harmful.body)).not.toContain('menace');
    expect(messagesInAcs()).toEqual([]);

    const fine = await alice.request<{ id: string; moderation?: string }>('POST', threadPath(threadId, '/messages'), {
      content: 'I love orange juice',
    });
    expect(fine.status).toBe(201);
    expect(fine.body.moderation).toBeUndefined();
    expect(messagesInAcs()).toEqual(['I love orange juice']);
    expect(analyzeCalls(stack.contentSafety!) - before).toBe(3);

    const audit = await admin.request<{ items: Array<{ action: string; subject?: string; reason?: string }> }>(
      'GET',
      '/moderation/audit',
    );
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({ action: 'contentRejected', subject: 'cc-alice', reason: 'Blocklist' }),
    );
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({ action: 'contentRejected', subject: 'cc-alice', reason: 'Violence' }),
    );
  });

  it('checks edits and topics the same way and leaves the message and thread as they were', async () => {
    const sent = await alice.request<{ id: string }>('POST', threadPath(threadId, '/messages'), { content: 'draft' });
    const edit = await alice.request<ErrorBody>('PATCH', threadPath(threadId, `/messages/${sent.body.id}`), {
      content: 'now with grapefruit',
    });
    expect([edit.status, edit.body.error.code]).toEqual([422, 'ContentRejected']);
    const message = await alice.request<{ content: { message: string } }>(
      'GET',
      threadPath(threadId, `/messages/${sent.body.id}`),
    );
    expect(message.body.content.message).toBe('draft');

    const topic = await alice.request<ErrorBody>('PATCH', threadPath(threadId), { topic: 'grapefruit club' });
    expect([topic.status, topic.body.error.details?.[0]?.target]).toEqual([422, 'topic']);
    const created = await alice.request<ErrorBody>('POST', '/threads', { topic: 'a menace of a thread' });
    expect([created.status, created.body.error.code]).toEqual([422, 'ContentRejected']);
    expect((await alice.request<{ topic: string }>('GET', threadPath(threadId))).body.topic).toBe('Checked');
  });
});
