import { CommunicationIdentityClient } from '@azure/communication-identity';

import { type ApiUser, signIn, threadPath } from '../helpers/api';
import { startTestStack, type TestStack } from '../helpers/stack';

interface Created {
  thread: { id: string; topic: string };
  invalidParticipants: Array<{ userId: string; code: string; message: string }>;
}
interface Page<T> {
  items: T[];
  continuationToken?: string;
}
const total = (counts: Record<string, number>): number => Object.values(counts).reduce((sum, count) => sum + count, 0);

describe('chat operations', () => {
  let stack: TestStack;
  let alice: ApiUser;
  let bob: ApiUser;

  beforeAll(async () => {
    stack = await startTestStack();
    [alice, bob] = await Promise.all([
      signIn(stack, 'op-alice', { name: 'Alice' }),
      signIn(stack, 'op-bob', { name: 'Bob' }),
    ]);
  });
  afterAll(() => stack.close());
  // ACS lets one user create 10 threads per 10 s, and alice creates most threads here: every test starts in a fresh
  // 10 s of ACS time (the emulator's clock, which its rate windows run on).
  beforeEach(() => stack.emulator!.control.advanceClock(10_000));

  /** A user whose ACS identity was deleted behind the backend's back: ACS refuses to add them. */
  async function ghost(userId: string): Promise<void> {
    const user = await signIn(stack, userId);
    const { body } = await user.request<{ acsUserId: string }>('POST', '/token');
    const admin = new CommunicationIdentityClient(stack.emulator!.connectionString, {
      tlsOptions: { ca: stack.emulator!.caCertPem },
    });
    await admin.deleteUser({ communicationUserId: body.acsUserId });
  }

  const createThread = async (
    body: unknown = { topic: 'ops', participants: [{ userId: 'op-bob' }] },
    headers?: Record<string, string>,
  ) => alice.request<Created>('POST', '/threads', body, headers);

  describe('idempotent create', () => {
    it('returns the same thread for a retried create with the same Idempotency-Key', async () => {
      const before = stack.emulator!.control.listThreads().length;
      const first = await createThread({ topic: 'once' }, { 'Idempotency-Key': 'retry-1' });
      const second = await createThread({ topic: 'once' }, { 'Idempotency-Key': 'retry-1' });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body.thread.id).toBe(first.body.thread.id);
      expect(stack.emulator!.control.listThreads().length).toBe(before + 1);
      // Another key, or another caller with the same key, is another thread.
      const other = await createThread({ topic: 'once' }, { 'Idempotency-Key': 'retry-2' });
      const bobs = await bob.request<Created>('POST', '/threads', { topic: 'once' }, { 'Idempotency-Key': 'retry-1' });
      expect(new Set([first.body.thread.id, other.body.thread.id, bobs.body.thread.id]).size).toBe(3);
    });

    it('yields one thread for 10 concurrent creates with the same key, also across instances', async () => {
      const before = stack.emulator!.control.listThreads().length;
      // A second instance: same tables, same ACS, trusting the same issuer.
      const second = await startTestStack(
        {
          TABLE_NAME_PREFIX: stack.config.tables.tableNamePrefix,
          AUTH_ISSUER: stack.issuer.issuer,
          AUTH_AUDIENCE: stack.issuer.audience,
        },
        { emulator: stack.emulator! },
      );
      try {
        const token = alice.token;
        const responses = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            fetch(`${(i % 2 === 0 ? stack : second).apiBaseUrl}/threads`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${token}`,
                'content-type': 'application/json',
                'idempotency-key': 'burst-key',
              },
              body: JSON.stringify({ topic: 'burst' }),
            }).then(async (res) => ({ status: res.status, body: (await res.json()) as Created })),
          ),
        );
        expect(responses.map((res) => res.status)).toEqual(Array(10).fill(201));
        expect(new Set(responses.map((res) => res.body.thread.id)).size).toBe(1);
        expect(stack.emulator!.control.listThreads().length).toBe(before + 1);
      } finally {
        await second.close();
      }
    });

    it('rejects a malformed Idempotency-Key', async () => {
      expect((await createThread({ topic: 'x' }, { 'Idempotency-Key': 'has spaces in it' })).status).toBe(400);
    });
  });

  describe('participants', () => {
    it('adds people by user id (creating identities on demand) and reports per-user failures', async () => {
      const { body } = await createThread({ topic: 'team' });
      const threadId = body.thread.id;
      const added = await bob.request('POST', threadPath(threadId, '/participants'), {
        participants: [{ userId: 'op-x' }],
      });
      expect(added.status).toBe(404); // bob is not in this thread yet
      await ghost('op-ghost');
      const res = await alice.request<{ added: string[]; failed: unknown[] }>(
        'POST',
        threadPath(threadId, '/participants'),
        {
          participants: [
            { userId: 'op-bob', displayName: 'Bob' },
            { userId: 'op-dave' },
            { userId: 'op-dave' },
            { userId: 'op-ghost' },
          ],
        },
      );
      expect(res.status).toBe(200);
      expect(res.body.added.sort()).toEqual(['op-bob', 'op-dave']);
      expect(res.body.failed).toEqual([
        { userId: 'op-ghost', error: { code: expect.any(String), message: expect.any(String) } },
      ]);

      // ACS failing beyond the SDK's retries is a clean error, not a partial success.
      stack.emulator!.control.injectFault({ operation: 'chat.addParticipants', status: 500, count: 10 });
      const failedCall = await alice.request<{ error: { code: string } }>(
        'POST',
        threadPath(threadId, '/participants'),
        { participants: [{ userId: 'op-erin' }] },
      );
      expect([502, 503]).toContain(failedCall.status);
      stack.emulator!.control.clearFaults();

      const list = await bob.request<Page<{ userId: string; displayName: string | null; acsUserId: string }>>(
        'GET',
        threadPath(threadId, '/participants?maxPageSize=2'),
      );
      expect(list.status).toBe(200);
      const everyone = [...list.body.items];
      let token = list.body.continuationToken;
      while (token) {
        const next = await bob.request<Page<{ userId: string }>>(
          'GET',
          threadPath(threadId, `/participants?continuationToken=${encodeURIComponent(token)}`),
        );
        everyone.push(...(next.body.items as typeof everyone));
        token = next.body.continuationToken;
      }
      expect(everyone.map((p) => p.userId).sort()).toEqual(['op-alice', 'op-bob', 'op-dave']);
      expect(everyone.find((p) => p.userId === 'op-bob')?.displayName).toBe('Bob');
    });

    it('reports users ACS refuses at creation as invalidParticipants', async () => {
      await ghost('op-ghost-2');
      const participants = [
        ...Array.from({ length: 3 }, (_, i) => ({ userId: `op-crowd-${i}` })),
        { userId: 'op-ghost-2' },
      ];
      const res = await createThread({ topic: 'crowd', participants });
      expect(res.status).toBe(201);
      expect(res.body.invalidParticipants).toEqual([
        { userId: 'op-ghost-2', code: 'ParticipantRejected', message: expect.any(String) },
      ]);
      expect(
        (
          await createThread({
            topic: 'too many',
            participants: Array.from({ length: 201 }, (_, i) => ({ userId: `u${i}` })),
          })
        ).status,
      ).toBe(400);
    });

    it('honours shareHistoryTime: a late joiner does not see earlier messages', async () => {
      const { body } = await createThread({ topic: 'history' });
      const threadId = body.thread.id;
      await alice.request('POST', threadPath(threadId, '/messages'), { content: 'before bob' });
      // Bob's history starts after 'before bob' and before 'after bob' by construction: the emulator's clock moves.
      stack.emulator!.control.advanceClock(1);
      const joinedAt = new Date(stack.emulator!.control.now()).toISOString();
      stack.emulator!.control.advanceClock(1);
      await alice.request('POST', threadPath(threadId, '/participants'), {
        participants: [{ userId: 'op-bob', shareHistoryTime: joinedAt }],
      });
      await alice.request('POST', threadPath(threadId, '/messages'), { content: 'after bob' });
      const seen = await bob.request<Page<{ content?: { message?: string } }>>(
        'GET',
        threadPath(threadId, '/messages'),
      );
      const texts = seen.body.items.map((m) => m.content?.message).filter(Boolean);
      expect(texts).toContain('after bob');
      expect(texts).not.toContain('before bob');
    });
  });

  describe('read receipts, typing and startTime', () => {
    it('records read receipts by user id and filters messages by startTime', async () => {
      const { body } = await createThread();
      const threadId = body.thread.id;
      const first = await alice.request<{ id: string }>('POST', threadPath(threadId, '/messages'), { content: 'one' });
      stack.emulator!.control.advanceClock(1);
      const cut = new Date(stack.emulator!.control.now()).toISOString();
      stack.emulator!.control.advanceClock(1);
      await alice.request('POST', threadPath(threadId, '/messages'), { content: 'two' });

      expect(
        (await bob.request('POST', threadPath(threadId, '/read-receipts'), { messageId: first.body.id })).status,
      ).toBe(204);
      const receipts = await alice.request<Page<{ userId: string; messageId: string; readOn: string }>>(
        'GET',
        threadPath(threadId, '/read-receipts'),
      );
      expect(receipts.body.items).toEqual([
        expect.objectContaining({ userId: 'op-bob', messageId: first.body.id, readOn: expect.any(String) }),
      ]);

      const recent = await bob.request<Page<{ content?: { message?: string } }>>(
        'GET',
        threadPath(threadId, `/messages?startTime=${encodeURIComponent(cut)}`),
      );
      expect(recent.body.items.map((m) => m.content?.message).filter(Boolean)).toEqual(['two']);

      expect((await bob.request('POST', threadPath(threadId, '/typing'))).status).toBe(204);
      expect((await bob.request('POST', threadPath(threadId, '/typing'), { senderDisplayName: 'B' })).status).toBe(204);
    });
  });

  describe('continuation tokens', () => {
    it('refuses forged, altered or borrowed tokens', async () => {
      const { body } = await createThread();
      const threadId = body.thread.id;
      for (const content of ['a', 'b', 'c'])
        await alice.request('POST', threadPath(threadId, '/messages'), { content });
      const page = await alice.request<Page<unknown>>('GET', threadPath(threadId, '/messages?maxPageSize=1'));
      const token = page.body.continuationToken!;
      expect(token).toBeTruthy();
      const [payload, signature] = token.split('.');
      const decoded = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, string>;
      const forgedPayload = Buffer.from(JSON.stringify({ ...decoded, p: '/chat/threads/other/messages?x=1' })).toString(
        'base64url',
      );
      const bad = [
        'not-a-token',
        `${forgedPayload}.${signature}`,
        `${payload}.${signature}x`,
        Buffer.from(JSON.stringify({ url: 'http://169.254.169.254/latest/meta-data' })).toString('base64url'),
      ];
      for (const candidate of bad) {
        const res = await alice.request<{ error: { code: string } }>(
          'GET',
          threadPath(threadId, `/messages?continuationToken=${encodeURIComponent(candidate)}`),
        );
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('InvalidContinuationToken');
      }
      // Bob's token is not alice's, and a messages token is not a participants token.
      const borrowed = await bob.request<{ error: { code: string } }>(
        'GET',
        threadPath(threadId, `/messages?continuationToken=${encodeURIComponent(token)}`),
      );
      expect(borrowed.status).toBe(400);
      const crossList = await alice.request(
        'GET',
        threadPath(threadId, `/participants?continuationToken=${encodeURIComponent(token)}`),
      );
      expect(crossList.status).toBe(400);
      const good = await alice.request(
        'GET',
        threadPath(threadId, `/messages?continuationToken=${encodeURIComponent(token)}`),
      );
      expect(good.status).toBe(200);
    });
  });

  describe('upstream failures', () => {
    it('maps ACS throttling and outages to 429/503 with Retry-After, and other failures to 502', async () => {
      const { body } = await createThread();
      const threadId = body.thread.id;
      const control = stack.emulator!.control;
      control.injectFault({ operation: 'chat.sendMessage', status: 429, count: 10, retryAfterSeconds: 0 });
      const throttled = await alice.request<{ error: { code: string } }>('POST', threadPath(threadId, '/messages'), {
        content: 'x',
      });
      control.clearFaults();
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(throttled.body.error.code).toBe('TooManyRequests');

      control.injectFault({ operation: 'chat.listMessages', status: 503, count: 10, retryAfterSeconds: 0 });
      const unavailable = await alice.request<{ error: { code: string } }>('GET', threadPath(threadId, '/messages'));
      control.clearFaults();
      expect(unavailable.status).toBe(503);
      expect(unavailable.headers.get('retry-after')).toMatch(/^\d+$/);

      control.injectFault({ operation: 'chat.getThread', drop: true, count: 10 });
      const dropped = await alice.request('GET', threadPath(threadId));
      control.clearFaults();
      expect(dropped.status).toBe(503);

      control.injectFault({ operation: 'chat.sendMessage', status: 409, count: 1 });
      const odd = await alice.request<{ error: { code: string; requestId: string } }>(
        'POST',
        threadPath(threadId, '/messages'),
        { content: 'x' },
      );
      control.clearFaults();
      expect(odd.status).toBe(502);
      expect(odd.body.error.requestId).toBeTruthy();
    });
  });

  describe('Storage failing after ACS created a thread', () => {
    it('deletes the unrecorded thread when there is no Idempotency-Key, and answers 503', async () => {
      await createThread({ topic: 'warm-up: identities exist before Storage fails' });
      const before = new Set(stack.emulator!.control.listThreads().map((thread) => thread.id));
      stack.tablesFaults.failNext('PUT', 503, 10);
      const res = await createThread({ topic: 'lost' });
      stack.tablesFaults.clear();
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      const made = stack.emulator!.control.listThreads().filter((thread) => !before.has(thread.id));
      expect(made.length).toBe(1);
      expect(made[0]!.deleted).toBe(true);
    });

    it('keeps it for the retry when there is an Idempotency-Key, which then records it', async () => {
      stack.tablesFaults.failNext('PUT', 503, 10);
      const failed = await createThread({ topic: 'retried' }, { 'Idempotency-Key': 'storage-hiccup' });
      stack.tablesFaults.clear();
      expect(failed.status).toBe(503);
      const retried = await createThread({ topic: 'retried' }, { 'Idempotency-Key': 'storage-hiccup' });
      expect(retried.status).toBe(201);
      expect((await alice.request('GET', threadPath(retried.body.thread.id))).status).toBe(200);
      expect(stack.emulator!.control.getThread(retried.body.thread.id)?.deleted).toBe(false);
    });
  });

  describe('Storage failing after ACS accepted a message', () => {
    it('still acknowledges the message: activity tracking is best effort', async () => {
      const { body } = await createThread({ topic: 'acknowledged' });
      stack.tablesFaults.failNext('PATCH', 503, 10);
      const sent = await alice.request<{ id: string }>('POST', threadPath(body.thread.id, '/messages'), {
        content: 'kept',
      });
      stack.tablesFaults.clear();
      expect(sent.status).toBe(201);
      const message = await alice.request<{ content: { message: string } }>(
        'GET',
        threadPath(body.thread.id, `/messages/${sent.body.id}`),
      );
      expect(message.body.content.message).toBe('kept');
    });
  });

  describe('upstream timeouts', () => {
    it('abandons an ACS call that hangs and answers 503 with Retry-After', async () => {
      const slow = await startTestStack({}, { upstreamTimeoutMs: 300 });
      try {
        const carol = await signIn(slow, 'op-carol');
        const { body } = await carol.request<Created>('POST', '/threads', { topic: 'slow' });
        slow.emulator!.control.injectFault({ operation: 'chat.getThread', latencyMs: 5_000, count: 10 });
        const started = Date.now();
        const res = await carol.request<{ error: { code: string } }>('GET', threadPath(body.thread.id));
        slow.emulator!.control.clearFaults();
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(res.body.error.code).toBe('ServiceUnavailable');
        expect(Date.now() - started).toBeLessThan(4_000);
      } finally {
        await slow.close();
      }
    });
  });

  describe('upstream budget', () => {
    it('send = 1 ACS call + at most 1 Tables write; list = 1 ACS call per page; create = 1 ACS call + at most 4 Tables operations (6 with an Idempotency-Key); get = at most 1 ACS call + 1 Tables read', async () => {
      const control = stack.emulator!.control;
      // Warm the caches (identities, signing key) as a running instance would have them.
      const warm = await createThread();
      const threadId = warm.body.thread.id;
      await alice.request('GET', threadPath(threadId, '/messages?maxPageSize=1'));

      control.resetCounts();
      stack.tablesCalls.reset();
      const created = await createThread(
        { topic: 'budget', participants: [{ userId: 'op-bob' }] },
        { 'Idempotency-Key': 'budget-1' },
      );
      expect(created.status).toBe(201);
      expect(total(control.requestCounts())).toBe(1);
      // Claim the key, fair-use ledger (insert + read), thread record + index entry, note the thread under the key.
      expect(stack.tablesCalls.reads + stack.tablesCalls.writes).toBeLessThanOrEqual(6);
      control.resetCounts();
      stack.tablesCalls.reset();
      expect((await createThread({ topic: 'budget, no key', participants: [{ userId: 'op-bob' }] })).status).toBe(201);
      expect(total(control.requestCounts())).toBe(1);
      expect(stack.tablesCalls.reads + stack.tablesCalls.writes).toBeLessThanOrEqual(4);

      control.resetCounts();
      stack.tablesCalls.reset();
      await alice.request('POST', threadPath(threadId, '/messages'), { content: 'first' });
      expect(total(control.requestCounts())).toBe(1);
      expect(stack.tablesCalls.writes).toBeLessThanOrEqual(1);
      expect(stack.tablesCalls.reads).toBe(0);
      stack.tablesCalls.reset();
      await alice.request('POST', threadPath(threadId, '/messages'), { content: 'second, within the minute' });
      expect(stack.tablesCalls.writes).toBe(0);

      for (let i = 0; i < 4; i += 1)
        await alice.request('POST', threadPath(threadId, '/messages'), { content: `m${i}` });
      control.resetCounts();
      let pages = 0;
      let token: string | undefined;
      do {
        const page = await alice.request<Page<unknown>>(
          'GET',
          threadPath(
            threadId,
            `/messages?maxPageSize=3${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`,
          ),
        );
        token = page.body.continuationToken;
        pages += 1;
      } while (token);
      expect(pages).toBeGreaterThan(2);
      expect(control.requestCounts()['chat.listMessages']).toBe(pages);
      expect(total(control.requestCounts())).toBe(pages);

      control.resetCounts();
      stack.tablesCalls.reset();
      expect((await alice.request('GET', threadPath(threadId))).status).toBe(200);
      expect(total(control.requestCounts())).toBeLessThanOrEqual(1);
      expect(stack.tablesCalls.reads).toBeLessThanOrEqual(1);
      expect(stack.tablesCalls.writes).toBe(0);
    });
  });
});
