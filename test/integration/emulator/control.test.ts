import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';
import { CommunicationIdentityClient } from '@azure/communication-identity';

import { EmulatorControlClient, startEmulator } from '../../../emulator';
import { signRequest } from '../../../emulator/acs/hmac';
import { all, raw, statusOf, useEmulator } from './helpers';

const env = useEmulator();

afterEach(() => {
  env().emu.control.clearFaults();
  env().emu.control.setRateLimiting(false);
});

describe('control API', () => {
  it('is refused without the key, with a wrong key and with a user token (401)', async () => {
    const { emu, newUser } = env();
    const alice = await newUser();
    expect((await raw(emu, 'GET', '/_emulator/counts')).status).toBe(401);
    expect((await raw(emu, 'GET', '/_emulator/counts', { 'x-emulator-key': 'nope' })).status).toBe(401);
    expect((await raw(emu, 'GET', '/_emulator/counts', { authorization: `Bearer ${alice.token}` })).status).toBe(401);
    expect((await raw(emu, 'GET', '/_emulator/counts', { 'x-emulator-key': emu.accessKey })).status).toBe(200);
    const url = new URL('_emulator/stats', emu.endpoint);
    expect((await raw(emu, 'GET', url.pathname, signRequest(emu.accessKey, 'GET', url))).status).toBe(200);
  });

  it('counts requests per operation (in process and over HTTP) and resets the counts', async () => {
    const { emu, newUser } = env();
    const http = EmulatorControlClient.fromConnectionString(emu.connectionString, emu.caCertPem);
    emu.control.resetCounts();
    const alice = await newUser();
    const { chatThread } = await alice.chat.createChatThread({ topic: 'count' });
    const tc = alice.thread(chatThread?.id ?? '');
    await tc.sendMessage({ content: '1' });
    await tc.sendMessage({ content: '2' });
    await all(tc.listMessages({ maxPageSize: 2 }));
    const expected = {
      'identity.createUser': 1,
      'chat.createThread': 1,
      'chat.sendMessage': 2,
      'chat.listMessages': 2,
    };
    expect(emu.control.requestCounts()).toEqual(expected);
    expect(await http.requestCounts()).toEqual(expected);
    await http.resetCounts();
    expect(emu.control.requestCounts()).toEqual({});
  });

  it('inspects identities and threads and moves the clock over HTTP', async () => {
    const { emu, newUser } = env();
    const http = EmulatorControlClient.fromConnectionString(emu.connectionString, emu.caCertPem);
    const alice = await newUser();
    const { chatThread } = await alice.chat.createChatThread({ topic: 'inspect' });
    const id = chatThread?.id ?? '';
    await alice.thread(id).sendMessage({ content: 'm' });
    expect((await http.listIdentities()).map((i) => i.id)).toContain(alice.id);
    expect((await http.listThreads()).find((t) => t.id === id)).toMatchObject({
      topic: 'inspect',
      deleted: false,
      participantCount: 1,
      messageCount: 3,
    });
    const details = await http.getThread(id);
    expect(details?.messages.map((m) => m.type)).toEqual(['topicUpdated', 'participantAdded', 'text']);
    expect(await http.getThread('19:nope@thread.v2')).toBeUndefined();
    expect((await http.stats()).liveThreads).toBeGreaterThanOrEqual(1);
    const before = Date.now();
    expect(await http.advanceClock(3_600_000)).toBeGreaterThanOrEqual(before + 3_600_000);
    await http.resetClock();
    expect(Math.abs(emu.control.now() - Date.now())).toBeLessThan(1000);
  });
});

describe('fault injection through the SDK', () => {
  it('an injected 503 with Retry-After is retried by the SDK and then succeeds', async () => {
    const { emu, newUser } = env();
    const alice = await newUser();
    const { chatThread } = await alice.chat.createChatThread({ topic: 'faults' });
    emu.control.resetCounts();
    emu.control.injectFault({ operation: 'chat.sendMessage', status: 503, count: 1, retryAfterMs: 20 });
    const sent = await alice.thread(chatThread?.id ?? '').sendMessage({ content: 'eventually' });
    expect(sent.id).toBeDefined();
    expect(emu.control.requestCounts()['chat.sendMessage']).toBe(2);
    expect(
      env()
        .recorded.filter((r) => r.operation === 'chat.sendMessage')
        .map((r) => r.status)
        .slice(-2),
    ).toEqual([503, 201]);
  });

  it('failures beyond the SDK retries surface with their status (429, 503, 500)', async () => {
    const { emu, newUser } = env();
    const alice = await newUser();
    const { chatThread } = await alice.chat.createChatThread({ topic: 'faults' });
    const tc = alice.thread(chatThread?.id ?? '');
    for (const status of [429, 503, 500]) {
      emu.control.resetCounts();
      emu.control.injectFault({ operation: 'chat.getThread', status, count: 10, retryAfterMs: 5 });
      const err = await tc.getProperties().catch((e: unknown) => e);
      expect(err).toMatchObject({ statusCode: status });
      expect(emu.control.requestCounts()['chat.getThread']).toBe(4); // first try + 3 retries
      emu.control.clearFaults();
    }
    const r = await raw(emu, 'GET', '/chat/threads?api-version=2025-03-15', { authorization: `Bearer ${alice.token}` });
    expect(r.status).toBe(200);
    emu.control.injectFault({ operation: 'chat.listThreads', status: 429, retryAfterSeconds: 7 });
    const throttled = await raw(emu, 'GET', '/chat/threads?api-version=2025-03-15', {
      authorization: `Bearer ${alice.token}`,
    });
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('7');
    expect(throttled.json).toEqual({ error: { code: 'TooManyRequests', message: 'Rate limit exceeded.' } });
  });

  it('identity operations can fail too (a 500 on createUser is retried)', async () => {
    const { emu, identity } = env();
    emu.control.injectFault({ operation: 'identity.createUser', status: 500, count: 2 });
    expect((await identity.createUser()).communicationUserId).toMatch(/^8:acs:/);
    emu.control.injectFault({ operation: '*', status: 500, count: 4 });
    expect(await statusOf(identity.createUser())).toBe(500);
  });

  it('adds latency', async () => {
    const { emu, newUser } = env();
    const alice = await newUser();
    emu.control.injectFault({ operation: 'chat.listThreads', latencyMs: 150, count: 1 });
    const t0 = Date.now();
    await all(alice.chat.listChatThreads());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('drops the connection: retried by the SDK once, an error when it persists', async () => {
    const { emu, newUser } = env();
    const alice = await newUser();
    emu.control.injectFault({ operation: 'chat.listThreads', drop: true, count: 1 });
    await all(alice.chat.listChatThreads());
    emu.control.injectFault({ operation: 'chat.listThreads', drop: true, count: 10 });
    const err = (await all(alice.chat.listChatThreads()).catch((e: unknown) => e)) as {
      code?: string;
      statusCode?: number;
    };
    expect(err.statusCode).toBeUndefined();
    expect(err.code).toMatch(/ECONNRESET|socket hang up|REQUEST_SEND_ERROR/);
  });

  it('fails a percentage of calls (100% always, 0% never) until cleared', async () => {
    const { emu, newUser } = env();
    const alice = await newUser();
    const path = '/chat/threads?api-version=2025-03-15';
    const auth = { authorization: `Bearer ${alice.token}` };
    emu.control.injectFault({ operation: 'chat.listThreads', status: 500, percent: 0 });
    expect((await raw(emu, 'GET', path, auth)).status).toBe(200);
    emu.control.clearFaults();
    emu.control.injectFault({ operation: 'chat.listThreads', status: 500, percent: 100 });
    for (let i = 0; i < 3; i++) expect((await raw(emu, 'GET', path, auth)).status).toBe(500);
    expect(emu.control.listFaults()[0]?.hits).toBe(3);
    emu.control.clearFaults();
    expect((await raw(emu, 'GET', path, auth)).status).toBe(200);
  });

  it('rejects malformed fault specs over HTTP (400)', async () => {
    const { emu } = env();
    const res = await raw(
      emu,
      'POST',
      '/_emulator/faults',
      { 'x-emulator-key': emu.accessKey, 'content-type': 'application/json' },
      JSON.stringify({ operation: 'chat.sendMessage' }),
    );
    expect(res.status).toBe(400);
  });
});

describe('optional rate limiting (off by default)', () => {
  it('throttles sendMessage per thread like the service limits, with Retry-After', async () => {
    const { emu, newUser } = env();
    const alice = await newUser();
    const { chatThread } = await alice.chat.createChatThread({ topic: 'busy' });
    const path = `/chat/threads/${encodeURIComponent(chatThread?.id ?? '')}/messages?api-version=2025-03-15`;
    const headers = { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' };
    const send = () => raw(emu, 'POST', path, headers, JSON.stringify({ content: 'x' }));
    for (let i = 0; i < 12; i++) expect((await send()).status).toBe(201); // off by default
    emu.control.setRateLimiting(true);
    const statuses: number[] = [];
    let retryAfter: unknown;
    for (let i = 0; i < 11; i++) {
      const r = await send();
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers['retry-after'];
    }
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(10);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });
});

describe('reset and persistence', () => {
  it('reset() forgets identities and threads', async () => {
    const emu = await startEmulator();
    try {
      const identity = new CommunicationIdentityClient(emu.connectionString, { tlsOptions: { ca: emu.caCertPem } });
      await identity.createUser();
      expect(emu.control.listIdentities()).toHaveLength(1);
      emu.control.reset();
      expect(emu.control.listIdentities()).toHaveLength(0);
    } finally {
      await emu.close();
    }
  });

  it('with a data directory, state, keys, certificate and access key survive a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'acs-emu-persist-'));
    try {
      const first = await startEmulator({ dataDir: dir });
      const opts = { tlsOptions: { ca: first.caCertPem } };
      const identity = new CommunicationIdentityClient(first.connectionString, opts);
      const { user, token } = await identity.createUserAndToken(['chat']);
      const chat = new ChatClient(first.endpoint, new AzureCommunicationTokenCredential(token), opts);
      const { chatThread } = await chat.createChatThread({ topic: 'kept' });
      const { id: msgId } = await chat.getChatThreadClient(chatThread?.id ?? '').sendMessage({ content: 'still here' });
      await first.close();

      const second = await startEmulator({ dataDir: dir });
      try {
        expect(second.caCertPem).toBe(first.caCertPem);
        expect(second.accessKey).toBe(first.accessKey);
        const chat2 = new ChatClient(second.endpoint, new AzureCommunicationTokenCredential(token), opts);
        const tc = chat2.getChatThreadClient(chatThread?.id ?? '');
        expect((await tc.getMessage(msgId)).content?.message).toBe('still here');
        const { id: next } = await tc.sendMessage({ content: 'after restart' });
        expect(Number(next)).toBeGreaterThan(Number(msgId));
        expect(second.control.listIdentities().map((i) => i.id)).toEqual([user.communicationUserId]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
