import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';

import { type ApiUser, signIn, threadPath } from '../../helpers/api';
import { call } from '../../helpers/http';
import { openLiveTab } from '../../helpers/live';
import { startTestStack, type TestStack } from '../../helpers/stack';
import { eventually } from '../../helpers/wait';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('bans (admin): a banned user is refused everywhere, and their ACS tokens stop working at once', () => {
  let stack: TestStack;
  let admin: ApiUser;
  let alice: ApiUser;
  let bob: ApiUser;

  beforeAll(async () => {
    stack = await startTestStack();
    admin = await signIn(stack, 'mod-admin', { roles: ['Chat.Admin'] });
    alice = await signIn(stack, 'mod-alice');
    bob = await signIn(stack, 'mod-bob');
  });
  afterAll(async () => {
    await stack?.close();
    // WebPubSubClient's sequence-ack loop (reliable protocol) ends only after its current 1 s sleep, stop() or not.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  });

  it('lets only admins ban, unban, list bans and read the audit trail', async () => {
    const refusals = await Promise.all([
      bob.request<ErrorBody>('PUT', '/moderation/bans/mod-alice', { reason: 'spam' }),
      bob.request<ErrorBody>('DELETE', '/moderation/bans/mod-alice'),
      bob.request<ErrorBody>('GET', '/moderation/bans'),
      bob.request<ErrorBody>('GET', '/moderation/audit'),
    ]);
    for (const refusal of refusals) {
      expect(refusal.status).toBe(403);
      expect(refusal.body.error.code).toBe('AdminRoleRequired');
    }
    expect((await admin.request('GET', '/moderation/bans')).status).toBe(200);
  });

  it('refuses a banned user on every route and at ACS, records it, and lifting it restores access', async () => {
    const created = await alice.request<{ thread: { id: string } }>('POST', '/threads', {
      topic: 'Before the ban',
      participants: [{ userId: bob.userId }],
    });
    const threadId = created.body.thread.id;
    const issued = await alice.request<{ token: string; endpoint: string }>('POST', '/token');
    const direct = new ChatClient(issued.body.endpoint, new AzureCommunicationTokenCredential(issued.body.token), {
      tlsOptions: { ca: stack.emulator!.caCertPem },
      retryOptions: { maxRetries: 0 },
    }).getChatThreadClient(threadId);
    await direct.sendMessage({ content: 'straight to ACS, before' });

    const banned = await admin.request<{ userId: string; reason: string; bannedBy: string }>(
      'PUT',
      '/moderation/bans/mod-alice',
      { reason: 'spam links' },
    );
    expect(banned.status).toBe(200);
    expect(banned.body).toMatchObject({ userId: 'mod-alice', reason: 'spam links', bannedBy: 'mod-admin' });

    for (const [method, path] of [
      ['GET', '/threads'],
      ['POST', '/token'],
      ['GET', '/inbox'],
      ['GET', threadPath(threadId, '/messages')],
      ['POST', '/realtime/negotiate'],
    ] as const) {
      const res = await alice.request<ErrorBody>(method, path);
      expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 403, 'UserBanned']);
    }
    // Their direct ACS access ended with the ban: the token issued before it is refused by ACS.
    await expect(direct.sendMessage({ content: 'straight to ACS, after' })).rejects.toMatchObject({ statusCode: 401 });
    // Others are not affected.
    expect((await bob.request('GET', threadPath(threadId, '/messages'))).status).toBe(200);

    const bans = await admin.request<{ items: Array<{ userId: string }> }>('GET', '/moderation/bans');
    expect(bans.body.items.map((ban) => ban.userId)).toContain('mod-alice');

    expect((await admin.request('DELETE', '/moderation/bans/mod-alice')).status).toBe(204);
    expect((await admin.request('DELETE', '/moderation/bans/mod-alice')).status).toBe(404);
    expect((await alice.request('GET', '/threads')).status).toBe(200);
    expect((await alice.request('POST', '/token')).status).toBe(200);

    const audit = await admin.request<{
      items: Array<{ action: string; actor: string; subject?: string; reason?: string }>;
    }>('GET', '/moderation/audit');
    expect(audit.body.items.slice(0, 2)).toEqual([
      expect.objectContaining({ action: 'unban', actor: 'mod-admin', subject: 'mod-alice' }),
      expect.objectContaining({ action: 'ban', actor: 'mod-admin', subject: 'mod-alice', reason: 'spam links' }),
    ]);
  });

  it("closes the banned user's live connections, and a new one is refused", async () => {
    const tab = await openLiveTab(stack, bob, { autoReconnect: false });
    try {
      const connected = (): number =>
        stack.webPubSub!.control.listConnections().filter((connection) => connection.userId === 'mod-bob').length;
      expect(connected()).toBe(1);
      expect((await admin.request('PUT', '/moderation/bans/mod-bob', { reason: 'abuse' })).status).toBe(200);
      expect(await eventually(connected, (count) => count === 0)).toBe(0);
      const negotiate = await bob.request<ErrorBody>('POST', '/realtime/negotiate');
      expect([negotiate.status, negotiate.body.error.code]).toEqual([403, 'UserBanned']);
    } finally {
      tab.connection.stop();
      await admin.request('DELETE', '/moderation/bans/mod-bob');
    }
  });

  it('ends a ban with an end time by itself', async () => {
    const until = new Date(Date.now() + 1500).toISOString();
    expect((await admin.request('PUT', '/moderation/bans/mod-bob', { reason: 'cool off', until })).status).toBe(200);
    expect((await bob.request<ErrorBody>('GET', '/threads')).body.error.code).toBe('UserBanned');
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await bob.request('GET', '/threads')).status).toBe(200);
  });

  it("does not rest on an instance's ban snapshot: another instance issues no token and makes no ACS call as them", async () => {
    const other = await startTestStack(
      { TABLE_NAME_PREFIX: stack.config.tables.tableNamePrefix },
      { emulator: stack.emulator!, attachments: false },
    );
    try {
      const carolToken = await other.token('mod-carol');
      const asCarol = (method: string, path: string, json?: unknown) =>
        call<ErrorBody>(`${other.apiBaseUrl}${path}`, { method, token: carolToken, ...(json ? { json } : {}) });
      const created = await asCarol('POST', '/threads', { topic: 'Second instance' });
      expect([created.status, created.body]).toEqual([201, expect.anything()]);
      const threadId = (created.body as unknown as { thread: { id: string } }).thread.id;
      // The other instance now holds a ban snapshot without carol's ban, and an acting token for her identity.
      expect((await asCarol('POST', threadPath(threadId, '/messages'), { content: 'before' })).status).toBe(201);

      expect((await admin.request('PUT', '/moderation/bans/mod-carol', { reason: 'spam' })).status).toBe(200);
      const token = await asCarol('POST', '/token');
      expect([token.status, token.body.error.code]).toEqual([403, 'UserBanned']);
      const send = await asCarol('POST', threadPath(threadId, '/messages'), { content: 'after' });
      expect([send.status, send.body.error.code]).toEqual([403, 'UserBanned']);
      const texts = (stack.emulator!.control.getThread(threadId)?.messages ?? [])
        .filter((message) => message.type === 'text')
        .map((message) => (message.content as { message: string }).message);
      expect(texts).toEqual(['before']);
    } finally {
      await admin.request('DELETE', '/moderation/bans/mod-carol');
      await other.close();
    }
  });
});
