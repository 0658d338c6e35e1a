import * as z from 'zod';

import { detailCodes, errorCodes } from '../error-codes';
import type { HttpFunctionDefinition } from '../functions/definition';
import { idempotencyKey } from './request-parts';

/**
 * The public API description (OpenAPI 3.1), generated from the route table and the same zod schemas that validate
 * requests and the views responses are built from (named by their zod ids under components/schemas), so it cannot
 * drift from what the API accepts and returns.
 */

type JsonObject = Record<string, unknown>;

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
const retryAfterHeader = {
  description: 'Seconds to wait before trying again',
  schema: { type: 'integer', minimum: 0 },
};

const errorSchema: JsonObject = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string', enum: errorCodes },
        message: { type: 'string' },
        requestId: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              code: { type: 'string', enum: detailCodes },
              message: { type: 'string' },
              target: { type: 'string' },
            },
          },
        },
      },
    },
  },
};

export function openApiDocument(functions: HttpFunctionDefinition[], version: string): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const definition of functions) {
    const path = `/${definition.route.replace(/\{(\w+)(?::\w+)?\??\}/g, '{$1}')}`;
    for (const method of definition.methods) {
      (paths[path] ??= {})[method.toLowerCase()] = operation(definition);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ACS chat backend',
      version,
      description:
        'Chat on Azure Communication Services for signed-in users. Errors are {"error":{"code","message","requestId"}}.',
    },
    servers: [{ url: '/api' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { ...responseSchemas(), Error: errorSchema },
    },
    paths,
  };
}

function operation(definition: HttpFunctionDefinition): JsonObject {
  const { doc } = definition;
  const pathParameters = [...definition.route.matchAll(/\{(\w+)(?::\w+)?(\?)?\}/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const queryParameters = doc.query ? queryParametersOf(doc.query) : [];
  const headerParameters = doc.idempotencyKey
    ? [
        {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Repeating the request with the same key returns the first result instead of doing it again; the same ' +
            'key with another body is refused (422 IdempotencyKeyReused)',
          schema: jsonSchema(idempotencyKey),
        },
      ]
    : [];
  const parameters = [...pathParameters, ...queryParameters, ...headerParameters];
  const responses: Record<string, JsonObject> = {};
  for (const [status, description] of Object.entries(doc.responses)) {
    const body = doc.responseBodies?.[Number(status)];
    const html = doc.htmlPages?.includes(Number(status));
    responses[status] = {
      description,
      ...(body ? { content: { 'application/json': { schema: { $ref: componentRef(body) } } } } : {}),
      ...(html ? { content: { 'text/html': { schema: { type: 'string' } } } } : {}),
      ...(!body && !html && Number(status) >= 400 ? { content: errorContent } : {}),
    };
  }
  if (!doc.anonymous) {
    responses['401'] ??= { description: 'Missing or invalid bearer token', content: errorContent };
    responses['429'] ??= {
      description: 'Too many requests (ACS or fair-use limits); try again after Retry-After',
      headers: { 'Retry-After': retryAfterHeader },
      content: errorContent,
    };
  }
  return {
    operationId: definition.name,
    summary: doc.summary,
    ...(doc.anonymous ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(doc.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(doc.body) } } } }
      : {}),
    responses,
  };
}

/** Every response view schema (those with a zod id), with references between them as `#/components/schemas/{id}`. */
function responseSchemas(): Record<string, JsonObject> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema as JsonObject]),
  );
}

function componentRef(schema: z.ZodType): string {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error('A response body schema needs an id (.meta({ id })) to be named in the API description');
  return `#/components/schemas/${id}`;
}

function jsonSchema(schema: z.ZodType): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  return rest;
}

function queryParametersOf(schema: z.ZodType): JsonObject[] {
  const object = jsonSchema(schema) as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: object.required?.includes(name) ?? false,
    schema: property,
  }));
}
