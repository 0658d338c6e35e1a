import { spawnSync } from 'node:child_process';

import { errorCodes } from '../../src/error-codes';
import { buildFunctionTable } from '../../src/functions';
import type { HttpFunctionDefinition } from '../../src/functions/definition';
import { checkApiResponse } from '../helpers/api-description';
import { call } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/stack';

interface OpenApi {
  openapi: string;
  components: { schemas: { Error: { properties: { error: { properties: { code: { enum: string[] } } } } } } };
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        security?: unknown[];
        requestBody?: {
          content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }>;
        };
        parameters?: Array<{ name: string; in: string }>;
        responses: Record<string, unknown>;
      }
    >
  >;
}

describe('GET /api/openapi.json', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it('describes every HTTP function of the route table, anonymously', async () => {
    const res = await call<OpenApi>(`${stack.apiBaseUrl}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const table = buildFunctionTable(stack.config, stack.services).filter(
      (d): d is HttpFunctionDefinition => d.kind === 'http',
    );
    const described = Object.entries(res.body.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const expected = table.flatMap((definition) =>
      definition.methods.map((method) => `${method} /${definition.route}`),
    );
    expect(described.sort()).toEqual(expected.sort());
    // Only health and the description itself are anonymous.
    const anonymous = Object.values(res.body.paths).flatMap((methods) =>
      Object.values(methods)
        .filter((op) => op.security?.length === 0)
        .map((op) => op.operationId),
    );
    // The unsubscribe link of an away email needs no sign-in: its signed token names the one user it works for.
    expect(anonymous.sort()).toEqual(['health', 'liveUpdateSchema', 'openApi', 'unsubscribe', 'unsubscribePage']);
  });

  it('derives request schemas and parameters from the validation schemas', async () => {
    const { body } = await call<OpenApi>(`${stack.apiBaseUrl}/openapi.json`);
    const create = body.paths['/threads']!.post!;
    const schema = create.requestBody!.content['application/json']!.schema;
    expect(schema.required).toEqual(['topic']);
    expect(Object.keys(schema.properties!)).toEqual(expect.arrayContaining(['topic', 'participants', 'metadata']));
    const list = body.paths['/threads/{threadId}/messages']!.get!;
    expect(list.parameters!.map((p) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['path:threadId', 'query:maxPageSize', 'query:startTime', 'query:continuationToken']),
    );
    expect(Object.keys(list.responses)).toEqual(expect.arrayContaining(['200', '401', '404']));
  });

  it('lists every stable error code as an enum of the error body', async () => {
    const { body } = await call<OpenApi>(`${stack.apiBaseUrl}/openapi.json`);
    expect(body.components.schemas.Error.properties.error.properties.code.enum).toEqual(errorCodes);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const { text } = await call(`${stack.apiBaseUrl}/openapi.json`);
    // The validator is published as ESM only (import.meta.url), so it runs in a plain node process.
    const script = `import('@seriousme/openapi-schema-validator').then(async ({ Validator }) => {
      const chunks = []; for await (const chunk of process.stdin) chunks.push(chunk);
      const result = await new Validator().validate(JSON.parse(Buffer.concat(chunks).toString()));
      console.log(JSON.stringify(result));
    })`;
    const validation = spawnSync(process.execPath, ['-e', script], { input: text, encoding: 'utf8' });
    expect(JSON.parse(validation.stdout)).toEqual({ valid: true });
  });

  it('names response bodies, the Idempotency-Key header and the bearer scheme', async () => {
    const { body } = await call<OpenApi & { components: { securitySchemes: unknown } }>(
      `${stack.apiBaseUrl}/openapi.json`,
    );
    expect(body.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    });
    const create = body.paths['/threads']!.post!;
    expect(create.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'Idempotency-Key' })]),
    );
    expect(create.responses['201']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/CreatedThread' } } },
    });
    expect(body.paths['/threads/{threadId}/messages']!.get!.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/MessagePage' } } },
    });
    expect(body.paths['/threads/{threadId}']!.get!.responses['429']).toMatchObject({ headers: { 'Retry-After': {} } });
  });

  it('fails a test whose response drifts from the description', async () => {
    const thread = `${stack.apiBaseUrl}/threads/someThread`;
    await expect(checkApiResponse(thread, 'GET', 200, JSON.stringify({ id: 'someThread' }))).rejects.toThrow(
      /drifts from the API description: the body does not match #\/components\/schemas\/Thread/,
    );
    await expect(checkApiResponse(thread, 'GET', 202, '')).rejects.toThrow(/status 202 is not described/);
    await expect(checkApiResponse(thread, 'GET', 404, '{"message":"no"}')).rejects.toThrow(/schemas\/Error/);
  });
});
