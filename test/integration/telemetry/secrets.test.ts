import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

import { type ApiUser, signIn, threadPath } from '../../helpers/api';
import { call } from '../../helpers/http';
import { startTestStack, type TestStack } from '../../helpers/stack';
import { InMemoryTelemetry } from '../../helpers/telemetry';

const MINUTE = 60_000;
const MARK = 'zq7secret';
const SECRET_EMAIL = `${MARK}.mailbox@example.com`;

/** Everything an exporter receives, as text: span names, attributes, events, links, status; metric names and points. */
async function exported(telemetry: InMemoryTelemetry): Promise<string> {
  const spans = telemetry.spans().map((span: ReadableSpan) => ({
    name: span.name,
    attributes: span.attributes,
    events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
    links: span.links.map((link) => link.attributes),
    status: span.status,
    resource: span.resource.attributes,
  }));
  return JSON.stringify({ spans, metrics: await telemetry.metrics() });
}

/**
 * A user's whole path through the backend with secrets at every turn (bearer tokens, ACS tokens, the emulators' keys,
 * Web PubSub client URLs, SAS links, unsubscribe tokens, message content, topics, names, metadata, report notes, email
 * addresses, ids), then every span and metric the exporters received searched for each of them.
 */
describe('telemetry carries no secrets, content, addresses or raw ids', () => {
  const telemetry = new InMemoryTelemetry();
  let stack: TestStack;
  let alice: ApiUser;
  let bob: ApiUser;
  const secrets: string[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack(
      {},
      {
        chatEvents: true,
        emulatorClock: true,
        email: true,
        contentSafety: true,
        telemetry: telemetry.export,
      },
    );
    stack.contentSafety!.control.setSeverityTerms([{ term: 'menace', category: 'Violence', severity: 5 }]);
    alice = await signIn(stack, `${MARK}-alice`, { name: `${MARK} Alice`, email: `alice.${SECRET_EMAIL}` });
    bob = await signIn(stack, `${MARK}-bob`, { name: `${MARK} Bob`, email: SECRET_EMAIL });
    secrets.push(alice.token, bob.token);
    for (const key of [
      /accesskey=([^;]+)/i.exec(stack.info.acs.connectionString ?? '')?.[1],
      /accesskey=([^;]+)/i.exec(stack.info.webPubSub?.connectionString ?? '')?.[1],
      stack.info.contentSafety?.key,
      /AccountKey=([^;]+)/i.exec(
        'connectionString' in stack.info.storage ? stack.info.storage.connectionString : '',
      )?.[1],
    ]) {
      expect(key).toBeTruthy();
      secrets.push(key!);
    }
  });
  afterAll(async () => {
    await stack?.close();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  });

  it('walks every path with secrets in it', async () => {
    for (const user of [alice, bob]) {
      const issued = await user.request<{ token: string; acsUserId: string }>('POST', '/token');
      expect(issued.status).toBe(200);
      secrets.push(issued.body.token);
      ids.push(user.userId, issued.body.acsUserId);
    }
    const created = await alice.request<{ thread: { id: string } }>('POST', '/threads', {
      topic: `${MARK} topic`,
      participants: [{ userId: bob.userId, displayName: `${MARK} display` }],
      metadata: { note: `${MARK} thread metadata` },
    });
    expect(created.status).toBe(201);
    const threadId = created.body.thread.id;
    ids.push(threadId);
    const sent = await alice.request<{ id: string }>('POST', threadPath(threadId, '/messages'), {
      content: `<p>${MARK} message content</p>`,
      type: 'html',
      senderDisplayName: `${MARK} sender`,
      metadata: { note: `${MARK} message metadata` },
    });
    expect(sent.status).toBe(201);
    const messageId = sent.body.id;
    expect(
      (await alice.request('PATCH', threadPath(threadId, `/messages/${messageId}`), { content: `${MARK} edited` }))
        .status,
    ).toBe(200);
    expect(
      (await bob.request('POST', threadPath(threadId, '/typing'), { senderDisplayName: `${MARK} typist` })).status,
    ).toBe(204);
    expect(
      (
        await bob.request('POST', threadPath(threadId, `/messages/${messageId}/reports`), {
          reason: 'spam',
          note: `${MARK} note`,
        })
      ).status,
    ).toBe(201);
    const negotiated = await bob.request<{ url: string }>('POST', '/realtime/negotiate');
    expect(negotiated.status).toBe(200);
    secrets.push(new URL(negotiated.body.url).searchParams.get('access_token')!);
    const upload = await alice.request<{ uploadUrl: string }>('POST', threadPath(threadId, '/attachments'), {
      name: `${MARK}.txt`,
      contentType: 'text/plain',
      size: 5,
    });
    expect(upload.status).toBe(201);
    secrets.push(new URL(upload.body.uploadUrl).searchParams.get('sig')!);
    expect(
      (
        await alice.request('PUT', '/me/notifications', {
          email: { enabled: true, address: `set.${SECRET_EMAIL}`, delayMinutes: 5 },
        })
      ).status,
    ).toBe(200);
    // Refused input: a blocklisted word, a bad body, a forged token.
    expect((await alice.request('POST', threadPath(threadId, '/messages'), { content: `${MARK} menace` })).status).toBe(
      422,
    );
    expect((await alice.request('POST', '/threads', { topic: 42, secret: `${MARK} bad body` })).status).toBe(400);
    const forged = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(`{"sub":"${MARK}"}`).toString('base64url')}.c2ln`;
    expect((await call(`${stack.apiBaseUrl}/inbox`, { token: forged })).status).toBe(401);
    secrets.push(forged);

    // Events, then bob's away email (his address, a preview of the content), then its unsubscribe link.
    await stack.emulator!.control.flushEvents();
    stack.emulator!.control.advanceClock(20 * MINUTE);
    await stack.runTimer('sendAwayEmails');
    const [email] = stack
      .emulator!.control.email.messages()
      .filter((m) => m.to.some((r) => r.address === SECRET_EMAIL));
    expect(email).toBeDefined();
    const unsubscribe = /<([^>]+)>/.exec(email!.headers['List-Unsubscribe'] ?? '')![1]!;
    secrets.push(new URL(unsubscribe).searchParams.get('token')!);
    expect((await call(unsubscribe, { method: 'POST' })).status).toBe(200);
    expect((await bob.request('POST', threadPath(threadId, '/read-receipts'), { messageId })).status).toBe(204);
    expect((await bob.request('GET', '/me/export')).status).toBe(200);
    expect((await alice.request('DELETE', threadPath(threadId, `/messages/${messageId}`))).status).toBe(204);
    await stack.emulator!.control.flushEvents();
    expect(telemetry.spans().length).toBeGreaterThan(100);
  });

  it('sends none of them to an exporter', async () => {
    const text = await exported(telemetry);
    for (const secret of secrets) expect(text).not.toContain(secret);
    for (const id of ids) expect(text).not.toContain(id);
    expect(text).not.toContain(MARK);
    expect(text).not.toContain('example.com');
    // No JWT at all, no SAS signature, no key=value credential.
    expect(text).not.toMatch(/eyJ[\w-]{5,}\.[\w-]{5,}/);
    expect(text).not.toMatch(/(sig|accesskey|accountkey)=/i);
    // What is there says who and where only as pseudonyms.
    expect(text).toMatch(/"chat\.user":"u-[\w-]{16}"/);
    expect(text).toMatch(/"chat\.thread":"t-[\w-]{16}"/);
    expect(text).toMatch(/"eventgrid\.subject":"thread\/t-[\w-]{16}\/sender\/a-[\w-]{16}/);
  });

  it('keeps tokens and keys out of the logs too', () => {
    const logs = JSON.stringify(stack.logs.map((record) => record.args.map(String)));
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});

describe('TELEMETRY_INCLUDE_USER_IDS=true', () => {
  const telemetry = new InMemoryTelemetry();
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ TELEMETRY_INCLUDE_USER_IDS: 'true' }, { telemetry: telemetry.export });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('names app users and threads by their ids, and still no token', async () => {
    const carol = await signIn(stack, 'otel-named-carol');
    const created = await carol.request<{ thread: { id: string } }>('POST', '/threads', { topic: 'named' });
    expect(created.status).toBe(201);
    const [request] = telemetry.spans().filter((span) => span.name === 'POST /api/threads');
    expect(request!.attributes['chat.user']).toBe('otel-named-carol');
    const [read] = telemetry.spans().filter((span) => span.name === 'GET /api/threads/{threadId}');
    expect(read).toBeUndefined();
    expect((await carol.request('GET', threadPath(created.body.thread.id))).status).toBe(200);
    const [got] = telemetry.spans().filter((span) => span.name === 'GET /api/threads/{threadId}');
    expect(got!.attributes['chat.thread']).toBe(created.body.thread.id);
    expect(await exported(telemetry)).not.toContain(carol.token);
  });
});
