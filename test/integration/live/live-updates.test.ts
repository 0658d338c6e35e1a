import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';

import { type ApiUser, signIn, threadPath } from '../../helpers/api';
import { call } from '../../helpers/http';
import { type LiveTab, openLiveTab } from '../../helpers/live';
import { startTestStack, type TestStack } from '../../helpers/stack';
import { eventually } from '../../helpers/wait';

/**
 * Live updates end to end: ACS (the emulator) publishes chat events, Event Grid (the emulator) delivers them to
 * `chatEvents`, which pushes through Web PubSub (the emulator) to clients connected with the typed client over the
 * official @azure/web-pubsub-client, with URLs from POST /api/realtime/negotiate.
 */
describe('live updates', () => {
  let stack: TestStack;
  let alice: ApiUser;
  let bob: ApiUser;
  let carol: ApiUser;
  const tabs: LiveTab[] = [];

  beforeAll(async () => {
    stack = await startTestStack({}, { chatEvents: true });
    [alice, bob, carol] = await Promise.all([
      signIn(stack, 'alice', { name: 'Alice' }),
      signIn(stack, 'bob', { name: 'Bob' }),
      signIn(stack, 'carol', { name: 'Carol' }),
    ]);
  });
  afterEach(() => {
    for (const tab of tabs.splice(0)) tab.connection.stop();
  });
  afterAll(async () => {
    await stack.close();
    // WebPubSubClient's sequence-ack loop (reliable protocol) ends only after its current 1 s sleep, stop() or not.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  });

  const open = async (user: ApiUser): Promise<LiveTab> => {
    const tab = await openLiveTab(stack, user);
    tabs.push(tab);
    return tab;
  };
  const flush = async () =>
    expect(await stack.emulator!.control.flushEvents()).toMatchObject({ settled: true, deadLettered: 0 });
  async function createThread(owner: ApiUser, topic: string, others: ApiUser[]): Promise<string> {
    const participants = others.map((user) => ({ userId: user.userId }));
    const res = await owner.request<{ thread: { id: string } }>('POST', '/threads', { topic, participants });
    expect(res.status).toBe(201);
    return res.body.thread.id;
  }
  async function send(user: ApiUser, threadId: string, content: string): Promise<string> {
    const res = await user.request<{ id: string }>('POST', threadPath(threadId, '/messages'), { content });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  it('negotiates a receive-only URL for the caller, valid for at most an hour', async () => {
    const anonymous = await call(`${stack.apiBaseUrl}/realtime/negotiate`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    const res = await alice.request<{ url: string; expiresOn: string }>('POST', '/realtime/negotiate');
    expect(res.status).toBe(200);
    const url = new URL(res.body.url);
    expect(url.protocol).toBe('ws:');
    expect(url.pathname).toBe('/client/hubs/chat');
    const minutesLeft = (Date.parse(res.body.expiresOn) - Date.now()) / 60_000;
    expect(minutesLeft).toBeGreaterThan(59);
    expect(minutesLeft).toBeLessThanOrEqual(60);
    const claims = JSON.parse(
      Buffer.from(url.searchParams.get('access_token')!.split('.')[1]!, 'base64url').toString('utf8'),
    ) as Record<string, unknown>;
    expect(claims.sub).toBe('alice');
    expect(claims.role ?? []).toEqual([]);
    expect(claims['webpubsub.group'] ?? []).toEqual([]);
  });

  it('pushes messages, edits, deletes, typing and read receipts to every tab of every participant', async () => {
    const [aliceTab, bobTab, bobPhone, carolTab] = await Promise.all([open(alice), open(bob), open(bob), open(carol)]);
    const threadId = await createThread(alice, 'Live', [bob]);
    const created = await bobTab.next('threadCreated', (u) => u.threadId === threadId);
    await aliceTab.next('threadCreated', (u) => u.threadId === threadId);
    expect(created).toMatchObject({
      topic: 'Live',
      createdBy: { userId: 'alice' },
      inbox: { entry: { topic: 'Live' } },
    });

    const messageId = await send(alice, threadId, 'Hello Bob');
    for (const tab of [bobTab, bobPhone]) {
      const update = await tab.next('messageCreated', (u) => u.message.id === messageId);
      expect(update.message).toMatchObject({
        content: { message: 'Hello Bob' },
        type: 'text',
        sender: { userId: 'alice' },
        senderDisplayName: 'Alice',
      });
      expect(update.inbox).toMatchObject({ threadId, entry: { unreadCount: 1, lastMessage: { id: messageId } } });
    }
    // The sender's own tabs hear of it too (from the thread-level event), without an unread count.
    expect((await aliceTab.next('messageCreated', (u) => u.message.id === messageId)).inbox?.entry?.unreadCount).toBe(
      0,
    );

    expect(
      (await alice.request('PATCH', threadPath(threadId, `/messages/${messageId}`), { content: 'Hello, Bob' })).status,
    ).toBe(200);
    const edited = await bobTab.next('messageEdited', (u) => u.message.id === messageId);
    expect(edited.message.content?.message).toBe('Hello, Bob');
    expect(BigInt(edited.message.version)).toBeGreaterThan(BigInt(Date.parse(created.createdOn)));

    expect((await alice.request('POST', threadPath(threadId, '/typing'))).status).toBe(204);
    expect(await bobTab.next('typing')).toMatchObject({
      threadId,
      from: { userId: 'alice' },
      senderDisplayName: 'Alice',
    });

    expect((await bob.request('POST', threadPath(threadId, '/read-receipts'), { messageId })).status).toBe(204);
    expect(await aliceTab.next('readReceipt')).toMatchObject({ threadId, messageId, from: { userId: 'bob' } });
    const read = await bobPhone.next('inboxChanged');
    expect(read.inbox.entry?.unreadCount).toBe(0);
    expect(read.inbox.revision).toBeGreaterThan(edited.inbox?.revision ?? 0);

    expect((await alice.request('DELETE', threadPath(threadId, `/messages/${messageId}`))).status).toBe(204);
    const deleted = await bobTab.next('messageDeleted', (u) => u.message.id === messageId);
    expect(deleted.message.deletedOn).toBeDefined();
    expect(deleted.message.content).toBeUndefined();

    await flush();
    // Carol is in no thread here: nothing reached her; typing never echoes to the typist.
    expect(carolTab.updates).toEqual([]);
    expect(aliceTab.of('typing')).toEqual([]);
    expect(bobTab.of('readReceipt')).toEqual([]);
  });

  it('tells a removed participant, then nothing more from that thread', async () => {
    const threadId = await createThread(alice, 'Team', [bob, carol]);
    const [bobTab, carolTab] = await Promise.all([open(bob), open(carol)]);
    await send(alice, threadId, 'before');
    await carolTab.next('messageCreated', (u) => u.message.content?.message === 'before');
    expect((await alice.request('DELETE', threadPath(threadId, '/participants/carol'))).status).toBe(204);
    // The owner's removal is made as the backend's own identity, which is never named.
    expect(await carolTab.next('participantRemoved')).toMatchObject({
      participant: { userId: 'carol' },
      inbox: { threadId },
    });
    expect((await carolTab.next('participantRemoved')).inbox?.entry).toBeUndefined();
    const count = carolTab.updates.length;
    await send(alice, threadId, 'after');
    expect((await alice.request('POST', threadPath(threadId, '/typing'))).status).toBe(204);
    expect((await alice.request('PATCH', threadPath(threadId), { topic: 'Team 2' })).status).toBe(200);
    await bobTab.next('threadUpdated', (u) => u.topic === 'Team 2');
    await bobTab.next('messageCreated', (u) => u.message.content?.message === 'after');
    await flush();
    expect(carolTab.updates.slice(count)).toEqual([]);
  });

  it('delivers messages sent straight to ACS with an issued token', async () => {
    const threadId = await createThread(alice, 'Direct', [bob]);
    const aliceTab = await open(alice);
    const issued = await bob.request<{ token: string; endpoint: string }>('POST', '/token');
    const direct = new ChatClient(issued.body.endpoint, new AzureCommunicationTokenCredential(issued.body.token), {
      tlsOptions: { ca: stack.emulator!.caCertPem },
    }).getChatThreadClient(threadId);
    const { id } = await direct.sendMessage({ content: 'straight to ACS' }, { senderDisplayName: 'Bob' });
    const update = await aliceTab.next('messageCreated', (u) => u.message.id === id);
    expect(update.message).toMatchObject({ content: { message: 'straight to ACS' }, sender: { userId: 'bob' } });
  });

  it('keeps chat and inboxes working while Web PubSub is down, and health says live updates are out', async () => {
    const threadId = await createThread(alice, 'Outage', [bob]);
    await flush();
    const wps = stack.webPubSub!;
    await wps.close();
    try {
      const messageId = await send(alice, threadId, 'nobody is listening');
      expect((await bob.request('POST', threadPath(threadId, '/typing'))).status).toBe(204);
      await flush();
      const inbox = await bob.request<{
        items: Array<{ threadId: string; unreadCount: number; lastMessage?: { id: string } }>;
      }>('GET', '/inbox');
      expect(inbox.body.items.find((entry) => entry.threadId === threadId)).toMatchObject({
        unreadCount: 1,
        lastMessage: { id: messageId },
      });
      const health = await eventually(
        () => call<{ status: string; checks: Record<string, string> }>(`${stack.apiBaseUrl}/health`),
        (res) => res.body.status !== 'ok',
      );
      expect(health.status).toBe(200);
      expect(health.body).toEqual({
        status: 'limited',
        checks: { storage: 'ok', acs: 'ok', webPubSub: 'unavailable', attachments: 'ok' },
      });
      expect(stack.logs.some((log) => log.args[0] === 'live update not delivered')).toBe(true);
    } finally {
      // Later tests in this file do not use Web PubSub again.
    }
  });
});
