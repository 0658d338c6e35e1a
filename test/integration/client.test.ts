import { type ChatClient, createChatClient, type Message, pages, unwrap } from '../../client';
import { checkApiResponse } from '../helpers/api-description';
import { startTestStack, type TestStack } from '../helpers/stack';

describe('the typed client (client/) against the dev stack', () => {
  let stack: TestStack;
  let alice: ChatClient;
  let bob: ChatClient;
  const waits: number[] = [];

  function clientFor(userId: string, name: string): ChatClient {
    return createChatClient({
      baseUrl: stack.apiBaseUrl,
      token: () => stack.token(userId, { name }),
      // Waiting out a Retry-After moves the emulator's clock (its rate windows run on it) instead of the test's.
      sleep: async (ms) => {
        waits.push(ms);
        stack.emulator!.control.advanceClock(ms);
      },
      fetch: async (request) => {
        const response = await fetch(request);
        await checkApiResponse(request.url, request.method, response.status, await response.clone().text());
        return response;
      },
    });
  }

  beforeAll(async () => {
    stack = await startTestStack();
    alice = clientFor('client-alice', 'Alice');
    bob = clientFor('client-bob', 'Bob');
  });
  afterAll(() => stack.close());

  async function newThread(): Promise<string> {
    const created = unwrap(
      await alice.api.POST('/threads', { body: { topic: 'Client', participants: [{ userId: 'client-bob' }] } }),
    );
    return created.thread.id;
  }

  it('creates a thread once per Idempotency-Key, sends and pages through history with continuation tokens', async () => {
    const key = { 'Idempotency-Key': `client-${Date.now()}` };
    const body = { topic: 'Twice', participants: [{ userId: 'client-bob' }] };
    const first = unwrap(await alice.api.POST('/threads', { body, params: { header: key } }));
    const again = unwrap(await alice.api.POST('/threads', { body, params: { header: key } }));
    expect(again.thread.id).toBe(first.thread.id);
    const threadId = first.thread.id;

    for (const content of ['one', 'two', 'three'])
      unwrap(
        await alice.api.POST('/threads/{threadId}/messages', { params: { path: { threadId } }, body: { content } }),
      );
    const seen: Message[][] = [];
    for await (const page of pages((continuationToken) =>
      bob.api.GET('/threads/{threadId}/messages', {
        params: {
          path: { threadId },
          query: { maxPageSize: '2', ...(continuationToken ? { continuationToken } : {}) },
        },
      }),
    ))
      seen.push(page);
    expect(seen.length).toBeGreaterThan(1);
    const texts = seen.flat().flatMap((message) => (message.type === 'text' ? [message.content?.message] : []));
    expect(texts).toEqual(['three', 'two', 'one']);
  });

  it('waits out a 429 Retry-After and retries, reusing the Idempotency-Key, within its retry bound', async () => {
    const threadId = await newThread();
    // ACS allows 10 sends per thread per 10 s: the 11th is refused with a Retry-After, then retried after it. The
    // emulator counts in fixed 10 s windows of its clock: start at the beginning of one, so that all eleven fall in it
    // however slow the machine.
    const control = stack.emulator!.control;
    control.advanceClock(10_000 - (control.now() % 10_000));
    for (let index = 0; index < 10; index += 1)
      unwrap(
        await bob.api.POST('/threads/{threadId}/messages', {
          params: { path: { threadId } },
          body: { content: `m${index}` },
        }),
      );
    waits.length = 0;
    const eleventh = await bob.api.POST('/threads/{threadId}/messages', {
      params: { path: { threadId } },
      body: { content: 'after the wait' },
    });
    expect(eleventh.response.status).toBe(201);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((ms) => ms > 0)).toBe(true);

    const impatient = createChatClient({
      baseUrl: stack.apiBaseUrl,
      token: () => stack.token('client-bob'),
      maxRetries: 0,
    });
    stack.emulator!.control.injectFault({ operation: 'chat.getThread', status: 429, count: 1, retryAfterSeconds: 7 });
    const refused = await impatient.api.GET('/threads/{threadId}', { params: { path: { threadId } } });
    stack.emulator!.control.clearFaults();
    expect(refused.response.status).toBe(429);
    expect(() => unwrap(refused)).toThrow(expect.objectContaining({ status: 429, code: 'TooManyRequests' }));
  });

  it('refuses without a valid token', async () => {
    const stranger = createChatClient({ baseUrl: stack.apiBaseUrl, token: () => 'not-a-token' });
    const result = await stranger.api.GET('/threads', { params: { query: {} } });
    expect(result.response.status).toBe(401);
    expect(() => unwrap(result)).toThrow(expect.objectContaining({ status: 401 }));
  });
});
