import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';
import type { TokenCredential } from '@azure/core-auth';

import { userKey } from '../../../src/storage/keys';
import { createTableClients, TABLE_ROLES } from '../../../src/storage/table-clients';
import { type ApiUser, signIn, threadPath } from '../../helpers/api';
import { startTestStack, type TestStack } from '../../helpers/stack';

interface ErasureState {
  erasureId: string;
  status: 'running' | 'finished';
  stepsDone: string[];
  stepsPending: string[];
  counts: Record<string, number>;
  finishedOn?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('erasure: bob is erased, resumably, and nothing names him afterwards', () => {
  let stack: TestStack;
  let admin: ApiUser;
  let alice: ApiUser;
  let bob: ApiUser;
  let carol: ApiUser;

  beforeAll(async () => {
    stack = await startTestStack({}, { chatEvents: true, liveUpdates: false });
    admin = await signIn(stack, 'er-admin', { roles: ['Chat.Admin'] });
    alice = await signIn(stack, 'er-alice');
    bob = await signIn(stack, 'er-bob');
    carol = await signIn(stack, 'er-carol');
  });
  afterAll(async () => {
    await stack?.close();
  });

  const control = () => stack.emulator!.control;
  const runTimer = () => stack.runTimer('continueErasures');
  const state = async () =>
    (await bob.request<ErasureState>('GET', `/users/${encodeURIComponent(bob.userId)}/erasure`)).body;

  /** Every row of every table (the erasure records too) whose keys or values contain one of `needles`. */
  async function rowsNaming(needles: string[]): Promise<string[]> {
    const tables = createTableClients(stack.config.tables, () => undefined as unknown as TokenCredential);
    const found: string[] = [];
    for (const role of TABLE_ROLES) {
      for await (const row of tables[role].listEntities()) {
        const json = JSON.stringify(row);
        if (needles.some((needle) => json.includes(needle))) found.push(`${role}: ${json.slice(0, 300)}`);
      }
    }
    return found;
  }

  async function createThread(owner: ApiUser, topic: string, others: ApiUser[]): Promise<string> {
    const res = await owner.request<{ thread: { id: string } }>('POST', '/threads', {
      topic,
      participants: others.map((user) => ({ userId: user.userId })),
    });
    expect(res.status).toBe(201);
    return res.body.thread.id;
  }

  it('erases bob: ACS, every table, his threads; alice keeps hers; survives a Tables outage and an ACS 429', async () => {
    // ACS's published limits would make this test wait minutes (30 deletions a minute per thread); the 429 it
    // handles is injected below.
    control().setRateLimiting(false);
    const issued = await bob.request<{ token: string; endpoint: string; acsUserId: string }>('POST', '/token');
    expect(issued.status).toBe(200);
    const withAlice = await createThread(alice, 'With alice', [bob]);
    const ownedAlone = await createThread(bob, 'Bob alone', []);
    const ownedShared = await createThread(bob, 'Bob shared', [alice, carol]);
    for (let index = 0; index < 50; index += 1) {
      const sent = await bob.request('POST', threadPath(withAlice, '/messages'), { content: `bob ${index}` });
      expect(sent.status).toBe(201);
    }
    const aliceIds: string[] = [];
    for (let index = 0; index < 3; index += 1)
      aliceIds.push(
        (await alice.request<{ id: string }>('POST', threadPath(withAlice, '/messages'), { content: `alice ${index}` }))
          .body.id,
      );
    const upload = await bob.request('POST', threadPath(ownedShared, '/attachments'), {
      name: 'notes.txt',
      contentType: 'text/plain',
      size: 5,
    });
    expect(upload.status).toBe(201);
    await control().flushEvents();

    const bobAcsId = issued.body.acsUserId;
    expect(bobAcsId).toBeDefined();

    const bobMessagesBefore = control()
      .getThread(withAlice)!
      .messages.filter((m) =>
        String((m.content as { message?: string } | undefined)?.message ?? '').startsWith('bob '),
      ).length;
    control().resetCounts();
    // The first run (inside the request) stops at an ACS 429 on a message deletion.
    control().injectFault({ operation: 'chat.deleteMessage', status: 429, count: 1, retryAfterSeconds: 1 });
    const first = await bob.request<{ erasureId: string }>('DELETE', '/me?deleteMessages=true');
    expect(first.status).toBe(202);
    const joined = await admin.request<{ erasureId: string }>('DELETE', `/users/${encodeURIComponent(bob.userId)}`);
    expect(joined.status).toBe(202);
    expect(joined.body.erasureId).toBe(first.body.erasureId);
    expect(await state()).toMatchObject({ status: 'running' });
    // Shut out while it runs: nothing new can be made for the erasure to miss (he may still read its progress).
    const refused = await bob.request<{ error: { code: string; message: string } }>('POST', '/threads', { topic: 'x' });
    expect([refused.status, refused.body.error.code, refused.body.error.message]).toEqual([
      403,
      'UserBanned',
      'Your account is being erased.',
    ]);
    expect((await alice.request('DELETE', `/users/${encodeURIComponent(bob.userId)}`)).status).toBe(403);

    // A run within Retry-After does nothing; then Tables fails a whole run.
    await runTimer();
    await sleep(1_100);
    stack.tablesFaults.failNext('PUT', 503, 30);
    await runTimer();
    stack.tablesFaults.clear();

    for (let run = 0; run < 40 && (await state()).status !== 'finished'; run += 1) {
      await runTimer();
      await sleep(200);
    }
    const done = await state();
    expect(done).toMatchObject({ erasureId: first.body.erasureId, status: 'finished', stepsPending: [] });
    expect(done.counts).toMatchObject({ messagesDeleted: 50, threadsDeleted: 1, threadsHandedOver: 1, attachments: 1 });
    // No duplicate work: 50 deletions and the one refused by the 429.
    expect(control().requestCounts()['chat.deleteMessage']).toBe(51);

    await control().flushEvents();
    // ACS: no identity, no token accepted.
    const identities = control().listIdentities();
    expect(bobMessagesBefore).toBe(50);
    expect(identities.find((identity) => identity.id === bobAcsId)?.deleted ?? true).toBe(true);
    const old = new ChatClient(issued.body.endpoint, new AzureCommunicationTokenCredential(issued.body.token), {
      tlsOptions: { ca: stack.emulator!.caCertPem },
      retryOptions: { maxRetries: 0 },
    });
    await expect(old.getChatThreadClient(withAlice).getProperties()).rejects.toMatchObject({ statusCode: 401 });

    // Threads: alone one gone, shared one kept (without bob) and deletable by an admin, alice's messages intact.
    const aliceThread = control().getThread(withAlice)!;
    for (const id of aliceIds) expect(aliceThread.messages.find((m) => m.id === id)?.deletedOn).toBeUndefined();
    const text = (m: Record<string, unknown>) => String((m.content as { message?: string } | undefined)?.message ?? '');
    const bobMessages = aliceThread.messages.filter((m) => text(m).startsWith('bob '));
    expect(bobMessages.every((m) => m.deletedOn !== undefined)).toBe(true);
    expect(control().getThread(ownedAlone)?.deletedOn ?? 'gone').toBeDefined();
    expect((await admin.request('DELETE', threadPath(ownedShared))).status).toBe(204);

    // Tables: no row names bob, the erasure record included (it keeps only a keyed hash of his user id).
    expect(await rowsNaming([bob.userId, bobAcsId, userKey(bob.userId)])).toEqual([]);
  });

  it('erases carol without deleting her messages: they stay in ACS, and no row names her', async () => {
    const issued = await carol.request<{ acsUserId: string }>('POST', '/token');
    const carolAcsId = issued.body.acsUserId;
    const threadId = await createThread(alice, 'Carol stays quiet', [carol]);
    const sent = await carol.request<{ id: string }>('POST', threadPath(threadId, '/messages'), {
      content: 'carol was here',
    });
    expect(sent.status).toBe(201);
    await control().flushEvents();
    expect((await carol.request('DELETE', '/me')).status).toBe(202);
    for (let runs = 0; runs < 10; runs += 1) {
      await control().flushEvents();
      await runTimer();
      const status = await carol.request<ErasureState>('GET', `/users/${encodeURIComponent(carol.userId)}/erasure`);
      if (status.body.status === 'finished') break;
    }
    await control().flushEvents();
    // Her message is still there for alice, its sender no longer anyone.
    const listed = await alice.request<{ items: Array<{ id: string; deletedOn?: string }> }>(
      'GET',
      threadPath(threadId, '/messages'),
    );
    expect(listed.body.items.find((m) => m.id === sent.body.id)?.deletedOn).toBeUndefined();

    expect(await rowsNaming([carol.userId, carolAcsId, userKey(carol.userId)])).toEqual([]);
  });
});
