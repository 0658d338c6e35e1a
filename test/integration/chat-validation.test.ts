import { type ApiUser, signIn, threadPath } from '../helpers/api';
import { call } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/stack';

interface ErrorBody {
  error: {
    code: string;
    message: string;
    requestId: string;
    details?: Array<{ code: string; message: string; target?: string }>;
  };
}

describe('input validation of the chat API', () => {
  let stack: TestStack;
  let alice: ApiUser;
  let threadId: string;
  let messageId: string;

  beforeAll(async () => {
    stack = await startTestStack();
    alice = await signIn(stack, 'va-alice');
    threadId = (await alice.request<{ thread: { id: string } }>('POST', '/threads', { topic: 'validation' })).body
      .thread.id;
    messageId = (await alice.request<{ id: string }>('POST', threadPath(threadId, '/messages'), { content: 'x' })).body
      .id;
  });
  afterAll(() => stack.close());

  const big = (bytes: number): string => 'é'.repeat(Math.ceil(bytes / 2));

  const cases: Array<[string, string, () => string, unknown, number, string, string?]> = [
    ['a missing topic', 'POST', () => '/threads', {}, 400, 'ValidationFailed', 'body.topic'],
    ['a blank topic', 'POST', () => '/threads', { topic: '   ' }, 400, 'ValidationFailed', 'body.topic'],
    [
      'a topic over 250 characters',
      'POST',
      () => '/threads',
      { topic: 'x'.repeat(251) },
      400,
      'ValidationFailed',
      'body.topic',
    ],
    ['an unknown field', 'POST', () => '/threads', { topic: 't', owner: 'me' }, 400, 'ValidationFailed'],
    [
      'metadata over 4 KB',
      'POST',
      () => '/threads',
      {
        topic: 't',
        metadata: {
          a: 'x'.repeat(1000),
          b: 'x'.repeat(1000),
          c: 'x'.repeat(1000),
          d: 'x'.repeat(1000),
          e: 'x'.repeat(1000),
        },
      },
      400,
      'ValidationFailed',
      'body.metadata',
    ],
    [
      'non-string metadata values',
      'POST',
      () => '/threads',
      { topic: 't', metadata: { a: 1 } },
      400,
      'ValidationFailed',
    ],
    [
      'a participant with an empty userId',
      'POST',
      () => '/threads',
      { topic: 't', participants: [{ userId: '' }] },
      400,
      'ValidationFailed',
    ],
    [
      'more than 200 participants',
      'POST',
      () => '/threads',
      { topic: 't', participants: Array.from({ length: 201 }, (_, i) => ({ userId: `u${i}` })) },
      400,
      'ValidationFailed',
    ],
    [
      'an empty message',
      'POST',
      () => threadPath(threadId, '/messages'),
      { content: '' },
      400,
      'ValidationFailed',
      'body.content',
    ],
    [
      'content over 28 KB',
      'POST',
      () => threadPath(threadId, '/messages'),
      { content: big(28 * 1024 + 2) },
      400,
      'ValidationFailed',
      'body.content',
    ],
    [
      'an unknown message type',
      'POST',
      () => threadPath(threadId, '/messages'),
      { content: 'x', type: 'topicUpdated' },
      400,
      'ValidationFailed',
      'body.type',
    ],
    [
      'a body over the 64 KB request limit',
      'POST',
      () => threadPath(threadId, '/messages'),
      { content: 'x'.repeat(70 * 1024) },
      413,
      'PayloadTooLarge',
    ],
    ['an empty edit', 'PATCH', () => threadPath(threadId, `/messages/${messageId}`), {}, 400, 'ValidationFailed'],
    ['an empty thread update', 'PATCH', () => threadPath(threadId), {}, 400, 'ValidationFailed'],
    [
      'a malformed thread id',
      'GET',
      () => '/threads/not-a-thread',
      undefined,
      400,
      'ValidationFailed',
      'path.threadId',
    ],
    [
      'a malformed message id',
      'GET',
      () => threadPath(threadId, '/messages/abc'),
      undefined,
      400,
      'ValidationFailed',
      'path.messageId',
    ],
    [
      'maxPageSize 0',
      'GET',
      () => threadPath(threadId, '/messages?maxPageSize=0'),
      undefined,
      400,
      'ValidationFailed',
      'query.maxPageSize',
    ],
    [
      'maxPageSize 201',
      'GET',
      () => threadPath(threadId, '/messages?maxPageSize=201'),
      undefined,
      400,
      'ValidationFailed',
      'query.maxPageSize',
    ],
    [
      'maxPageSize not a number',
      'GET',
      () => '/threads?maxPageSize=ten',
      undefined,
      400,
      'ValidationFailed',
      'query.maxPageSize',
    ],
    [
      'a malformed startTime',
      'GET',
      () => threadPath(threadId, '/messages?startTime=yesterday'),
      undefined,
      400,
      'ValidationFailed',
      'query.startTime',
    ],
    [
      'a read receipt without messageId',
      'POST',
      () => threadPath(threadId, '/read-receipts'),
      {},
      400,
      'ValidationFailed',
    ],
    [
      'an empty participants list',
      'POST',
      () => threadPath(threadId, '/participants'),
      { participants: [] },
      400,
      'ValidationFailed',
    ],
    [
      'a malformed shareHistoryTime',
      'POST',
      () => threadPath(threadId, '/participants'),
      { participants: [{ userId: 'b', shareHistoryTime: 'soon' }] },
      400,
      'ValidationFailed',
    ],
    ['an unknown message', 'GET', () => threadPath(threadId, '/messages/1'), undefined, 404, 'MessageNotFound'],
    ['an unknown thread', 'GET', () => threadPath('19:doesnotexist@thread.v2'), undefined, 404, 'ThreadNotFound'],
  ];

  it.each(cases.map((testCase) => ({ label: testCase[0], status: testCase[4], testCase })))(
    'answers $label with $status',
    async ({ testCase }) => {
      const [, method, path, json, status, code, target] = testCase;
      const res = await alice.request<ErrorBody>(method, path(), json);
      expect(res.status).toBe(status);
      expect(res.body.error).toEqual(
        expect.objectContaining({ code, message: expect.any(String), requestId: expect.any(String) }),
      );
      if (target) expect(res.body.error.details?.map((detail) => detail.target)).toContain(target);
    },
  );

  it('accepts content of exactly 28 KB', async () => {
    const res = await alice.request('POST', threadPath(threadId, '/messages'), { content: 'x'.repeat(28 * 1024) });
    expect(res.status).toBe(201);
  });

  it('refuses a non-JSON content type', async () => {
    const res = await call<ErrorBody>(`${stack.apiBaseUrl}/threads`, {
      method: 'POST',
      token: alice.token,
      body: 'topic=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UnsupportedMediaType');
  });
});
