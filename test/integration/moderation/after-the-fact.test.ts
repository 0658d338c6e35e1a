import { ChatClient, type ChatThreadClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';

import { type ApiUser, signIn, threadPath } from '../../helpers/api';
import { addBlocklistTerms, analyzeCalls } from '../../helpers/content-safety';
import { type LiveTab, openLiveTab } from '../../helpers/live';
import { startTestStack, type TestStack } from '../../helpers/stack';
import { eventually } from '../../helpers/wait';

interface AuditItem {
  action: string;
  actor: string;
  subject?: string;
  reason?: string;
  details?: Record<string, string>;
}

describe('after the fact: messages that reach ACS without our check are checked once from their events', () => {
  let stack: TestStack;
  let admin: ApiUser;
  let alice: ApiUser;
  let bob: ApiUser;
  let bobTab: LiveTab;
  let aliceTab: LiveTab;

  beforeAll(async () => {
    stack = await startTestStack({}, { contentSafety: true, chatEvents: true });
    admin = await signIn(stack, 'af-admin', { roles: ['Chat.Admin'] });
    alice = await signIn(stack, 'af-alice');
    bob = await signIn(stack, 'af-bob');
    await addBlocklistTerms(stack.contentSafety!, 'chat-blocklist', ['grapefruit']);
    [bobTab, aliceTab] = await Promise.all([openLiveTab(stack, bob), openLiveTab(stack, alice)]);
  });
  afterAll(async () => {
    bobTab?.connection.stop();
    aliceTab?.connection.stop();
    await stack?.close();
    // WebPubSubClient's sequence-ack loop (reliable protocol) ends only after its current 1 s sleep, stop() or not.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  });

  async function threadWithBob(topic: string): Promise<{ threadId: string; direct: ChatThreadClient }> {
    const created = await alice.request<{ thread: { id: string } }>('POST', '/threads', {
      topic,
      participants: [{ userId: bob.userId }],
    });
    const threadId = created.body.thread.id;
    const issued = await bob.request<{ token: string; endpoint: string }>('POST', '/token');
    const direct = new ChatClient(issued.body.endpoint, new AzureCommunicationTokenCredential(issued.body.token), {
      tlsOptions: { ca: stack.emulator!.caCertPem },
    }).getChatThreadClient(threadId);
    return { threadId, direct };
  }

  const acsMessage = (threadId: string, messageId: string): Record<string, unknown> | undefined =>
    stack.emulator!.control.getThread(threadId)?.messages.find((message) => message.id === messageId);

  const audit = async (): Promise<AuditItem[]> =>
    (await admin.request<{ items: AuditItem[] }>('GET', '/moderation/audit?maxPageSize=100')).body.items;

  it('deletes a blocklisted message sent straight to ACS, tells the sender, audits it, and keeps a fine one', async () => {
    const { threadId, direct } = await threadWithBob('Direct');
    const before = analyzeCalls(stack.contentSafety!);
    const bad = await direct.sendMessage({ content: 'fresh grapefruit for everyone' });
    const fine = await direct.sendMessage({ content: 'fresh oranges for everyone' });

    const told = await bobTab.next('messageRejected', (update) => update.messageId === bad.id);
    expect(told).toMatchObject({ threadId, categories: ['Blocklist'] });
    expect(JSON.stringify(told)).not.toContain('grapefruit');
    expect(acsMessage(threadId, bad.id)?.deletedOn).toBeDefined();
    await aliceTab.next('messageDeleted', (update) => update.message.id === bad.id);

    await stack.emulator!.control.flushEvents();
    expect(acsMessage(threadId, fine.id)?.deletedOn).toBeUndefined();
    expect(analyzeCalls(stack.contentSafety!) - before).toBe(2);
    expect(aliceTab.of('messageRejected')).toEqual([]);
    expect(await audit()).toContainEqual(
      expect.objectContaining({
        action: 'messageDeleted',
        actor: 'system',
        subject: 'af-bob',
        reason: 'Blocklist',
        details: expect.objectContaining({ threadId, messageId: bad.id }),
      }),
    );
  });

  it('does not check again what passed the API check, but does check a direct edit of it', async () => {
    const { threadId, direct } = await threadWithBob('Sealed');
    const before = analyzeCalls(stack.contentSafety!);
    const sent = await bob.request<{ id: string }>('POST', threadPath(threadId, '/messages'), { content: 'hello' });
    await stack.emulator!.control.flushEvents();
    expect(analyzeCalls(stack.contentSafety!) - before).toBe(1);

    // A sealed message copied with its mark into a direct edit does not carry the mark over: the content differs.
    await direct.updateMessage(sent.body.id, { content: 'hello grapefruit' });
    await bobTab.next('messageRejected', (update) => update.messageId === sent.body.id);
    expect(acsMessage(threadId, sent.body.id)?.deletedOn).toBeDefined();
    expect(analyzeCalls(stack.contentSafety!) - before).toBe(2);
  });

  it('checks each message version once under duplicated and reordered delivery', async () => {
    const { threadId, direct } = await threadWithBob('Redelivered');
    stack.emulator!.control.setEventDelivery({ duplicatePercent: 100, reorder: true, reorderWindowMs: 200 });
    try {
      const auditBefore = (await audit()).filter((entry) => entry.action === 'messageDeleted').length;
      const analysesBefore = stack.contentSafety!.control.recentAnalyses().length;
      const keep = await direct.sendMessage({ content: 'kept as it is' });
      const bad = await direct.sendMessage({ content: 'grapefruit at once' });
      const turned = await direct.sendMessage({ content: 'fine at first' });
      await direct.updateMessage(turned.id, { content: 'turned grapefruit later' });
      await stack.emulator!.control.flushEvents();
      await eventually(
        () => [bad.id, turned.id].every((id) => acsMessage(threadId, id)?.deletedOn !== undefined),
        (done) => done,
      );
      await stack.emulator!.control.flushEvents();

      expect(stack.emulator!.control.eventDeliveryStats().duplicated).toBeGreaterThan(0);
      expect(acsMessage(threadId, keep.id)?.deletedOn).toBeUndefined();
      const texts = stack
        .contentSafety!.control.recentAnalyses()
        .slice(analysesBefore)
        .map((analysis) => analysis.text);
      expect(new Set(texts).size).toBe(texts.length);
      expect(texts).toEqual(expect.arrayContaining(['kept as it is', 'grapefruit at once', 'turned grapefruit later']));
      const deletions = (await audit()).filter((entry) => entry.action === 'messageDeleted');
      expect(deletions.length - auditBefore).toBe(2);
      const rejections = bobTab.of('messageRejected').filter((update) => update.threadId === threadId);
      expect(rejections.map((update) => update.messageId).sort()).toEqual([bad.id, turned.id].sort());
    } finally {
      stack.emulator!.control.setEventDelivery({ duplicatePercent: 0, reorder: false });
    }
  });
});
