import { type ApiUser, signIn, threadPath } from '../../helpers/api';
import { addBlocklistTerms } from '../../helpers/content-safety';
import { type LiveTab, openLiveTab } from '../../helpers/live';
import { startTestStack, type TestStack } from '../../helpers/stack';
import { eventually } from '../../helpers/wait';

interface ErrorBody {
  error: { code: string };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Content Safety down: MODERATION_WHEN_UNAVAILABLE', () => {
  describe('accept (the default): the message is sent, checked when Content Safety answers again', () => {
    let stack: TestStack;
    let alice: ApiUser;
    let bob: ApiUser;
    let bobTab: LiveTab;

    beforeAll(async () => {
      stack = await startTestStack({}, { contentSafety: true, chatEvents: true });
      alice = await signIn(stack, 'down-alice');
      bob = await signIn(stack, 'down-bob');
      await addBlocklistTerms(stack.contentSafety!, 'chat-blocklist', ['grapefruit']);
      bobTab = await openLiveTab(stack, bob);
    });
    afterAll(async () => {
      bobTab?.connection.stop();
      await stack?.close();
      await sleep(1_100);
    });

    it('sends with moderation "pending", queues the check, and the timer deletes a flagged message later', async () => {
      const created = await alice.request<{ thread: { id: string } }>('POST', '/threads', {
        topic: 'Outage',
        participants: [{ userId: bob.userId }],
      });
      const threadId = created.body.thread.id;
      stack.contentSafety!.control.startOutage();
      const bad = await bob.request<{ id: string; moderation?: string }>('POST', threadPath(threadId, '/messages'), {
        content: 'grapefruit while nobody looks',
      });
      expect([bad.status, bad.body.moderation]).toEqual([201, 'pending']);
      const fine = await bob.request<{ id: string; moderation?: string }>('POST', threadPath(threadId, '/messages'), {
        content: 'an orange while nobody looks',
      });
      expect(fine.body.moderation).toBe('pending');
      // Topics have no later check: refused while Content Safety is down.
      const topic = await alice.request<ErrorBody>('PATCH', threadPath(threadId), { topic: 'Renamed' });
      expect([topic.status, topic.body.error.code, topic.headers.get('retry-after')]).toEqual([
        503,
        'ServiceUnavailable',
        '1',
      ]);
      await stack.emulator!.control.flushEvents();
      const message = (id: string) =>
        stack.emulator!.control.getThread(threadId)?.messages.find((candidate) => candidate.id === id);
      expect(message(bad.body.id)?.deletedOn).toBeUndefined();

      stack.contentSafety!.control.endOutage();
      await sleep(1_100); // the queued checks are due after Content Safety's Retry-After (1 s)
      await stack.runTimer('recheckModeration');
      const deletedOn = await eventually(
        () => message(bad.body.id)?.deletedOn,
        (value) => value !== undefined,
      );
      expect(deletedOn).toBeDefined();
      expect(message(fine.body.id)?.deletedOn).toBeUndefined();
      await bobTab.next('messageRejected', (update) => update.messageId === bad.body.id);
    });
  });

  describe('refuse: 503 with Retry-After, nothing reaches ACS', () => {
    let stack: TestStack;
    let alice: ApiUser;

    beforeAll(async () => {
      stack = await startTestStack({ MODERATION_WHEN_UNAVAILABLE: 'refuse' }, { contentSafety: true });
      alice = await signIn(stack, 'refuse-alice');
    });
    afterAll(() => stack?.close());

    it('refuses sends while Content Safety is down and sends again once it is back', async () => {
      const created = await alice.request<{ thread: { id: string } }>('POST', '/threads', { topic: 'Refused' });
      const threadId = created.body.thread.id;
      stack.contentSafety!.control.startOutage({ forMs: 3_000 });
      const refused = await alice.request<ErrorBody>('POST', threadPath(threadId, '/messages'), { content: 'hi' });
      expect([refused.status, refused.body.error.code]).toEqual([503, 'ServiceUnavailable']);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const texts = (): unknown[] =>
        (stack.emulator!.control.getThread(threadId)?.messages ?? []).filter((message) => message.type === 'text');
      expect(texts()).toEqual([]);
      stack.contentSafety!.control.endOutage();
      expect((await alice.request('POST', threadPath(threadId, '/messages'), { content: 'hi' })).status).toBe(201);
      expect(texts()).toHaveLength(1);
    });
  });
});
