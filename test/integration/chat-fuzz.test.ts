import fc from 'fast-check';

import { type ApiUser, signIn, threadPath } from '../helpers/api';
import { call } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/stack';

/**
 * Property: random bodies, path parameters and queries against every endpoint never yield a 500, and a rejected
 * request (4xx) never changes data, in ACS or in Tables.
 */
describe('random input against every endpoint', () => {
  let stack: TestStack;
  let alice: ApiUser;
  let threadId: string;
  let messageId: string;

  beforeAll(async () => {
    stack = await startTestStack();
    alice = await signIn(stack, 'fz-alice');
    const created = await alice.request<{ thread: { id: string } }>('POST', '/threads', {
      topic: 'fuzz',
      participants: [{ userId: 'fz-bob' }],
    });
    threadId = created.body.thread.id;
    messageId = (await alice.request<{ id: string }>('POST', threadPath(threadId, '/messages'), { content: 'seed' }))
      .body.id;
  });
  afterAll(() => stack.close());

  async function snapshot(): Promise<string> {
    const services = await stack.services();
    const rows = async (table: keyof typeof services.tables): Promise<string[]> => {
      const keys: string[] = [];
      for await (const entity of services.tables[table].listEntities())
        keys.push(`${entity.partitionKey}/${entity.rowKey}/${JSON.stringify(entity)}`);
      return keys.sort();
    };
    const control = stack.emulator!.control;
    const thread = control.getThread(threadId);
    return JSON.stringify({
      stats: control.stats(),
      thread: thread && {
        topic: thread.topic,
        metadata: thread.metadata,
        participants: thread.participants.length,
        messages: thread.messages,
      },
      receipts: thread?.readReceipts.length,
      threads: await rows('threads'),
      activity: await rows('activity'),
      identities: await rows('identities'),
    });
  }

  const anyJson = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record(
      {
        topic: fc.oneof(fc.string(), fc.integer(), fc.constant(''), fc.string({ minLength: 251, maxLength: 300 })),
        content: fc.oneof(fc.string(), fc.constant(' '), fc.integer(), fc.constant(null)),
        type: fc.oneof(fc.constantFrom('text', 'html', 'topicUpdated', 'TEXT'), fc.string()),
        participants: fc.oneof(
          fc.array(fc.record({ userId: fc.oneof(fc.string(), fc.constant(' x'), fc.integer()) }), { maxLength: 3 }),
          fc.string(),
        ),
        metadata: fc.oneof(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())), fc.string()),
        messageId: fc.oneof(fc.string(), fc.integer()),
        scopes: fc.oneof(fc.array(fc.string()), fc.constant(['chat']), fc.string()),
        expiresInMinutes: fc.oneof(fc.integer(), fc.double(), fc.string()),
        senderDisplayName: fc.oneof(fc.string(), fc.integer()),
      },
      { requiredKeys: [] },
    ),
  );
  const rawBody = fc.oneof(
    anyJson.map((value) => JSON.stringify(value)),
    fc.string(),
    fc.constantFrom('{', '[1,', '\u0000', '{"topic":'),
  );
  const pathPart = fc.oneof(
    fc.string({ minLength: 1 }),
    fc.constantFrom('19:nope@thread.v2', '19:../../x@thread.v2', '%00', '..', 'abc', '12345678901234567890123'),
  );
  const query = fc.oneof(
    fc.constant(''),
    fc
      .record(
        {
          maxPageSize: fc.oneof(fc.integer({ min: -5, max: 500 }).map(String), fc.string()),
          continuationToken: fc.string(),
          startTime: fc.oneof(
            fc.string(),
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          ),
        },
        { requiredKeys: [] },
      )
      .map((q) => `?${new URLSearchParams(q as Record<string, string>).toString()}`),
  );

  type Target = (parts: { thread: string; message: string; user: string }) => [string, string];
  const targets: Target[] = [
    () => ['POST', '/token'],
    () => ['POST', '/threads'],
    () => ['GET', '/threads'],
    (p) => ['GET', `/threads/${p.thread}`],
    (p) => ['PATCH', `/threads/${p.thread}`],
    (p) => ['DELETE', `/threads/${p.thread}`],
    (p) => ['POST', `/threads/${p.thread}/messages`],
    (p) => ['GET', `/threads/${p.thread}/messages`],
    (p) => ['GET', `/threads/${p.thread}/messages/${p.message}`],
    (p) => ['PATCH', `/threads/${p.thread}/messages/${p.message}`],
    (p) => ['DELETE', `/threads/${p.thread}/messages/${p.message}`],
    (p) => ['POST', `/threads/${p.thread}/read-receipts`],
    (p) => ['GET', `/threads/${p.thread}/read-receipts`],
    (p) => ['POST', `/threads/${p.thread}/typing`],
    (p) => ['GET', `/threads/${p.thread}/participants`],
    (p) => ['POST', `/threads/${p.thread}/participants`],
    (p) => ['DELETE', `/threads/${p.thread}/participants/${p.user}`],
  ];

  it('never answers 500 and never changes data when it rejects', async () => {
    let before = await snapshot();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: targets.length - 1 }),
        fc.record({
          realThread: fc.boolean(),
          thread: pathPart,
          realMessage: fc.boolean(),
          message: pathPart,
          user: pathPart,
        }),
        query,
        fc.option(rawBody, { nil: undefined }),
        async (index, parts, queryString, body) => {
          const [method, path] = targets[index]!({
            thread: encodeURIComponent(parts.realThread ? threadId : parts.thread),
            message: encodeURIComponent(parts.realMessage ? messageId : parts.message),
            user: encodeURIComponent(parts.user),
          });
          // Never delete the fixture thread itself: the property is about rejected input.
          if (method === 'DELETE' && path === threadPath(threadId)) return;
          const res = await call(`${stack.apiBaseUrl}${path}${method === 'GET' ? queryString : ''}`, {
            method,
            token: alice.token,
            ...(body !== undefined && method !== 'GET'
              ? { body, headers: { 'content-type': 'application/json' } }
              : {}),
          });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status).toBeLessThan(500);
          const after = await snapshot();
          if (res.status >= 400) expect(after).toBe(before);
          before = after;
        },
      ),
      { numRuns: 250, seed: 20261126 },
    );
    // The inputs reach validation (400), authorization and lookup (404), and sometimes succeed.
    const seen = [...statuses.keys()];
    expect(seen).toEqual(expect.arrayContaining([400, 404]));
    expect(seen.some((status) => status < 300)).toBe(true);
  }, 120_000);
});
