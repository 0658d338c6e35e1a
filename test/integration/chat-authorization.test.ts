import { randomUUID } from 'node:crypto';

import { type ApiUser, signIn, threadPath } from '../helpers/api';
import { call } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/stack';

type Role = 'owner' | 'participant' | 'removed' | 'stranger' | 'admin' | 'anonymous';
const ROLES: Role[] = ['owner', 'participant', 'removed', 'stranger', 'admin', 'anonymous'];

interface Fixture {
  threadId: string;
  ownerMessageId: string;
  participantMessageId: string;
  users: Record<Exclude<Role, 'anonymous'>, ApiUser>;
}

interface Endpoint {
  name: string;
  method: string;
  path: (fixture: Fixture) => string;
  body?: (fixture: Fixture) => unknown;
  expected: Record<Role, number>;
}

const anonymousIs401 = { anonymous: 401 } as const;
const participantsOnly = (ok: number): Record<Role, number> => ({
  owner: ok,
  participant: ok,
  removed: 404,
  stranger: 404,
  admin: 404,
  ...anonymousIs401,
});

const ENDPOINTS: Endpoint[] = [
  {
    name: 'list threads',
    method: 'GET',
    path: () => '/threads',
    expected: { owner: 200, participant: 200, removed: 200, stranger: 200, admin: 200, ...anonymousIs401 },
  },
  {
    name: 'create thread',
    method: 'POST',
    path: () => '/threads',
    body: () => ({ topic: 'another' }),
    expected: { owner: 201, participant: 201, removed: 201, stranger: 201, admin: 201, ...anonymousIs401 },
  },
  { name: 'get thread', method: 'GET', path: (f) => threadPath(f.threadId), expected: participantsOnly(200) },
  {
    name: 'update thread',
    method: 'PATCH',
    path: (f) => threadPath(f.threadId),
    body: () => ({ topic: 'renamed' }),
    expected: { owner: 200, participant: 403, removed: 404, stranger: 404, admin: 404, ...anonymousIs401 },
  },
  {
    name: 'delete thread',
    method: 'DELETE',
    path: (f) => threadPath(f.threadId),
    expected: { owner: 204, participant: 403, removed: 404, stranger: 404, admin: 204, ...anonymousIs401 },
  },
  {
    name: 'send message',
    method: 'POST',
    path: (f) => threadPath(f.threadId, '/messages'),
    body: () => ({ content: 'hello' }),
    expected: participantsOnly(201),
  },
  {
    name: 'list messages',
    method: 'GET',
    path: (f) => threadPath(f.threadId, '/messages'),
    expected: participantsOnly(200),
  },
  {
    name: 'get message',
    method: 'GET',
    path: (f) => threadPath(f.threadId, `/messages/${f.ownerMessageId}`),
    expected: participantsOnly(200),
  },
  {
    name: "edit the owner's message",
    method: 'PATCH',
    path: (f) => threadPath(f.threadId, `/messages/${f.ownerMessageId}`),
    body: () => ({ content: 'edited' }),
    expected: { owner: 200, participant: 403, removed: 404, stranger: 404, admin: 404, ...anonymousIs401 },
  },
  {
    name: "delete the participant's message",
    method: 'DELETE',
    path: (f) => threadPath(f.threadId, `/messages/${f.participantMessageId}`),
    expected: { owner: 204, participant: 204, removed: 404, stranger: 404, admin: 404, ...anonymousIs401 },
  },
  {
    name: "delete the owner's message",
    method: 'DELETE',
    path: (f) => threadPath(f.threadId, `/messages/${f.ownerMessageId}`),
    expected: { owner: 204, participant: 403, removed: 404, stranger: 404, admin: 404, ...anonymousIs401 },
  },
  {
    name: 'send read receipt',
    method: 'POST',
    path: (f) => threadPath(f.threadId, '/read-receipts'),
    body: (f) => ({ messageId: f.ownerMessageId }),
    expected: participantsOnly(204),
  },
  {
    name: 'list read receipts',
    method: 'GET',
    path: (f) => threadPath(f.threadId, '/read-receipts'),
    expected: participantsOnly(200),
  },
  {
    name: 'typing',
    method: 'POST',
    path: (f) => threadPath(f.threadId, '/typing'),
    body: () => ({}),
    expected: participantsOnly(204),
  },
  {
    name: 'list participants',
    method: 'GET',
    path: (f) => threadPath(f.threadId, '/participants'),
    expected: participantsOnly(200),
  },
  {
    name: 'add participants',
    method: 'POST',
    path: (f) => threadPath(f.threadId, '/participants'),
    body: () => ({ participants: [{ userId: `az-new-${randomUUID()}` }] }),
    expected: participantsOnly(200),
  },
  {
    name: 'remove the participant',
    method: 'DELETE',
    path: (f) => threadPath(f.threadId, `/participants/${encodeURIComponent(f.users.participant.userId)}`),
    expected: { owner: 204, participant: 204, removed: 404, stranger: 404, admin: 204, ...anonymousIs401 },
  },
  {
    name: 'remove the owner',
    method: 'DELETE',
    path: (f) => threadPath(f.threadId, `/participants/${encodeURIComponent(f.users.owner.userId)}`),
    expected: { owner: 204, participant: 403, removed: 404, stranger: 404, admin: 204, ...anonymousIs401 },
  },
  {
    name: 'issue token',
    method: 'POST',
    path: () => '/token',
    expected: { owner: 200, participant: 200, removed: 200, stranger: 200, admin: 200, ...anonymousIs401 },
  },
  {
    name: 'revoke tokens',
    method: 'DELETE',
    path: () => '/token',
    expected: { owner: 204, participant: 204, removed: 204, stranger: 204, admin: 204, ...anonymousIs401 },
  },
];

describe('authorization matrix over real HTTP', () => {
  let stack: TestStack;
  let users: Fixture['users'];

  beforeAll(async () => {
    stack = await startTestStack();
    const [owner, participant, removed, stranger, admin] = await Promise.all([
      signIn(stack, 'az-owner'),
      signIn(stack, 'az-participant'),
      signIn(stack, 'az-removed'),
      signIn(stack, 'az-stranger'),
      signIn(stack, 'az-admin', { roles: ['Chat.Admin'] }),
    ]);
    users = { owner: owner, participant: participant, removed: removed, stranger: stranger, admin: admin };
  });
  afterAll(() => stack.close());

  let fixtures = 0;
  /**
   * A fresh thread per case: owner, participant, and someone who was a participant and left. Each case has an owner
   * of its own, as real threads do: ACS lets one user create 10 threads per 10 s, and the emulator enforces it.
   */
  async function fixture(): Promise<Fixture> {
    fixtures += 1;
    // The same participant, removed user and stranger act in every case; each case gets a fresh 10 s of ACS time
    // (ACS allows each user 50 thread reads per 10 s, for instance).
    stack.emulator!.control.advanceClock(10_000);
    const owner = await signIn(stack, `az-owner-${fixtures}`);
    const created = await owner.request<{ thread: { id: string } }>('POST', '/threads', {
      topic: 'matrix',
      participants: [{ userId: users.participant.userId }, { userId: users.removed.userId }],
    });
    expect(created.status).toBe(201);
    const threadId = created.body.thread.id;
    const ownerMessage = await owner.request<{ id: string }>('POST', threadPath(threadId, '/messages'), {
      content: 'from owner',
    });
    const participantMessage = await users.participant.request<{ id: string }>(
      'POST',
      threadPath(threadId, '/messages'),
      { content: 'from participant' },
    );
    expect(
      (await users.removed.request('DELETE', threadPath(threadId, `/participants/${users.removed.userId}`))).status,
    ).toBe(204);
    return {
      threadId,
      ownerMessageId: ownerMessage.body.id,
      participantMessageId: participantMessage.body.id,
      users: { ...users, owner },
    };
  }

  const cases = ENDPOINTS.flatMap((endpoint) =>
    ROLES.map((role) => [endpoint.name, role, endpoint.expected[role], endpoint] as const),
  );

  it.each(cases)('%s as %s → %i', async (_name, role, expected, endpoint) => {
    const f = await fixture();
    const url = `${stack.apiBaseUrl}${endpoint.path(f)}`;
    const body = endpoint.body?.(f);
    const res = await call<{ error?: { code: string; requestId: string } }>(url, {
      method: endpoint.method,
      ...(role === 'anonymous' ? {} : { token: f.users[role].token }),
      ...(body !== undefined ? { json: body } : {}),
    });
    expect(res.status).toBe(expected);
    if (expected >= 400)
      expect(res.body.error).toEqual(
        expect.objectContaining({ code: expect.any(String), requestId: expect.any(String) }),
      );
  });
});
