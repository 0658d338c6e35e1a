import { attachmentsContainer } from '../helpers/blob';
import { call } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/stack';

interface Health {
  status: string;
  checks: Record<string, string>;
}

describe('GET /api/health', () => {
  let stack: TestStack;
  afterEach(() => stack?.close());

  it('is anonymous and checks Storage, ACS, Web PubSub and the attachments container', async () => {
    stack = await startTestStack();
    const res = await call<Health>(`${stack.apiBaseUrl}/health`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      checks: { storage: 'ok', acs: 'ok', webPubSub: 'ok', attachments: 'ok' },
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 503 without details when ACS is unavailable', async () => {
    stack = await startTestStack();
    stack.emulator!.control.injectFault({
      operation: 'chat.listThreads',
      status: 503,
      count: 100,
      retryAfterSeconds: 0,
    });
    const res = await call<Health>(`${stack.apiBaseUrl}/health`);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: 'degraded',
      checks: { storage: 'ok', acs: 'unavailable', webPubSub: 'ok', attachments: 'ok' },
    });
    expect(res.text).not.toMatch(/https?:\/\/|error|503/i);
  });

  it('reports a missing attachments container as limited: chat works, only files cannot be shared', async () => {
    stack = await startTestStack();
    await attachmentsContainer(stack).delete();
    const res = await call<Health>(`${stack.apiBaseUrl}/health`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'limited',
      checks: { storage: 'ok', acs: 'ok', webPubSub: 'ok', attachments: 'unavailable' },
    });
  });

  it('answers 503 when Storage cannot be reached', async () => {
    stack = await startTestStack({
      TABLES_CONNECTION_STRING:
        'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;',
    });
    const res = await call<Health>(`${stack.apiBaseUrl}/health`);
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('degraded');
    expect(res.body.checks.storage).toBe('unavailable');
    // The API answers a clean 503 with Retry-After, not a 500.
    const token = await call<{ error: { code: string } }>(`${stack.apiBaseUrl}/token`, {
      method: 'POST',
      token: await stack.token('storage-down'),
    });
    expect(token.status).toBe(503);
    expect(token.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(token.body.error.code).toBe('ServiceUnavailable');
  }, 60_000);

  it('leaves Web PubSub out when live updates are not configured, and negotiate says to poll', async () => {
    stack = await startTestStack({}, { liveUpdates: false, attachments: false });
    const res = await call<Health>(`${stack.apiBaseUrl}/health`);
    expect(res.body).toEqual({ status: 'ok', checks: { storage: 'ok', acs: 'ok' } });
    const negotiate = await call<{ error: { code: string } }>(`${stack.apiBaseUrl}/realtime/negotiate`, {
      method: 'POST',
      token: await stack.token('no-live'),
    });
    expect(negotiate.status).toBe(503);
    expect(negotiate.body.error.code).toBe('ServiceUnavailable');
    expect(negotiate.headers.get('retry-after')).toBe('300');
  });
});
