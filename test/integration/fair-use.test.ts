import { type ApiUser, signIn, threadPath } from '../helpers/api';
import { startTestStack, type TestStack } from '../helpers/stack';

interface Created {
  thread: { id: string };
}
interface ErrorBody {
  error: { code: string };
}
interface Added {
  added: string[];
  failed: unknown[];
  alreadyParticipants: string[];
}
interface Participant {
  userId: string;
  shareHistoryTime: string;
}
interface Message {
  id: string;
  type: string;
  content?: { message?: string };
}

const people = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({ userId: `${prefix}-${i}` }));

describe('per-user fair use, checked before any ACS call, across instances', () => {
  let stack: TestStack;
  let second: TestStack;
  const env = { FAIR_USE_THREADS_PER_HOUR: '3', FAIR_USE_NEW_IDENTITIES_PER_HOUR: '5' };
  beforeAll(async () => {
    stack = await startTestStack(env);
    // A second instance of the backend over the same tables and ACS.
    second = await startTestStack(
      { ...env, TABLE_NAME_PREFIX: stack.config.tables.tableNamePrefix },
      {
        emulator: stack.emulator!,
      },
    );
  });
  afterAll(async () => {
    await second.close();
    await stack.close();
  });

  const control = () => stack.emulator!.control;
  const identities = () => control().listIdentities().length;

  it('refuses the thread beyond the hourly allowance with 429 FairUseExceeded, on any instance, making no ACS call', async () => {
    const [onFirst, onSecond] = await Promise.all([signIn(stack, 'fu-threads'), signIn(second, 'fu-threads')]);
    for (const user of [onFirst, onSecond, onFirst]) {
      expect((await user.request('POST', '/threads', { topic: 'within' })).status).toBe(201);
    }
    control().resetCounts();
    const refused = await onSecond.request<ErrorBody>('POST', '/threads', { topic: 'one too many' });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('FairUseExceeded');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(control().requestCounts()).toEqual({});
    // Someone else is not affected.
    expect((await (await signIn(stack, 'fu-other')).request('POST', '/threads', { topic: 'mine' })).status).toBe(201);
  });

  it('refuses creating identities for more never-signed-in people than allowed, and creates none of them', async () => {
    const alice = await signIn(stack, 'fu-inviter');
    await alice.request('POST', '/token');
    const before = identities();
    const refused = await alice.request<ErrorBody>('POST', '/threads', {
      topic: 'crowd',
      participants: people('fu-ghost', 6),
    });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('FairUseExceeded');
    expect(identities()).toBe(before);

    // Five are allowed; people who already have an identity cost nothing.
    const created = await alice.request<Created>('POST', '/threads', {
      topic: 'five',
      participants: people('fu-ghost', 5),
    });
    expect(created.status).toBe(201);
    expect(identities()).toBe(before + 5);
    const again = await alice.request<Created>('POST', '/threads', {
      topic: 'same five',
      participants: people('fu-ghost', 5),
    });
    expect(again.status).toBe(201);
    const add = await alice.request<ErrorBody>('POST', threadPath(created.body.thread.id, '/participants'), {
      participants: [{ userId: 'fu-ghost-new' }],
    });
    expect(add.status).toBe(429);
    expect(identities()).toBe(before + 5);
  });
});

describe('validation before spending, re-adding, former owners, Idempotency-Key', () => {
  let stack: TestStack;
  let alice: ApiUser;
  let bob: ApiUser;
  let admin: ApiUser;
  beforeAll(async () => {
    stack = await startTestStack();
    [alice, bob, admin] = await Promise.all([
      signIn(stack, 'vb-alice'),
      signIn(stack, 'vb-bob'),
      signIn(stack, 'vb-admin', { roles: ['Chat.Admin'] }),
    ]);
  });
  afterAll(() => stack.close());

  const control = () => stack.emulator!.control;
  const identities = () => control().listIdentities().length;
  const createThread = async (body: unknown, headers?: Record<string, string>) =>
    alice.request<Created & ErrorBody>('POST', '/threads', body, headers);

  it('refuses a create with more than 198 others (ACS takes 200 per request) before creating any identity', async () => {
    await alice.request('POST', '/token');
    const before = identities();
    const res = await createThread({ topic: 'too big', participants: people('vb-many', 199) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('TooManyParticipants');
    expect(identities()).toBe(before);
    expect(
      control()
        .listThreads()
        .filter((thread) => thread.topic === 'too big'),
    ).toEqual([]);
  });

  it('refuses an add that would take a thread past 250 participants before creating any identity', async () => {
    const created = await createThread({ topic: 'almost full', participants: people('vb-full', 198) });
    expect(created.status).toBe(201);
    const threadId = created.body.thread.id;
    // 200 now (owner, service identity, 198 others); 50 more fit, 51 do not.
    const before = identities();
    const tooMany = await alice.request<ErrorBody>('POST', threadPath(threadId, '/participants'), {
      participants: people('vb-more', 51),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('TooManyParticipants');
    expect(identities()).toBe(before);
    const fits = await alice.request<Added>('POST', threadPath(threadId, '/participants'), {
      participants: people('vb-more', 50),
    });
    expect(fits.status).toBe(200);
    expect(fits.body.added).toHaveLength(50);
    expect(control().getThread(threadId)?.participantCount).toBe(250);
  });

  it('re-adding people who are already in the thread changes nothing about them, and says so', async () => {
    const created = await createThread({ topic: 'history', participants: [{ userId: bob.userId }] });
    const threadId = created.body.thread.id;
    await alice.request('POST', threadPath(threadId, '/messages'), { content: 'before carol' });
    const addCarol = await alice.request<Added>('POST', threadPath(threadId, '/participants'), {
      participants: [{ userId: 'vb-carol', shareHistoryTime: new Date().toISOString() }],
    });
    expect(addCarol.body.added).toEqual(['vb-carol']);
    const carol = await signIn(stack, 'vb-carol');
    const visible = async (user: ApiUser) =>
      (await user.request<{ items: Message[] }>('GET', threadPath(threadId, '/messages?maxPageSize=50'))).body.items
        .filter((message) => message.type === 'text')
        .map((message) => message.content?.message);
    expect(await visible(carol)).toEqual([]);
    const participantsBefore = (
      await alice.request<{ items: Participant[] }>('GET', threadPath(threadId, '/participants'))
    ).body.items;

    // Carol re-adds herself with a share-history time in 1970; bob re-adds alice with one in the future.
    const self = await carol.request<Added>('POST', threadPath(threadId, '/participants'), {
      participants: [{ userId: 'vb-carol', shareHistoryTime: '1970-01-01T00:00:00Z' }],
    });
    expect(self.body).toEqual({ added: [], failed: [], alreadyParticipants: ['vb-carol'] });
    const owner = await bob.request<Added>('POST', threadPath(threadId, '/participants'), {
      participants: [{ userId: alice.userId, displayName: 'Renamed', shareHistoryTime: '2999-01-01T00:00:00Z' }],
    });
    expect(owner.body.alreadyParticipants).toEqual([alice.userId]);

    expect(await visible(carol)).toEqual([]);
    expect(await visible(alice)).toEqual(['before carol']);
    const participantsAfter = (
      await alice.request<{ items: Participant[] }>('GET', threadPath(threadId, '/participants'))
    ).body.items;
    expect(participantsAfter).toEqual(participantsBefore);
  });

  it('treats an owner who left as a former participant: PATCH and DELETE answer 404; an admin can still delete', async () => {
    const created = await createThread({ topic: 'left', participants: [{ userId: bob.userId }] });
    const threadId = created.body.thread.id;
    expect((await alice.request('DELETE', threadPath(threadId, `/participants/${alice.userId}`))).status).toBe(204);
    const patch = await alice.request<ErrorBody>('PATCH', threadPath(threadId), { topic: 'mine again?' });
    expect([patch.status, patch.body.error.code]).toEqual([404, 'ThreadNotFound']);
    expect((await alice.request('DELETE', threadPath(threadId))).status).toBe(404);
    expect(control().getThread(threadId)?.deleted).toBe(false);
    expect((await admin.request('DELETE', threadPath(threadId))).status).toBe(204);
    expect(control().getThread(threadId)?.deleted).toBe(true);
  });

  it('answers 422 IdempotencyKeyReused for the same key with another body, and 404 once that thread is deleted', async () => {
    const key = { 'Idempotency-Key': 'vb-key-1' };
    const first = await createThread({ topic: 'keyed' }, key);
    expect(first.status).toBe(201);
    const replay = await createThread({ topic: 'keyed' }, key);
    expect([replay.status, replay.body.thread.id]).toEqual([201, first.body.thread.id]);
    const different = await createThread({ topic: 'something else' }, key);
    expect([different.status, different.body.error.code]).toEqual([422, 'IdempotencyKeyReused']);
    // Another caller's identical key is theirs alone.
    expect((await bob.request('POST', '/threads', { topic: 'something else' }, key)).status).toBe(201);

    expect((await alice.request('DELETE', threadPath(first.body.thread.id))).status).toBe(204);
    const afterDelete = await createThread({ topic: 'keyed' }, key);
    expect([afterDelete.status, afterDelete.body.error.code]).toEqual([404, 'ThreadNotFound']);
  });

  it('keeps threads created by the service identity (before owners created their own) working', async () => {
    const services = await stack.services();
    const aliceAcs = await services.identity.acsUserIdFor(alice.userId);
    const legacy = await services.chat.acs.asService((client, serviceAcsUserId) =>
      client.createChatThread(
        { topic: 'legacy' },
        {
          participants: [{ id: { communicationUserId: serviceAcsUserId } }, { id: { communicationUserId: aliceAcs } }],
        },
      ),
    );
    const threadId = legacy.chatThread!.id;
    await services.chat.threads.create({ threadId, ownerUserId: alice.userId, createdOn: new Date() });
    expect((await alice.request('PATCH', threadPath(threadId), { topic: 'legacy, renamed' })).status).toBe(200);
    expect((await alice.request('POST', threadPath(threadId, '/messages'), { content: 'still works' })).status).toBe(
      201,
    );
    expect((await admin.request('DELETE', threadPath(threadId))).status).toBe(204);
    expect(control().getThread(threadId)?.deleted).toBe(true);
  });
});
