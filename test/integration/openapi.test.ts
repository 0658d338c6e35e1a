import { errorCodes } from '../../src/error-codes';
import { buildFunctionTable } from '../../src/functions';
import type { HttpFunctionDefinition } from '../../src/functions/definition';
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
    expect(anonymous.sort()).toEqual(['health', 'openApi']);
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
});
