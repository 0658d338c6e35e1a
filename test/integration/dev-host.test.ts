import { randomUUID } from 'node:crypto';

import { HttpResponse, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';

import { type DevHost, type LogRecord, startDevHost } from '../../dev/host';
import type { FunctionDefinition, HttpFunctionDefinition } from '../../src/functions/definition';
import { readJsonBody } from '../../src/http/body';
import { httpHandler, ok } from '../../src/http/handler';
import { call } from '../helpers/http';

/** A fixture route table that exercises the host semantics our functions rely on. */
const doc = { summary: 'fixture', responses: { 200: 'ok' } };
const timerRuns: string[] = [];
/** What handlers return, in the shapes the dev host writes without building a fetch Response. */
const RESPONSE_SHAPES: HttpResponseInit[] = [
  { jsonBody: { a: 1, text: 'é ✓' } },
  { status: 202, jsonBody: [1, 2], headers: { 'X-Trace': 't', 'Content-Type': 'application/problem+json' } },
  { status: 204, jsonBody: { ignored: true }, headers: { 'x-request-id': 'r' } },
  { status: 200 },
  { status: 404, jsonBody: null },
  { status: 200, jsonBody: 'a JSON string' },
];
const fixtures: FunctionDefinition[] = [
  {
    kind: 'http',
    name: 'echoMessage',
    methods: ['GET', 'DELETE'],
    route: 'threads/{threadId}/messages/{messageId}',
    doc,
    handler: httpHandler(async ({ request }) =>
      ok({
        params: request.params,
        query: Object.fromEntries(request.query),
        method: request.method,
        header: request.headers.get('x-test'),
      }),
    ),
  },
  {
    kind: 'http',
    name: 'createThing',
    methods: ['POST'],
    route: 'things',
    doc,
    handler: httpHandler(async ({ request }) => {
      const body = await readJsonBody(request, z.object({ name: z.string().min(1) }), { maxBytes: 1024 });
      return { status: 201, jsonBody: body, cookies: [{ name: 'session', value: 'abc', httpOnly: true, path: '/' }] };
    }),
  },
  {
    kind: 'http',
    name: 'plainText',
    methods: ['GET'],
    route: 'text/{name?}',
    doc,
    handler: async (request) => ({
      status: 203,
      body: `hello ${request.params.name ?? 'world'}`,
      headers: { 'x-custom': 'yes', 'content-type': 'text/plain' },
    }),
  },
  {
    kind: 'http',
    name: 'responseShape',
    methods: ['GET'],
    route: 'shapes/{index:int}',
    doc,
    handler: async (request) => RESPONSE_SHAPES[Number(request.params.index)]!,
  },
  {
    kind: 'http',
    name: 'literalWins',
    methods: ['GET'],
    route: 'things/special',
    doc,
    handler: httpHandler(async () => ok({ literal: true })),
  },
  {
    kind: 'http',
    name: 'thingById',
    methods: ['GET'],
    route: 'things/{id:int}',
    doc,
    handler: httpHandler(async ({ request }) => ok({ id: request.params.id })),
  },
  {
    kind: 'http',
    name: 'crash',
    methods: ['GET'],
    route: 'crash',
    doc,
    handler: httpHandler(async () => {
      throw new Error('boom with accesskey=supersecret');
    }),
  },
  {
    kind: 'timer',
    name: 'sweepThings',
    schedule: '0 */5 * * * *',
    handler: async (timer, context) => {
      context.log('sweeping', { pastDue: timer.isPastDue });
      timerRuns.push(context.functionName);
    },
  },
];

describe('dev host serving a route table', () => {
  let host: DevHost;
  const logs: LogRecord[] = [];

  beforeAll(async () => {
    host = await startDevHost({
      functions: fixtures,
      port: 0,
      log: (record) => logs.push(record),
      corsOrigins: ['http://localhost:3000'],
    });
  });
  afterAll(() => host.close());

  it('passes decoded path parameters, query and headers as an HttpRequest', async () => {
    const threadId = '19:abc@thread.v2';
    const res = await call<{
      params: Record<string, string>;
      query: Record<string, string>;
      method: string;
      header: string;
    }>(`${host.apiBaseUrl}/threads/${encodeURIComponent(threadId)}/messages/42?maxPageSize=5`, {
      headers: { 'x-test': 'yes' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      params: { threadId, messageId: '42' },
      query: { maxPageSize: '5' },
      method: 'GET',
      header: 'yes',
    });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('matches literal segments case-insensitively and before parameters, and honours constraints', async () => {
    expect((await call(`${host.apiBaseUrl}/THINGS/special`)).body).toEqual({ literal: true });
    expect((await call(`${host.apiBaseUrl}/things/7`)).body).toEqual({ id: '7' });
    expect((await call(`${host.apiBaseUrl}/things/seven`)).status).toBe(404);
  });

  it('answers 404 with the error body for an unknown route', async () => {
    for (const path of ['/api/nope', '/api/threads/x/messages', '/elsewhere']) {
      const res = await call<{ error: { code: string; requestId: string } }>(`${host.origin}${path}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NotFound');
      expect(res.body.error.requestId).toBeTruthy();
    }
  });

  it('answers 405 with an Allow header for a wrong method', async () => {
    const res = await call<{ error: { code: string } }>(`${host.apiBaseUrl}/things`, { method: 'PUT', json: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.body.error.code).toBe('MethodNotAllowed');
  });

  it('maps status, JSON body and cookies of the function response', async () => {
    const res = await call<{ name: string }>(`${host.apiBaseUrl}/things`, { method: 'POST', json: { name: 'x' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ name: 'x' });
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.headers.get('set-cookie')).toBe('session=abc; Path=/; HttpOnly');
  });

  it('answers plain JSON responses exactly as HttpResponse would convert them', async () => {
    for (const [index, init] of RESPONSE_SHAPES.entries()) {
      const expected = new HttpResponse(init);
      const res = await fetch(`${host.apiBaseUrl}/shapes/${index}`);
      expect({ index, status: res.status, body: await res.text() }).toEqual({
        index,
        status: expected.status,
        body: await expected.text(),
      });
      for (const [name, value] of expected.headers)
        expect({ index, [name]: res.headers.get(name) }).toEqual({ index, [name]: value });
    }
  });

  it('answers CORS preflights for allowed origins only and exposes the headers clients need', async () => {
    const preflight = (origin: string) =>
      fetch(`${host.apiBaseUrl}/things`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
    const allowed = await preflight('http://localhost:3000');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(allowed.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect((await preflight('https://evil.example')).status).toBe(403);
    const simple = await fetch(`${host.apiBaseUrl}/things/special`, { headers: { origin: 'http://localhost:3000' } });
    expect(simple.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(simple.headers.get('access-control-expose-headers')).toContain('x-request-id');
    const foreign = await fetch(`${host.apiBaseUrl}/things/special`, { headers: { origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('maps a plain body, custom headers and optional route parameters', async () => {
    const named = await fetch(`${host.apiBaseUrl}/text/ada`);
    expect(named.status).toBe(203);
    expect(named.headers.get('x-custom')).toBe('yes');
    expect(named.headers.get('content-type')).toBe('text/plain');
    expect(await named.text()).toBe('hello ada');
    expect(await (await fetch(`${host.apiBaseUrl}/text`)).text()).toBe('hello world');
  });

  it.each([
    ['malformed JSON', '{"name":', 'InvalidJson', 400],
    ['an empty body', '', 'BodyRequired', 400],
    ['a schema violation', '{"name":""}', 'ValidationFailed', 400],
    ['a body over the limit', JSON.stringify({ name: 'x'.repeat(2000) }), 'PayloadTooLarge', 413],
  ])('answers %s with a clear 4xx and the error body, never a 500', async (_label, body, code, status) => {
    const res = await call<{ error: { code: string; message: string; requestId: string } }>(
      `${host.apiBaseUrl}/things`,
      {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      },
    );
    expect(res.status).toBe(status);
    expect(res.body.error).toEqual(
      expect.objectContaining({ code, message: expect.any(String), requestId: res.headers.get('x-request-id') }),
    );
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('turns an unexpected error into a 500 without internals, and keeps secrets out of the logs', async () => {
    const res = await call<{ error: { code: string; message: string } }>(`${host.apiBaseUrl}/crash`);
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('InternalError');
    expect(res.text).not.toContain('boom');
    const logged = JSON.stringify(logs);
    expect(logged).toContain('boom');
    expect(logged).not.toContain('supersecret');
  });

  it('runs a timer function through POST /admin/functions/{name}', async () => {
    const before = timerRuns.length;
    const res = await call(`${host.origin}/admin/functions/sweepThings`, { method: 'POST', json: { input: '' } });
    expect(res.status).toBe(202);
    expect(timerRuns.length).toBe(before + 1);
    expect(logs.some((record) => record.functionName === 'sweepThings' && record.args[0] === 'sweeping')).toBe(true);
    expect((await call(`${host.origin}/admin/functions/${randomUUID()}`, { method: 'POST' })).status).toBe(404);
    expect((await call(`${host.origin}/admin/functions/sweepThings`)).status).toBe(405);
  });

  it('refuses cross-origin browser requests to the admin API and never sends it CORS headers', async () => {
    const before = timerRuns.length;
    for (const origin of ['http://localhost:3000', 'https://evil.example']) {
      const res = await call(`${host.origin}/admin/functions/sweepThings`, {
        method: 'POST',
        headers: { Origin: origin },
        json: { input: '' },
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
    const preflight = await fetch(`${host.origin}/admin/functions/sweepThings`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(timerRuns.length).toBe(before);
    // The dev host's own origin (its own pages) may.
    const own = await call(`${host.origin}/admin/functions/sweepThings`, {
      method: 'POST',
      headers: { Origin: host.origin },
      json: { input: '' },
    });
    expect(own.status).toBe(202);
  });

  it('routes only http definitions and reports invocation logs with the function name', async () => {
    const httpNames = fixtures.filter((f): f is HttpFunctionDefinition => f.kind === 'http').map((f) => f.name);
    expect(logs.filter((r) => r.args[0] === 'request completed').every((r) => httpNames.includes(r.functionName))).toBe(
      true,
    );
  });
});
