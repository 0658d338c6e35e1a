import { FaultInjector, faultResponse } from '../../../emulator/acs/faults';
import { rawIdOf, toIdentifierModel } from '../../../emulator/acs/identifiers';
import { MessageIdSource, newThreadId } from '../../../emulator/acs/ids';
import { decodeState, encodeState, nextLink, offsetPage, parseMaxPageSize } from '../../../emulator/acs/paging';
import { RateLimiter } from '../../../emulator/acs/ratelimit';
import { matchRoute, OPERATIONS, pathSegments } from '../../../emulator/acs/router';
import { entraTokenAccepted } from '../../../emulator/common/entra';
import { validEmailRateLimit } from '../../../emulator/email/control';
import { rateRules } from '../../../emulator/email/limits';
import { gaMessage, previewMessage } from '../../../emulator/email/validate';

describe('router', () => {
  it('maps SDK paths (percent-encoded ids, literal :actions) to operations', () => {
    const segs = pathSegments('/chat/threads/19%3Aabc%40thread.v2/participants/:add');
    expect(segs).toEqual(['chat', 'threads', '19:abc@thread.v2', 'participants', ':add']);
    expect(matchRoute('POST', segs ?? [])).toEqual({ operation: 'chat.addParticipants', params: ['19:abc@thread.v2'] });
    expect(matchRoute('POST', pathSegments('/identities/8%3Aacs%3Ar_1/:issueAccessToken') ?? [])).toEqual({
      operation: 'identity.issueToken',
      params: ['8:acs:r_1'],
    });
    expect(matchRoute('PUT', ['chat', 'threads'])).toBe('method');
    expect(matchRoute('GET', ['nope'])).toBeUndefined();
    expect(pathSegments('/bad/%E0%A4%A')).toBeUndefined();
    expect(new Set(OPERATIONS).size).toBe(OPERATIONS.length);
  });

  it('routes the Email API on the same front door', () => {
    expect(matchRoute('POST', pathSegments('/emails:send') ?? [])).toEqual({ operation: 'email.send', params: [] });
    const id = '8540c0de-899f-5cce-acb5-3ec493af3800';
    expect(matchRoute('GET', ['emails', 'operations', id])).toEqual({ operation: 'email.getSendResult', params: [id] });
    expect(matchRoute('GET', ['emails', id, 'status'])).toEqual({ operation: 'email.getSendStatus', params: [id] });
    expect(matchRoute('GET', ['emails:send'])).toBe('method');
  });
});

describe('paging', () => {
  it('encodes opaque state and an absolute nextLink with maxPageSize and api-version', () => {
    const link = new URL(nextLink('https://127.0.0.1:1', '/chat/threads', { o: 4, s: 5 }, 2, '2025-03-15'));
    expect(decodeState(link.searchParams.get('syncState') ?? '')).toEqual({ o: 4, s: 5 });
    expect(link.searchParams.get('maxPageSize')).toBe('2');
    expect(link.searchParams.get('api-version')).toBe('2025-03-15');
    expect(() => decodeState('!!!')).toThrow();
    expect(decodeState(encodeState({ c: 1 }))).toEqual({ c: 1 });
  });

  it('validates maxPageSize (1..200)', () => {
    expect(parseMaxPageSize(new URLSearchParams(''))).toBe(100);
    expect(parseMaxPageSize(new URLSearchParams('maxPageSize=200'))).toBe(200);
    for (const bad of ['0', '201', '-1', '1.5', 'x'])
      expect(() => parseMaxPageSize(new URLSearchParams(`maxPageSize=${bad}`))).toThrow();
  });

  it('pages by offset with skip and ends without nextLink', () => {
    const link = { baseUrl: 'https://h', path: '/p', apiVersion: 'v' };
    const first = offsetPage([1, 2, 3, 4, 5], new URLSearchParams('skip=1'), undefined, 2, link);
    expect(first.value).toEqual([2, 3]);
    const state = decodeState(new URL(first.nextLink ?? '').searchParams.get('syncState') ?? '');
    expect(offsetPage([1, 2, 3, 4, 5], new URLSearchParams(), state, 2, link)).toEqual({ value: [4, 5] });
  });
});

describe('faults', () => {
  it('fires for the next N calls of the operation only, then disappears', () => {
    const f = new FaultInjector();
    f.add({ operation: 'chat.sendMessage', status: 503, count: 2 });
    expect(f.decide('chat.getThread').fault).toBeUndefined();
    expect(f.decide('chat.sendMessage').fault?.status).toBe(503);
    expect(f.decide('chat.sendMessage').fault?.status).toBe(503);
    expect(f.decide('chat.sendMessage').fault).toBeUndefined();
    expect(f.size).toBe(0);
  });

  it('fires for a percentage of calls using the random source', () => {
    const rolls = [0.1, 0.9];
    const f = new FaultInjector(() => rolls.shift() ?? 0);
    f.add({ operation: '*', status: 500, percent: 50 });
    expect(f.decide('a').fault).toBeDefined();
    expect(f.decide('a').fault).toBeUndefined();
  });

  it('adds latency and drops, and builds service-like error responses with Retry-After', () => {
    const f = new FaultInjector();
    f.add({ operation: 'x', latencyMs: 10 });
    f.add({ operation: 'x', drop: true });
    expect(f.decide('x')).toEqual({ latencyMs: 10, drop: true });
    const r = faultResponse({ id: 'i', operation: 'x', status: 429, hits: 1, retryAfterMs: 5 });
    expect(r).toEqual({
      status: 429,
      headers: { 'retry-after': '1', 'retry-after-ms': '5' },
      body: { error: { code: 'TooManyRequests', message: 'Rate limit exceeded.' } },
    });
    expect(() => f.add({ operation: 'x' })).toThrow();
    expect(() => f.add({ operation: 'x', status: 200 })).toThrow();
  });
});

describe('rate limiter', () => {
  it('is on by default, limits per window and recovers in the next one; off when asked', () => {
    const off = new RateLimiter(false);
    for (let i = 0; i < 20; i++) off.check('chat.createThread', 0, 'u');
    const r = new RateLimiter();
    for (let i = 0; i < 10; i++) r.check('chat.createThread', 1000, 'u');
    expect(() => r.check('chat.createThread', 1000, 'u')).toThrow(
      expect.objectContaining({ status: 429, headers: { 'retry-after': '9' } }),
    );
    r.check('chat.createThread', 1000, 'other-user');
    r.check('chat.createThread', 10_000, 'u');
  });
});

describe('ids and identifiers', () => {
  it('makes realistic ids', () => {
    expect(newThreadId()).toMatch(/^19:acsV1_[a-z2-7]{52}@thread\.v2$/);
    const ids = new MessageIdSource();
    const a = ids.next(1000);
    const b = ids.next(1000);
    expect(Number(b)).toBe(Number(a) + 1);
    ids.observe('5000');
    expect(ids.next(10)).toBe('5001');
  });

  it('converts identifier models both ways', () => {
    expect(toIdentifierModel('8:acs:r_1')).toEqual({ rawId: '8:acs:r_1', communicationUser: { id: '8:acs:r_1' } });
    expect(toIdentifierModel('4:+15551234')).toEqual({ rawId: '4:+15551234', phoneNumber: { value: '+15551234' } });
    expect(rawIdOf({ communicationUser: { id: '8:acs:r_2' } })).toBe('8:acs:r_2');
    expect(rawIdOf({ rawId: '8:acs:r_3' })).toBe('8:acs:r_3');
    expect(rawIdOf('x')).toBeUndefined();
  });
});

describe('email pieces', () => {
  const gaBody = {
    senderAddress: 'DoNotReply@x.azurecomm.net',
    content: { subject: 's', html: '<p>h</p>' },
    recipients: { to: [], bcc: [{ address: 'b@example.com' }] },
    headers: { 'List-Unsubscribe': '<https://x/u>' },
  };

  it('turns both wire shapes into one mailbox record', () => {
    expect(gaMessage(gaBody)).toEqual({
      sender: 'DoNotReply@x.azurecomm.net',
      to: [],
      cc: [],
      bcc: [{ address: 'b@example.com' }],
      replyTo: [],
      subject: 's',
      html: '<p>h</p>',
      headers: { 'List-Unsubscribe': '<https://x/u>' },
      attachments: [],
    });
    const preview = previewMessage(
      {
        sender: 'a@x.com',
        content: { subject: 's', plainText: 't' },
        recipients: { to: [{ email: 'b@example.com', displayName: 'B' }], bCC: [{ email: 'c@example.com' }] },
        headers: [{ name: 'X-Id', value: '1' }],
        attachments: [{ name: 'a.pdf', attachmentType: 'pdf', contentBytesBase64: 'aGk=' }],
      },
      new Set(['pdf']),
    );
    expect(preview).toMatchObject({
      to: [{ address: 'b@example.com', displayName: 'B' }],
      bcc: [{ address: 'c@example.com' }],
      headers: { 'X-Id': '1' },
      attachments: [{ name: 'a.pdf', contentType: 'pdf', contentInBase64: 'aGk=' }],
      importance: 'normal',
    });
  });

  it.each([
    ['a header value with a line break', { ...gaBody, headers: { 'X-A': 'a\r\nBcc: evil@example.com' } }],
    ['no recipients key', { ...gaBody, recipients: { cc: [{ address: 'b@example.com' }] } }],
    ['a tracking flag that is not a boolean', { ...gaBody, userEngagementTrackingDisabled: 'yes' }],
    [
      'a display name that is not a string',
      { ...gaBody, recipients: { to: [{ address: 'b@x.com', displayName: 1 }] } },
    ],
  ])('refuses %s', (_name, body) => {
    expect(() => gaMessage(body)).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('limits sends and status reads per Learn tier, per fixed window', () => {
    expect(rateRules('CustomDomain')).toEqual({
      'email.send': [
        { scope: 'resource', windowSec: 60, limit: 30 },
        { scope: 'resource', windowSec: 3600, limit: 100 },
      ],
      'email.status': [
        { scope: 'resource', windowSec: 60, limit: 60 },
        { scope: 'resource', windowSec: 3600, limit: 200 },
      ],
    });
    expect(rateRules('AzureManagedDomain')['email.send']?.map((r) => r.limit)).toEqual([5, 10]);
    expect(rateRules('off')).toEqual({});
    expect(() => validEmailRateLimit({ send: [{ limit: 0, windowSeconds: 1 }] })).toThrow();
    expect(validEmailRateLimit({ send: [{ limit: 2, windowSeconds: 1 }] })).toEqual({
      send: [{ limit: 2, windowSeconds: 1 }],
      status: [],
    });
  });

  it('accepts Entra tokens for the audience only, in date, not alg none', () => {
    const jwt = (header: object, claims: object): string =>
      [header, claims].map((p) => Buffer.from(JSON.stringify(p)).toString('base64url')).join('.') + '.c2ln';
    const now = Date.now();
    const exp = Math.floor(now / 1000) + 600;
    const aud = 'https://communication.azure.com';
    expect(entraTokenAccepted(jwt({ alg: 'RS256' }, { aud, exp }), [aud], now)).toBe(true);
    expect(entraTokenAccepted(jwt({ alg: 'RS256' }, { aud: `${aud}/`, exp }), [aud], now)).toBe(true);
    expect(entraTokenAccepted(jwt({ alg: 'none' }, { aud, exp }), [aud], now)).toBe(false);
    expect(entraTokenAccepted(jwt({ alg: 'RS256' }, { aud: 'https://x', exp }), [aud], now)).toBe(false);
    expect(entraTokenAccepted(jwt({ alg: 'RS256' }, { aud, exp: exp - 1_200 }), [aud], now)).toBe(false);
    expect(entraTokenAccepted('opaque', [aud], now)).toBe(false);
  });
});
