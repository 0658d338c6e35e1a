import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';
import { CommunicationIdentityClient } from '@azure/communication-identity';

import { createServices } from '../../src/composition';
import { call } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/stack';

interface IssuedToken {
  userId: string;
  acsUserId: string;
  token: string;
  expiresOn: string;
  scopes: string[];
  endpoint: string;
}

const totalCalls = (counts: Record<string, number>): number =>
  Object.values(counts).reduce((sum, count) => sum + count, 0);

describe('POST/DELETE /api/token', () => {
  let stack: TestStack;
  let chatOptions: { tlsOptions: { ca: string }; retryOptions: { maxRetries: number } };

  beforeAll(async () => {
    stack = await startTestStack({ USER_TOKEN_SCOPES: 'chat.join.limited,chat.join' });
    chatOptions = { tlsOptions: { ca: stack.emulator!.caCertPem }, retryOptions: { maxRetries: 0 } };
  });
  afterAll(() => stack.close());

  const issue = async (userId: string, json?: unknown) =>
    call<IssuedToken>(`${stack.apiBaseUrl}/token`, {
      method: 'POST',
      token: await stack.token(userId),
      ...(json !== undefined ? { json } : {}),
    });

  it('issues a chat.join.limited token for the caller by default', async () => {
    const before = Date.now();
    const res = await issue('tok-alice');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      userId: 'tok-alice',
      acsUserId: expect.stringMatching(/^8:acs:/),
      token: expect.any(String),
      expiresOn: expect.any(String),
      scopes: ['chat.join.limited'],
      endpoint: stack.emulator!.endpoint,
    });
    const lifetimeMinutes = (Date.parse(res.body.expiresOn) - before) / 60_000;
    expect(lifetimeMinutes).toBeGreaterThan(58);
    expect(lifetimeMinutes).toBeLessThan(61);
    // The same user keeps the same ACS identity.
    expect((await issue('tok-alice')).body.acsUserId).toBe(res.body.acsUserId);
  });

  it('validates scopes and lifetime', async () => {
    expect((await issue('tok-bob', { scopes: ['chat'] })).status).toBe(403);
    expect((await issue('tok-bob', { scopes: ['voip'] })).status).toBe(403);
    expect((await issue('tok-bob', { scopes: ['admin'] })).status).toBe(400);
    expect((await issue('tok-bob', { expiresInMinutes: 59 })).status).toBe(400);
    expect((await issue('tok-bob', { expiresInMinutes: 1441 })).status).toBe(400);
    expect((await issue('tok-bob', { expiresInMinutes: '120' })).status).toBe(400);
    expect((await issue('tok-bob', { unexpected: true })).status).toBe(400);
    const granted = await issue('tok-bob', { scopes: ['chat.join'], expiresInMinutes: 120 });
    expect(granted.status).toBe(200);
    expect(granted.body.scopes).toEqual(['chat.join']);
    expect((Date.parse(granted.body.expiresOn) - Date.now()) / 60_000).toBeGreaterThan(118);
  });

  it('gives 50 concurrent first calls of a new user one ACS identity and 50 tokens', async () => {
    const before = new Set(stack.emulator!.control.listIdentities().map((identity) => identity.id));
    const token = await stack.token('tok-burst');
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => call<IssuedToken>(`${stack.apiBaseUrl}/token`, { method: 'POST', token })),
    );
    expect(responses.map((res) => res.status)).toEqual(Array(50).fill(200));
    const acsUserIds = new Set(responses.map((res) => res.body.acsUserId));
    expect(acsUserIds.size).toBe(1);
    // Every caller got a token of its own request, for that one identity.
    for (const res of responses) {
      const payload = JSON.parse(Buffer.from(res.body.token.split('.')[1]!, 'base64url').toString()) as {
        skypeid: string;
      };
      expect(`8:${payload.skypeid}`).toBe(res.body.acsUserId);
    }
    const created = stack.emulator!.control.listIdentities().filter((identity) => !before.has(identity.id));
    expect(created.map((identity) => identity.id)).toEqual([...acsUserIds]);
  });

  it('leaves one identity and no orphan when two instances race for the same new user', async () => {
    const before = new Set(stack.emulator!.control.listIdentities().map((identity) => identity.id));
    const acsClientOptions = { tlsOptions: { ca: stack.emulator!.caCertPem } };
    const [first, second] = await Promise.all([
      createServices(stack.config, { acsClientOptions }),
      createServices(stack.config, { acsClientOptions }),
    ]);
    const ids = await Promise.all([first.identity.acsUserIdFor('tok-race'), second.identity.acsUserIdFor('tok-race')]);
    expect(ids[0]).toBe(ids[1]);
    const created = stack.emulator!.control.listIdentities().filter((identity) => !before.has(identity.id));
    expect(created.filter((identity) => !identity.deleted).map((identity) => identity.id)).toEqual([ids[0]]);
    expect(await first.identity.userIdFor(ids[0])).toBe('tok-race');
  });

  it('returns a token that works with the official ChatClient within its scope only, until revoked', async () => {
    const carol = (await issue('tok-carol')).body;
    const chat = new ChatClient(carol.endpoint, new AzureCommunicationTokenCredential(carol.token), chatOptions);

    // chat.join.limited: cannot create threads directly against ACS.
    await expect(chat.createChatThread({ topic: 'direct' })).rejects.toMatchObject({ statusCode: 403 });

    // A thread made by someone with full rights, with carol in it: she can post, but not add people.
    const admin = new CommunicationIdentityClient(stack.emulator!.connectionString, {
      tlsOptions: { ca: stack.emulator!.caCertPem },
    });
    const owner = await admin.createUserAndToken(['chat']);
    const ownerChat = new ChatClient(carol.endpoint, new AzureCommunicationTokenCredential(owner.token), chatOptions);
    const created = await ownerChat.createChatThread(
      { topic: 'with carol' },
      { participants: [{ id: owner.user }, { id: { communicationUserId: carol.acsUserId } }] },
    );
    const threadId = created.chatThread!.id;
    const carolThread = chat.getChatThreadClient(threadId);
    await expect(carolThread.sendMessage({ content: 'hi' })).resolves.toMatchObject({ id: expect.any(String) });
    const stranger = await admin.createUser();
    await expect(carolThread.addParticipants({ participants: [{ id: stranger }] })).rejects.toMatchObject({
      statusCode: 403,
    });

    // DELETE /api/token revokes it.
    const revoked = await call(`${stack.apiBaseUrl}/token`, {
      method: 'DELETE',
      token: await stack.token('tok-carol'),
    });
    expect(revoked.status).toBe(204);
    await expect(carolThread.sendMessage({ content: 'after revoke' })).rejects.toMatchObject({ statusCode: 401 });
    // A fresh token works again.
    const fresh = (await issue('tok-carol')).body;
    const freshChat = new ChatClient(fresh.endpoint, new AzureCommunicationTokenCredential(fresh.token), chatOptions);
    await expect(freshChat.getChatThreadClient(threadId).sendMessage({ content: 'back' })).resolves.toBeTruthy();
  });

  it('revoking for a user who never had a token is a no-op 204', async () => {
    expect(
      (await call(`${stack.apiBaseUrl}/token`, { method: 'DELETE', token: await stack.token('tok-never') })).status,
    ).toBe(204);
  });

  it('stays within the upstream budget', async () => {
    const control = stack.emulator!.control;
    // New user (fresh instance caches are irrelevant: the user does not exist anywhere): 1 ACS call, <= 2 Tables
    // writes.
    control.resetCounts();
    stack.tablesCalls.reset();
    expect((await issue('tok-budget')).status).toBe(200);
    expect(totalCalls(control.requestCounts())).toBe(1);
    expect(stack.tablesCalls.writes).toBeLessThanOrEqual(2);

    // Known user, mapping cached in this instance: 1 ACS call, 1 Tables read (the user's ban, read fresh before a
    // token is issued: an instance's ban snapshot may be up to 30 s old, a token lives an hour).
    control.resetCounts();
    stack.tablesCalls.reset();
    expect((await issue('tok-budget')).status).toBe(200);
    expect(totalCalls(control.requestCounts())).toBe(1);
    expect(stack.tablesCalls.reads).toBe(1);
    expect(stack.tablesCalls.writes).toBe(0);

    // Known user on a fresh instance (cold caches): 1 ACS call, 3 Tables reads (the identity mapping, the instance's
    // ban snapshot, which then serves every other route for 30 s, and the user's ban read fresh).
    const cold = await startTestStack(
      { TABLE_NAME_PREFIX: stack.config.tables.tableNamePrefix },
      { emulator: stack.emulator! },
    );
    try {
      const known = await cold.issuer.mint('tok-budget');
      // Warm the cold instance's own set-up (table creation) before counting.
      await call(`${cold.apiBaseUrl}/health`);
      cold.tablesCalls.reset();
      control.resetCounts();
      const res = await call<IssuedToken>(`${cold.apiBaseUrl}/token`, { method: 'POST', token: known });
      expect(res.status).toBe(200);
      expect(totalCalls(control.requestCounts())).toBe(1);
      expect(cold.tablesCalls.reads).toBe(3);
      expect(cold.tablesCalls.writes).toBe(0);
    } finally {
      await cold.close();
    }
  });

  it('keeps tokens, keys and connection strings out of every log line and error body', async () => {
    stack.logs.length = 0;
    const callerJwt = await stack.token('tok-logs', { name: 'Log Person' });
    const issued = await call<IssuedToken>(`${stack.apiBaseUrl}/token`, { method: 'POST', token: callerJwt });
    const errors = [
      await call(`${stack.apiBaseUrl}/token`, { method: 'POST', token: callerJwt, json: { scopes: ['voip'] } }),
      await call(`${stack.apiBaseUrl}/token`, { method: 'POST', token: `${callerJwt}x` }),
      await call(`${stack.apiBaseUrl}/token`, {
        method: 'POST',
        token: callerJwt,
        body: '{"scopes":',
        headers: { 'content-type': 'application/json' },
      }),
    ];
    await call(`${stack.apiBaseUrl}/token`, { method: 'DELETE', token: callerJwt });
    const secrets = [
      callerJwt,
      issued.body.token,
      stack.emulator!.accessKey,
      stack.config.tables.kind === 'connectionString' ? stack.config.tables.connectionString : '',
    ];
    const logged = JSON.stringify(stack.logs);
    expect(stack.logs.length).toBeGreaterThan(3);
    for (const secret of secrets.filter(Boolean)) {
      expect(logged).not.toContain(secret);
      for (const res of errors) expect(res.text).not.toContain(secret);
    }
    expect(logged).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
    expect(logged).not.toMatch(/accesskey=|AccountKey=/i);
  });
});
