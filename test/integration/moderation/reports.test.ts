import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';

import { type ApiUser, signIn, threadPath } from '../../helpers/api';
import { startTestStack, type TestStack } from '../../helpers/stack';

interface Report {
  id: string;
  reporter: string;
  reason: string;
  status: string;
  message: { content?: string; senderUserId?: string };
  resolution?: { action: string; by: string; messageDeleted?: boolean; note?: string };
}

interface ErrorBody {
  error: { code: string };
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

  /** alice's thread with bob and carol; bob sends `content`, carol reports it. */
  async function reported(content: string): Promise<{ threadId: string; messageId: string; report: Report }> {
    const created = await alice.request<{ thread: { id: string } }>('POST', '/threads', {
      topic: 'To resolve',
      participants: [{ userId: bob.userId }, { userId: carol.userId }],
    });
    const threadId = created.body.thread.id;
    const sent = await bob.request<{ id: string }>('POST', threadPath(threadId, '/messages'), { content });
    const report = await carol.request<Report>('POST', threadPath(threadId, `/messages/${sent.body.id}/reports`), {
      reason: 'harassment',
    });
    expect(report.status).toBe(201);
    return { threadId, messageId: sent.body.id, report: report.body };
  }

  const resolvePath = (reportId: string): string => `/moderation/reports/${reportId}/resolve`;

  it('resolves reports: dismiss keeps the message, deleteMessage deletes it in ACS, and a report resolves once', async () => {
    const kept = await reported('rude but allowed');
    expect((await carol.request<ErrorBody>('POST', resolvePath(kept.report.id), { action: 'dismiss' })).status).toBe(
      403,
    );
    const dismissed = await admin.request<Report>('POST', resolvePath(kept.report.id), {
      action: 'dismiss',
      note: 'within the rules',
    });
    expect(dismissed.status).toBe(200);
    expect(dismissed.body).toMatchObject({
      status: 'resolved',
      resolution: { action: 'dismiss', by: 'rep-admin', note: 'within the rules' },
    });
    expect((await alice.request('GET', threadPath(kept.threadId, `/messages/${kept.messageId}`))).status).toBe(200);
    const again = await admin.request<ErrorBody>('POST', resolvePath(kept.report.id), { action: 'deleteMessage' });
    expect([again.status, again.body.error.code]).toEqual([409, 'Conflict']);
    expect(
      (await admin.request('POST', resolvePath('r000000000-0000000000000000'), { action: 'dismiss' })).status,
    ).toBe(404);
    expect((await admin.request('POST', resolvePath('not-a-report'), { action: 'dismiss' })).status).toBe(400);
    expect((await admin.request('POST', resolvePath(kept.report.id), { action: 'explode' })).status).toBe(400);

    const removed = await reported('go away, carol');
    const deleted = await admin.request<Report>('POST', resolvePath(removed.report.id), { action: 'deleteMessage' });
    expect(deleted.body.resolution).toMatchObject({ action: 'deleteMessage', messageDeleted: true });
    const message = await alice.request<{ deletedOn?: string }>(
      'GET',
      threadPath(removed.threadId, `/messages/${removed.messageId}`),
    );
    expect(message.status === 404 || message.body.deletedOn !== undefined).toBe(true);
    const open = await admin.request<{ items: Report[] }>('GET', '/moderation/reports');
    expect(open.body.items.map((report) => report.id)).not.toContain(removed.report.id);
    expect(open.body.items.map((report) => report.id)).not.toContain(kept.report.id);

    const audit = await admin.request<{ items: Array<{ action: string; details?: Record<string, string> }> }>(
      'GET',
      '/moderation/audit',
    );
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({
        action: 'reportResolved',
        details: expect.objectContaining({ reportId: removed.report.id, resolution: 'deleteMessage' }),
      }),
    );
  });

  it('removeSender takes the sender out of the thread; banSender refuses them everywhere and at ACS until unbanned', async () => {
    const first = await reported('first offence');
    await admin.request<Report>('POST', resolvePath(first.report.id), { action: 'removeSender' });
    const participants = await alice.request<{ items: Array<{ userId: string }> }>(
      'GET',
      threadPath(first.threadId, '/participants'),
    );
    expect(participants.body.items.map((p) => p.userId).sort()).toEqual(['rep-alice', 'rep-carol']);

    const second = await reported('second offence');
    const issued = await bob.request<{ token: string; endpoint: string }>('POST', '/token');
    const direct = new ChatClient(issued.body.endpoint, new AzureCommunicationTokenCredential(issued.body.token), {
      tlsOptions: { ca: stack.emulator!.caCertPem },
      retryOptions: { maxRetries: 0 },
    }).getChatThreadClient(second.threadId);
    const banned = await admin.request<Report>('POST', resolvePath(second.report.id), {
      action: 'banSender',
      note: 'repeat offender',
    });
    expect(banned.body.resolution).toMatchObject({ action: 'banSender', messageDeleted: true });
    for (const [method, path] of [
      ['GET', '/threads'],
      ['POST', '/token'],
      ['GET', '/inbox'],
      ['POST', threadPath(second.threadId, '/messages')],
    ] as const) {
      const res = await bob.request<ErrorBody>(method, path, method === 'POST' ? { content: 'x' } : undefined);
      expect([method, path, res.status, res.body.error?.code]).toEqual([method, path, 403, 'UserBanned']);
    }
    await expect(direct.sendMessage({ content: 'straight to ACS after the ban' })).rejects.toMatchObject({
      statusCode: 401,
    });
    const bans = await admin.request<{ items: Array<{ userId: string; reason: string }> }>('GET', '/moderation/bans');
    expect(bans.body.items).toContainEqual(expect.objectContaining({ userId: 'rep-bob', reason: 'repeat offender' }));

    expect((await admin.request('DELETE', '/moderation/bans/rep-bob')).status).toBe(204);
    expect((await bob.request('GET', '/threads')).status).toBe(200);
    expect((await bob.request('POST', threadPath(second.threadId, '/messages'), { content: 'sorry' })).status).toBe(
      201,
    );
  });
});
