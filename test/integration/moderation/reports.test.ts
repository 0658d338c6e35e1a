import { type ApiUser, signIn, threadPath } from '../../helpers/api';
import { startTestStack, type TestStack } from '../../helpers/stack';

interface Report {
  id: string;
  reporter: string;
  reason: string;
  status: string;
  message: { content?: string; senderUserId?: string };
}

describe('reports: participants report messages, admins see them with a snapshot that outlives the message', () => {
  let stack: TestStack;
  let admin: ApiUser;
  let alice: ApiUser;
  let bob: ApiUser;
  let carol: ApiUser;

  beforeAll(async () => {
    stack = await startTestStack();
    admin = await signIn(stack, 'rep-admin', { roles: ['Chat.Admin'] });
    alice = await signIn(stack, 'rep-alice');
    bob = await signIn(stack, 'rep-bob');
    carol = await signIn(stack, 'rep-carol');
  });
  afterAll(() => stack?.close());

  it('files one report per reporter and message, keeps the evidence after a deletion, and hides it from non-admins', async () => {
    const created = await alice.request<{ thread: { id: string } }>('POST', '/threads', {
      topic: 'Reported',
      participants: [{ userId: bob.userId }],
    });
    const threadId = created.body.thread.id;
    const sent = await alice.request<{ id: string }>('POST', threadPath(threadId, '/messages'), {
      content: 'buy cheap stuff at example.com',
    });
    const reportPath = threadPath(threadId, `/messages/${sent.body.id}/reports`);

    const first = await bob.request<Report>('POST', reportPath, { reason: 'spam', note: 'again' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      reporter: 'rep-bob',
      reason: 'spam',
      status: 'open',
      message: { content: 'buy cheap stuff at example.com', senderUserId: 'rep-alice' },
    });
    const repeat = await bob.request<Report>('POST', reportPath, { reason: 'harassment' });
    expect(repeat.status).toBe(200);
    expect(repeat.body.id).toBe(first.body.id);

    expect((await carol.request('POST', reportPath, { reason: 'spam' })).status).toBe(404);
    expect((await bob.request('POST', reportPath, { reason: 'bad reason' })).status).toBe(400);
    expect((await bob.request('GET', '/moderation/reports')).status).toBe(403);

    expect((await alice.request('DELETE', threadPath(threadId, `/messages/${sent.body.id}`))).status).toBe(204);
    const open = await admin.request<{ items: Report[] }>('GET', '/moderation/reports?status=open');
    expect(open.status).toBe(200);
    const listed = open.body.items.find((report) => report.id === first.body.id);
    expect(listed?.message.content).toBe('buy cheap stuff at example.com');
    expect(open.body.items.filter((report) => report.id === first.body.id)).toHaveLength(1);

    const audit = await admin.request<{ items: Array<{ action: string; actor: string; subject?: string }> }>(
      'GET',
      '/moderation/audit',
    );
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({ action: 'reportFiled', actor: 'rep-bob', subject: 'rep-alice' }),
    );
  });
});
