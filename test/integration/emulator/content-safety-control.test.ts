import { AzureKeyCredential } from '@azure/core-auth';
import createClient, { type ContentSafetyClient } from '@azure-rest/ai-content-safety';

import {
  ContentSafetyControlClient,
  type RunningContentSafetyEmulator,
  startContentSafetyEmulator,
} from '../../../emulator/contentsafety';

/** The Content Safety emulator's control API: faults, outage, delay, rate limits, counts; in process and over HTTP. */

let emu: RunningContentSafetyEmulator;

function clientFor(maxRetries: number): ContentSafetyClient {
  return createClient(emu.endpoint, new AzureKeyCredential(emu.key), {
    apiVersion: '2024-09-01',
    tlsOptions: { ca: emu.caCertPem },
    retryOptions: { maxRetries, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
}

const analyze = (client: ContentSafetyClient) => client.path('/text:analyze').post({ body: { text: 'hello' } });

beforeAll(async () => {
  emu = await startContentSafetyEmulator();
});

afterEach(() => emu.control.reset());

afterAll(() => emu.close());

describe('Content Safety emulator: control API', () => {
  test('injected 429 and 503 carry Retry-After and the documented codes; the SDK retries them by itself', async () => {
    const noRetry = clientFor(0);
    emu.control.injectFault({ operation: 'text.analyze', status: 429, count: 1, retryAfterSeconds: 7 });
    const throttled = await analyze(noRetry);
    expect(throttled.status).toBe('429');
    expect(throttled.headers['retry-after']).toBe('7');
    expect(throttled.body).toEqual({ error: { code: 'TooManyRequests', message: expect.any(String) } });

    emu.control.injectFault({ operation: 'blocklists.*', status: 503, count: 1 });
    const busy = await noRetry.path('/text/blocklists').get();
    expect(busy.status).toBe('503');
    expect(busy.headers['retry-after']).toBe('1');
    expect(busy.headers['x-ms-error-code']).toBe('ServerBusy');
    expect((await noRetry.path('/text/blocklists').get()).status).toBe('200');

    emu.control.resetCounts();
    emu.control.injectFault({ operation: '*', status: 503, count: 2, retryAfterMs: 10 });
    expect((await analyze(clientFor(3))).status).toBe('200');
    expect(emu.control.requestCounts()).toEqual({ 'text.analyze': 3 });
  });

  test('an outage answers 503 ServerBusy with Retry-After until it ends; a delay holds every call', async () => {
    const client = clientFor(0);
    emu.control.startOutage({ forMs: 5000 });
    const down = await analyze(client);
    expect(down.status).toBe('503');
    expect(Number(down.headers['retry-after'])).toBeGreaterThanOrEqual(4);
    emu.control.endOutage();
    expect((await analyze(client)).status).toBe('200');

    emu.control.setDelay(300);
    const started = Date.now();
    expect((await analyze(client)).status).toBe('200');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  test('rate limiting is on at the S0 rate by default and applies to text:analyze only', async () => {
    expect(emu.control.rateLimit()).toBe('S0');
    const client = clientFor(0);
    // A small custom window keeps the test fast; S0 (1000 per 10 s) and F0 (5 per s) use the same limiter.
    emu.control.setRateLimit({ limit: 3, windowSeconds: 3600 });
    for (let i = 0; i < 3; i++) expect((await analyze(client)).status).toBe('200');
    const limited = await analyze(client);
    expect(limited.status).toBe('429');
    expect(limited.headers['x-ms-error-code']).toBe('TooManyRequests');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect((await client.path('/text/blocklists').get()).status).toBe('200');

    emu.control.setRateLimit('off');
    expect((await analyze(client)).status).toBe('200');
    emu.control.reset();
    expect(emu.control.rateLimit()).toBe('S0');
  });

  test('over HTTP from another process: counts, severity terms, faults and rate limit; the key is required', async () => {
    const http = new ContentSafetyControlClient(emu.endpoint, emu.key, emu.caCertPem);
    const client = clientFor(0);
    await http.setSeverityTerms([{ term: 'grr', category: 'Hate', severity: 6 }]);
    expect(await http.severityTerms()).toEqual([{ term: 'grr', category: 'Hate', severity: 6 }]);
    const res = await client.path('/text:analyze').post({ body: { text: 'grr', categories: ['Hate'] } });
    expect(res.body).toEqual({ blocklistsMatch: [], categoriesAnalysis: [{ category: 'Hate', severity: 6 }] });
    expect(await http.requestCounts()).toEqual({ 'text.analyze': 1 });
    expect((await http.recentAnalyses()).map((a) => a.text)).toEqual(['grr']);

    await http.injectFault({ operation: 'text.analyze', status: 500 });
    expect((await analyze(client)).headers['x-ms-error-code']).toBe('InternalError');
    await http.setRateLimit('F0');
    expect(await http.rateLimit()).toBe('F0');
    await expect(http.setSeverityTerms([{ term: '', category: 'Hate', severity: 1 }])).rejects.toThrow(/400/);
    await http.reset();
    expect(await http.requestCounts()).toEqual({});

    const stranger = new ContentSafetyControlClient(emu.endpoint, 'wrong', emu.caCertPem);
    await expect(stranger.requestCounts()).rejects.toThrow(/401/);
  });
});
