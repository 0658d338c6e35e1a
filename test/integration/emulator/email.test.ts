import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { EmailClient, type EmailMessage } from '@azure/communication-email';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { RestError } from '@azure/core-rest-pipeline';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

import { EmulatorControlClient } from '../../../emulator';
import { signRequest } from '../../../emulator/acs/hmac';
import { raw, useEmulator } from './helpers';

/**
 * The ACS Email data plane of the emulator through the official `@azure/communication-email` 1.1.0 (api-version
 * 2025-09-01, and 2023-03-31 on request) and Microsoft's Python SDK (Debian's 1.0.0b2, 2021-10-01-preview). Every
 * response is checked against emulator/contract/email/ when the file is done (helpers.ts).
 */

const PYTHON = '/usr/bin/python3';
const SENDER = 'DoNotReply@contoso.azurecomm.net';

const message = (overrides: Partial<EmailMessage> = {}): EmailMessage => ({
  senderAddress: SENDER,
  content: { subject: 'You have unread messages', plainText: 'Alice wrote 3 messages.', html: '<p>Alice wrote</p>' },
  recipients: { to: [{ address: 'bob@example.com', displayName: 'Bob' }] },
  ...overrides,
});

/** A JWT shaped like an Entra access token (the emulator checks shape, audience and dates, not the signature). */
async function entraCredential(audience = 'https://communication.azure.com'): Promise<TokenCredential> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  await exportJWK(publicKey);
  const token = await new SignJWT({ oid: '00000000-0000-0000-0000-000000000001' })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setAudience(audience)
    .setIssuer('https://sts.windows.net/00000000-0000-0000-0000-000000000000/')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  return {
    getToken: (): Promise<AccessToken> => Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
}

async function restErrorOf(p: Promise<unknown>): Promise<RestError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RestError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe('the ACS emulator’s Email API through @azure/communication-email', () => {
  const env = useEmulator();
  const client = (options: { maxRetries?: number; apiVersion?: string } = {}): EmailClient => {
    const { emu, clientOptions } = env();
    return new EmailClient(emu.connectionString, {
      ...clientOptions,
      retryOptions: { ...clientOptions.retryOptions, maxRetries: options.maxRetries ?? 3 },
      ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
    });
  };

  beforeEach(() => env().emu.control.reset());

  it('accepts an email (202, Running, Operation-Location, retry-after) and the poller follows it to Succeeded', async () => {
    const { emu } = env();
    const seen: { status: number; headers: Record<string, string>; body: unknown }[] = [];
    const poller = await client().beginSend(message(), {
      onResponse: (r) => seen.push({ status: r.status, headers: r.headers.toJSON(), body: r.parsedBody }),
    });
    const first = seen[0];
    expect(first?.status).toBe(202);
    expect(first?.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'Running' });
    const id = (first?.body as { id: string }).id;
    expect(first?.headers['operation-location']).toBe(`${emu.endpoint}emails/operations/${id}?api-version=2025-09-01`);
    expect(first?.headers['retry-after']).toBe('1');
    const result = await poller.pollUntilDone();
    expect(result).toEqual({ id, status: 'Succeeded' });
    // The SDK's own pattern: one POST, a poll as beginSend returns, one as pollUntilDone starts (both Running), and
    // one after retry-after. Three status reads per email count against Learn's 60 a minute and 200 an hour.
    expect(emu.control.requestCounts()).toEqual({ 'email.send': 1, 'email.getSendResult': 3 });
    expect(emu.control.email.message(id)?.status).toBe('Succeeded');
  });

  it('serves api-version 2023-03-31 too, and says which it was asked', async () => {
    const { emu } = env();
    const result = await (await client({ apiVersion: '2023-03-31' }).beginSend(message())).pollUntilDone();
    expect(result.status).toBe('Succeeded');
    expect(emu.control.email.messages().map((m) => m.apiVersion)).toEqual(['2023-03-31']);
  });

  it('keeps every accepted email in a mailbox, in process and over HTTP, until cleared', async () => {
    const { emu } = env();
    const sent = message({
      content: {
        subject: 'Alice: 3 unread in "Lunch"',
        plainText: 'Alice: see you at 12? <script>',
        html: '<p>Alice: see you at 12? &lt;script&gt;</p>',
      },
      recipients: {
        to: [{ address: 'bob@example.com', displayName: 'Bob' }],
        cc: [{ address: 'carol@example.com' }],
        bcc: [{ address: 'audit@example.com' }],
      },
      replyTo: [{ address: 'support@contoso.com', displayName: 'Support' }],
      headers: {
        'List-Unsubscribe': '<https://chat.example.com/u/abc>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
      attachments: [{ name: 'a.txt', contentType: 'text/plain', contentInBase64: 'aGVsbG8=' }],
      disableUserEngagementTracking: true,
    });
    const result = await (await client().beginSend(sent)).pollUntilDone();
    const entry = emu.control.email.message(result.id);
    expect(entry).toEqual({
      operationId: result.id,
      apiVersion: '2025-09-01',
      status: 'Succeeded',
      acceptedAt: expect.any(String),
      completedAt: expect.any(String),
      sender: SENDER,
      to: [{ address: 'bob@example.com', displayName: 'Bob' }],
      cc: [{ address: 'carol@example.com' }],
      bcc: [{ address: 'audit@example.com' }],
      replyTo: [{ address: 'support@contoso.com', displayName: 'Support' }],
      subject: 'Alice: 3 unread in "Lunch"',
      plainText: 'Alice: see you at 12? <script>',
      html: '<p>Alice: see you at 12? &lt;script&gt;</p>',
      headers: {
        'List-Unsubscribe': '<https://chat.example.com/u/abc>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
      attachments: [{ name: 'a.txt', contentType: 'text/plain', contentInBase64: 'aGVsbG8=' }],
      userEngagementTrackingDisabled: true,
      repeats: 0,
    });
    expect(Date.parse(entry?.completedAt ?? '') - Date.parse(entry?.acceptedAt ?? '')).toBe(500);

    const http = EmulatorControlClient.fromConnectionString(emu.connectionString, emu.caCertPem);
    expect(await http.email.messages()).toEqual([entry]);
    expect(await http.email.message(result.id)).toEqual(entry);
    const listed = await raw(emu, 'GET', '/_emulator/email/messages', { 'x-emulator-key': emu.accessKey });
    expect(listed.json).toEqual({ value: [entry], count: 1 });
    await http.email.clearMessages();
    expect(emu.control.email.messages()).toEqual([]);
    expect(await http.email.message(result.id)).toBeUndefined();
    // Clearing the mailbox does not forget the operation: it can still be polled.
    const polled = await raw(emu, 'GET', `/emails/operations/${result.id}?api-version=2025-09-01`, {
      ...signRequest(
        emu.accessKey,
        'GET',
        new URL(`emails/operations/${result.id}?api-version=2025-09-01`, emu.endpoint),
      ),
    });
    expect([polled.status, polled.json]).toEqual([200, { id: result.id, status: 'Succeeded' }]);
  });

  it.each<[string, EmailMessage, string, string]>([
    [
      'a sender that is not an address',
      message({ senderAddress: 'DoNotReply' }),
      'InvalidEmailAddress',
      'senderAddress',
    ],
    [
      'a recipient that is not an address',
      message({ recipients: { to: [{ address: 'bob at example.com' }] } }),
      'InvalidEmailAddress',
      'recipients.to[0].address',
    ],
    ['no recipient at all', message({ recipients: { to: [] } }), 'BadRequest', 'recipients'],
    [
      'more than 50 recipients',
      message({ recipients: { to: Array.from({ length: 51 }, (_, i) => ({ address: `u${i}@example.com` })) } }),
      'BadRequest',
      'recipients',
    ],
    // The SDK's types want one of them; the wire does not.
    [
      'neither plain text nor html',
      message({ content: { subject: 'Hi' } as EmailMessage['content'] }),
      'BadRequest',
      'content',
    ],
    ['an empty subject', message({ content: { subject: ' ', plainText: 'x' } }), 'BadRequest', 'content.subject'],
    [
      'an attachment that is not base64',
      message({ attachments: [{ name: 'a', contentType: 'text/plain', contentInBase64: 'not base64!' }] }),
      'BadRequest',
      'attachments[0].contentInBase64',
    ],
    ['a header name with a colon', message({ headers: { 'X-A:B': 'v' } }), 'BadRequest', 'headers'],
  ])('refuses %s with 400 and the contract’s error shape', async (_name, body, code, target) => {
    const { emu } = env();
    const error = await restErrorOf(client().beginSend(body));
    expect([error.statusCode, error.code]).toEqual([400, code]);
    expect((error.details as { error: { target?: string } }).error.target).toBe(target);
    expect(emu.control.email.messages()).toEqual([]);
  });

  it('refuses a body that is not JSON, a missing or unknown api-version, and an Operation-Id that is not a uuid', async () => {
    const { emu } = env();
    const post = (query: string, body: string, headers: Record<string, string> = {}) => {
      const url = new URL(`/emails:send${query}`, emu.endpoint);
      return raw(
        emu,
        'POST',
        url.pathname + url.search,
        { ...headers, ...signRequest(emu.accessKey, 'POST', url, body) },
        body,
      );
    };
    const good = JSON.stringify(message());
    expect((await post('?api-version=2025-09-01', '{"senderAddress":')).status).toBe(400);
    expect(((await post('', good)).json as { error: { code: string } }).error.code).toBe('MissingApiVersionParameter');
    expect(((await post('?api-version=2024-01-01', good)).json as { error: { code: string } }).error.code).toBe(
      'UnsupportedApiVersion',
    );
    const badId = await post('?api-version=2025-09-01', good, { 'operation-id': 'batch-42' });
    expect([badId.status, (badId.json as { error: { target: string } }).error.target]).toEqual([400, 'Operation-Id']);
  });

  it('refuses a wrong access key with 401 and sends nothing', async () => {
    const { emu, clientOptions } = env();
    const wrong = new EmailClient(
      `endpoint=${emu.endpoint};accesskey=${Buffer.from('not the key').toString('base64')}`,
      clientOptions,
    );
    const error = await restErrorOf(wrong.beginSend(message()));
    expect([error.statusCode, error.code]).toEqual([401, 'Denied']);
    expect(emu.control.email.messages()).toEqual([]);
  });

  it('takes a Microsoft Entra bearer token for https://communication.azure.com, and no other', async () => {
    const { emu, clientOptions } = env();
    const entra = new EmailClient(emu.endpoint, await entraCredential(), clientOptions);
    expect((await (await entra.beginSend(message())).pollUntilDone()).status).toBe('Succeeded');
    const otherAudience = new EmailClient(
      emu.endpoint,
      await entraCredential('https://storage.azure.com'),
      clientOptions,
    );
    expect((await restErrorOf(otherAudience.beginSend(message()))).statusCode).toBe(401);
    // An ACS user token (what chat takes) is not an Entra token.
    const { token } = await env().identity.createUserAndToken(['chat']);
    const userToken = new EmailClient(
      emu.endpoint,
      { getToken: () => Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) },
      clientOptions,
    );
    expect((await restErrorOf(userToken.beginSend(message()))).statusCode).toBe(401);
    expect(emu.control.email.messages()).toHaveLength(1);
  });

  it('makes the client’s Operation-Id the operation id, and a repeat of it sends nothing again', async () => {
    const { emu } = env();
    const operationId = '7b1e6f1c-7c55-4a53-9d36-2a0f6f1e0b42';
    const first = await (await client().beginSend(message(), { operationId })).pollUntilDone();
    expect(first).toEqual({ id: operationId, status: 'Succeeded' });
    const again = await (await client().beginSend(message(), { operationId })).pollUntilDone();
    expect(again).toEqual({ id: operationId, status: 'Succeeded' });
    const mailbox = emu.control.email.messages();
    expect(mailbox.map((m) => [m.operationId, m.repeats])).toEqual([[operationId, 1]]);
    // Operation ids are GUIDs: the service's own are compared case-insensitively too.
    const upper = await (
      await client().beginSend(message(), { operationId: operationId.toUpperCase() })
    ).pollUntilDone();
    expect(upper.id).toBe(operationId);
    expect(emu.control.email.messages()).toHaveLength(1);
  });

  it('reports an email that failed as Failed with its error, and the poller rejects', async () => {
    const { emu } = env();
    emu.control.email.failNext();
    const poller = await client().beginSend(message());
    await expect(poller.pollUntilDone()).rejects.toThrow(/dropped/);
    const [entry] = emu.control.email.messages();
    expect([entry?.status, entry?.error]).toEqual([
      'Failed',
      { code: 'EmailDropped', message: 'Email was dropped after several attempts to deliver.' },
    ]);
  });

  it('sends only from linked domains once they are set', async () => {
    const { emu } = env();
    emu.control.email.setSenderDomains(['contoso.azurecomm.net']);
    expect((await (await client().beginSend(message())).pollUntilDone()).status).toBe('Succeeded');
    const error = await restErrorOf(client().beginSend(message({ senderAddress: 'noreply@fabrikam.com' })));
    expect([error.statusCode, error.code, error.message]).toEqual([
      404,
      'DomainNotLinked',
      'The specified sender domain has not been linked.',
    ]);
    expect(emu.control.email.messages()).toHaveLength(1);
  });

  it('enforces Learn’s default limit of 30 emails a minute: the 31st is 429 with Retry-After to the window’s end', async () => {
    const { emu } = env();
    const noRetry = client({ maxRetries: 0 });
    // Start at the beginning of a fixed minute window so that the 30 do not straddle two.
    const now = emu.control.now();
    emu.control.advanceClock(60_000 - (now % 60_000));
    for (let i = 0; i < 30; i++) await noRetry.beginSend(message());
    const error = await restErrorOf(noRetry.beginSend(message()));
    expect([error.statusCode, error.code]).toEqual([429, 'TooManyRequests']);
    const retryAfter = Number(error.response?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(55);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(emu.control.email.messages()).toHaveLength(30);
    // A minute later the next 30 may go, up to the 100 an hour.
    emu.control.advanceClock(60_000);
    await noRetry.beginSend(message());
    expect(emu.control.email.messages()).toHaveLength(31);
  });

  it('enforces 100 emails an hour, and setRateLimiting(false) or the control API lifts the limits', async () => {
    const { emu } = env();
    const noRetry = client({ maxRetries: 0 });
    const now = emu.control.now();
    emu.control.advanceClock(3_600_000 - (now % 3_600_000));
    for (let minute = 0; minute < 4; minute++) {
      for (let i = 0; i < 25; i++) await noRetry.beginSend(message());
      emu.control.advanceClock(60_000);
    }
    const error = await restErrorOf(noRetry.beginSend(message()));
    expect(error.statusCode).toBe(429);
    expect(Number(error.response?.headers.get('retry-after'))).toBeGreaterThan(3_000);
    emu.control.setRateLimiting(false);
    await noRetry.beginSend(message());
    emu.control.setRateLimiting(true);
    emu.control.email.setRateLimit('off');
    await noRetry.beginSend(message());
    expect(emu.control.email.messages()).toHaveLength(102);
    emu.control.email.setRateLimit('AzureManagedDomain');
    for (let i = 0; i < 5; i++) await noRetry.beginSend(message());
    expect((await restErrorOf(noRetry.beginSend(message()))).statusCode).toBe(429);
  });

  it('lets the SDK wait out Retry-After and retry by itself, once the window has passed', async () => {
    const { emu } = env();
    const http = EmulatorControlClient.fromConnectionString(emu.connectionString, emu.caCertPem);
    await http.email.setRateLimit({ send: [{ limit: 1, windowSeconds: 1 }], status: [] });
    expect(await http.email.rateLimit()).toEqual({ send: [{ limit: 1, windowSeconds: 1 }], status: [] });
    await client().beginSend(message());
    const started = Date.now();
    const seen: number[] = [];
    const second = await client().beginSend(message(), { onResponse: (r) => seen.push(r.status) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect((await second.pollUntilDone()).status).toBe('Succeeded');
    expect(seen[0]).toBe(202);
    expect(emu.control.requestCounts()['email.send']).toBeGreaterThanOrEqual(3);
    expect(emu.control.email.messages()).toHaveLength(2);
  });
});

describe('the 2021-10-01-preview send: repeatable requests as Learn documents them', () => {
  const env = useEmulator();
  beforeEach(() => env().emu.control.reset());

  const body = JSON.stringify({
    sender: SENDER,
    content: { subject: 'Preview', plainText: 'hello' },
    recipients: { to: [{ email: 'bob@example.com' }] },
  });
  const send = (payload: string, requestId: string, firstSent: string) => {
    const { emu } = env();
    const url = new URL('/emails:send?api-version=2021-10-01-preview', env().emu.endpoint);
    return raw(
      emu,
      'POST',
      url.pathname + url.search,
      {
        'content-type': 'application/json',
        'repeatability-request-id': requestId,
        'repeatability-first-sent': firstSent,
        ...signRequest(emu.accessKey, 'POST', url, payload),
      },
      payload,
    );
  };
  const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const now = () => new Date().toUTCString();

  it('runs a request once: a repeat within 5 minutes gets the first answer, another body 400, an old one 412', async () => {
    const { emu } = env();
    const first = await send(body, id, now());
    expect([first.status, first.headers['repeatability-result'], first.text]).toEqual([202, 'accepted', '']);
    const messageId = first.headers['x-ms-request-id'];
    expect(first.headers['operation-location']).toBe(`${emu.endpoint}emails/${String(messageId)}/status`);
    const repeat = await send(body, id, now());
    expect([repeat.status, repeat.headers['x-ms-request-id']]).toEqual([202, messageId]);
    expect(emu.control.email.messages().map((m) => [m.operationId, m.repeats])).toEqual([[messageId, 1]]);

    const other = await send(body.replace('hello', 'bye'), id, now());
    expect([other.status, other.headers['repeatability-result']]).toEqual([400, 'rejected']);
    const old = await send(body, randomId(), new Date(Date.now() - 6 * 60_000).toUTCString());
    expect([old.status, old.headers['repeatability-result']]).toEqual([412, 'rejected']);
    expect((await send(body, 'not-a-guid', now())).status).toBe(400);
    expect((await send(body, randomId(), 'yesterday')).status).toBe(400);
    expect(emu.control.email.messages()).toHaveLength(1);
  });

  it('answers a repeat of a refused request with the same 4xx, without running it again', async () => {
    const bad = body.replace(SENDER, 'nobody');
    const requestId = randomId();
    const first = await send(bad, requestId, now());
    const again = await send(bad, requestId, now());
    expect([first.status, again.status, again.headers['repeatability-result']]).toEqual([400, 400, 'accepted']);
    expect(again.json).toEqual(first.json);
  });
});

function randomId(): string {
  return crypto.randomUUID();
}

function pythonEmailSdkAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import azure.communication.email'], { stdio: 'ignore' }).status === 0;
}

// In CI (.ci/run installs python3-azure) a missing SDK is a failure; elsewhere the test says it skipped.
const pythonAvailable = pythonEmailSdkAvailable();
const describeWithPython = pythonAvailable || process.env.CI === 'true' ? describe : describe.skip;
if (!pythonAvailable && process.env.CI !== 'true')
  console.info('Python Email SDK test skipped: apt-get install -y python3-azure to run it');

describeWithPython('the ACS emulator’s Email API through Microsoft’s Python SDK', () => {
  const env = useEmulator();

  it('sends one email (2021-10-01-preview) and polls it until it is out for delivery', async () => {
    const { emu } = env();
    // Asynchronously: the emulator answers in this process, so it must not be blocked while Python runs.
    const { stdout } = await promisify(execFile)(
      PYTHON,
      [path.join(__dirname, 'python', 'email_client.py'), emu.connectionString],
      { encoding: 'utf8', timeout: 60_000, env: { ...process.env, REQUESTS_CA_BUNDLE: emu.caCertPath } },
    );
    const run = JSON.parse(stdout) as { messageId: string; statuses: string[]; badStatus: number };
    expect(run.statuses.at(-1)).toBe('outForDelivery');
    expect(run.statuses.slice(0, -1).every((s) => s === 'queued')).toBe(true);
    expect(run.badStatus).toBe(400);
    expect(emu.control.email.messages()).toEqual([
      expect.objectContaining({
        operationId: run.messageId,
        apiVersion: '2021-10-01-preview',
        status: 'Succeeded',
        sender: 'DoNotReply@contoso.azurecomm.net',
        to: [{ address: 'bob@example.com', displayName: 'Bob' }],
        cc: [{ address: 'carol@example.com' }],
        subject: 'Hello from Python',
        plainText: 'Sent by azure-communication-email.',
        headers: { 'List-Unsubscribe': '<https://example.com/u/bob>' },
        importance: 'high',
      }),
    ]);
  });
});
