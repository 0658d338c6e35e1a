import { WebPubSubClient } from '@azure/web-pubsub-client';
import fc from 'fast-check';
import { decodeJwt, SignJWT } from 'jose';

import { type ApiUser, signIn, threadPath } from '../../helpers/api';
import { call } from '../../helpers/http';
import { type LiveTab, openLiveTab } from '../../helpers/live';
import { startTestStack, type TestStack } from '../../helpers/stack';
import { waitFor } from '../../helpers/wait';
import { rawConnect } from '../emulator/webpubsub-helpers';

/**
 * Who can receive live updates: only a signed-in caller gets a client URL; that URL can only receive (no groups, no
 * publishing); a token that is expired, forged or for another hub or host is refused; and nobody ever hears of a
 * change made while they were not a participant of its thread.
 */
describe('live updates: access', () => {
  let stack: TestStack;
  let alice: ApiUser;

  beforeAll(async () => {
    stack = await startTestStack({}, { chatEvents: true });
    alice = await signIn(stack, 'sec-alice', { name: 'Alice' });
  });
  afterAll(async () => {
    await stack.close();
    // WebPubSubClient's sequence-ack loop (reliable protocol) ends only after its current 1 s sleep, stop() or not.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  });

  const negotiate = async (user: ApiUser): Promise<string> => {
    const res = await user.request<{ url: string }>('POST', '/realtime/negotiate');
    expect(res.status).toBe(200);
    return res.body.url;
  };

  it('answers 401 to a missing, forged or expired bearer token', async () => {
    const url = `${stack.apiBaseUrl}/realtime/negotiate`;
    expect((await call(url, { method: 'POST' })).status).toBe(401);
    const [head, body] = alice.token.split('.');
    expect((await call(url, { method: 'POST', token: `${head}.${body}.forged` })).status).toBe(401);
    const expired = await stack.token('sec-alice', { expiresInSeconds: -600 });
    const res = await call(url, { method: 'POST', token: expired });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('gives a URL that can receive but neither join a group nor send (Forbidden acks)', async () => {
    // No retries: the SDK retries a failed send 3 times, 1 s apart, before it reports the ack's error.
    const client = new WebPubSubClient(await negotiate(alice), {
      keepAliveIntervalInMs: 0,
      keepAliveTimeoutInMs: 0,
      messageRetryOptions: { maxRetries: 0 },
    });
    try {
      await client.start();
      await expect(client.joinGroup('anything')).rejects.toMatchObject({ errorDetail: { name: 'Forbidden' } });
      await expect(client.sendToGroup('anything', 'hello', 'text')).rejects.toMatchObject({
        errorDetail: { name: 'Forbidden' },
      });
    } finally {
      client.stop();
    }
  });

  it('refuses expired, forged, other-hub and other-audience tokens at connect', async () => {
    const url = new URL(await negotiate(alice));
    const claims = decodeJwt(url.searchParams.get('access_token')!);
    const key = new TextEncoder().encode(stack.webPubSub!.accessKey);
    const sign = (changes: Record<string, unknown>, signingKey = key) =>
      new SignJWT({ ...claims, ...changes }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(signingKey);
    const withToken = (token: string, hub = 'chat'): string => {
      const changed = new URL(url);
      changed.pathname = `/client/hubs/${hub}`;
      changed.searchParams.set('access_token', token);
      return changed.toString();
    };
    // The negotiated URL itself connects: each refusal below is down to the one thing changed.
    const accepted = await rawConnect(url.toString());
    expect('socket' in accepted).toBe(true);
    if ('socket' in accepted) accepted.socket.close();

    const now = Math.floor(Date.now() / 1000);
    expect(await rawConnect(withToken(await sign({ exp: now - 60 })))).toEqual({ refusedWith: 401 });
    expect(await rawConnect(withToken(await sign({}, new TextEncoder().encode('forged'))))).toEqual({
      refusedWith: 401,
    });
    const otherHub = `${url.origin}/client/hubs/other`;
    expect(await rawConnect(withToken(await sign({}), 'other'))).toEqual({ refusedWith: 401 });
    expect(await rawConnect(withToken(await sign({ aud: otherHub }), 'chat'))).toEqual({ refusedWith: 401 });
    expect(
      await rawConnect(withToken(await sign({ aud: 'http://elsewhere.example/client/hubs/chat' }), 'chat')),
    ).toEqual({ refusedWith: 401 });
  });

  describe('membership', () => {
    const people = ['sec-bob', 'sec-carol', 'sec-dave'] as const;
    type Someone = (typeof people)[number];
    type Step =
      | { kind: 'add' | 'remove'; who: Someone }
      | { kind: 'send' | 'typing'; who: Someone | 'sec-alice' }
      | { kind: 'topic' };
    const users = new Map<string, ApiUser>();
    const tabs = new Map<string, LiveTab>();

    beforeAll(async () => {
      for (const userId of people) users.set(userId, await signIn(stack, userId));
      users.set('sec-alice', alice);
      for (const [userId, user] of users) tabs.set(userId, await openLiveTab(stack, user));
    });
    afterAll(() => {
      for (const tab of tabs.values()) tab.connection.stop();
    });

    const someone = fc.constantFrom(...people);
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constantFrom('add' as const, 'remove' as const), who: someone }),
      fc.record({
        kind: fc.constantFrom('send' as const, 'typing' as const),
        who: fc.constantFrom(...people, 'sec-alice' as const),
      }),
      fc.constant({ kind: 'topic' as const }),
    );

    it('never tells anyone of a change made while they were not a participant of its thread', async () => {
      let run = 0;
      // At most 4 topic changes a run: ACS allows 5 thread updates per 10 s per thread.
      const runs = fc
        .array(step, { minLength: 4, maxLength: 9 })
        .filter((steps) => steps.filter((candidate) => candidate.kind === 'topic').length <= 4);
      await fc.assert(
        fc.asyncProperty(runs, async (steps) => {
          run += 1;
          const created = await alice.request<{ thread: { id: string } }>('POST', '/threads', { topic: `run ${run}` });
          expect(created.status).toBe(201);
          const threadId = created.body.thread.id;
          const members = new Set<string>(['sec-alice']);
          /** Each change's marker (message text, typing name, topic): who should hear of it, when it was made. */
          const audience = new Map<string, Set<string>>();
          for (const [index, next] of steps.entries()) {
            const marker = `r${run}s${index}`;
            if (next.kind === 'add') {
              const res = await alice.request('POST', threadPath(threadId, '/participants'), {
                participants: [{ userId: next.who }],
              });
              expect(res.status).toBe(200);
              members.add(next.who);
            } else if (next.kind === 'remove') {
              const res = await alice.request('DELETE', threadPath(threadId, `/participants/${next.who}`));
              expect([204, 404]).toContain(res.status);
              members.delete(next.who);
            } else {
              const actor = next.kind === 'topic' ? alice : users.get(next.who)!;
              const res =
                next.kind === 'send'
                  ? await actor.request('POST', threadPath(threadId, '/messages'), { content: marker })
                  : next.kind === 'typing'
                    ? await actor.request('POST', threadPath(threadId, '/typing'), { senderDisplayName: marker })
                    : await actor.request('PATCH', threadPath(threadId), { topic: marker });
              const allowed = next.kind === 'topic' || members.has(next.who);
              expect(res.status).toBe(
                allowed ? (next.kind === 'send' ? 201 : next.kind === 'typing' ? 204 : 200) : 404,
              );
              // Typing goes to the other participants; every other change to all of them, the actor's tabs included.
              const actorId = next.kind === 'topic' ? 'sec-alice' : next.who;
              if (allowed)
                audience.set(marker, new Set([...members].filter((id) => next.kind !== 'typing' || id !== actorId)));
            }
          }
          // Every push made has reached its socket: the emulator counts what it wrote, the tabs what they read.
          await stack.emulator!.control.flushEvents();
          const received = () => [...tabs.values()].reduce((sum, tab) => sum + tab.updates.length, 0);
          await waitFor(() => received() === stack.webPubSub!.control.messagesDelivered());

          for (const [userId, tab] of tabs) {
            for (const update of tab.updates.filter((candidate) => candidate.threadId === threadId)) {
              const marker =
                update.type === 'messageCreated'
                  ? update.message.content?.message
                  : update.type === 'typing'
                    ? update.senderDisplayName
                    : update.type === 'threadUpdated'
                      ? update.topic
                      : undefined;
              if (marker === undefined) continue;
              expect({ userId, marker, heard: audience.get(marker)?.has(userId) }).toEqual({
                userId,
                marker,
                heard: true,
              });
            }
          }
          // And everyone who should have heard of a change did.
          for (const [marker, who] of audience) {
            for (const userId of who) {
              const heard = tabs
                .get(userId)!
                .updates.some(
                  (update) =>
                    update.threadId === threadId &&
                    ((update.type === 'messageCreated' && update.message.content?.message === marker) ||
                      (update.type === 'threadUpdated' && update.topic === marker) ||
                      (update.type === 'typing' && update.senderDisplayName === marker)),
                );
              expect({ userId, marker, heard }).toEqual({ userId, marker, heard: true });
            }
          }
        }),
        { numRuns: 8, endOnFailure: true },
      );
    }, 120_000);
  });
});
