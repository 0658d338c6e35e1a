import * as z from 'zod';

import { detailCodes, errorCodes } from '../error-codes';
import type { HttpFunctionDefinition } from '../functions/definition';

/**
 * The public API description (OpenAPI 3.1), generated from the route table and the same zod schemas that validate
 * requests, so it cannot drift from what the API accepts.
 */

type JsonObject = Record<string, unknown>;

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
      schemas: { Error: errorSchema },
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
  const responses: Record<string, JsonObject> = {};
  for (const [status, description] of Object.entries(doc.responses)) {
    const isError = Number(status) >= 400;
    responses[status] = {
      description,
      ...(isError ? { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } : {}),
    };
  }
  if (!doc.anonymous)
    responses['401'] ??= {
      description: 'Missing or invalid bearer token',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  return {
    operationId: definition.name,
    summary: doc.summary,
    ...(doc.anonymous ? { security: [] } : {}),
    ...(pathParameters.length + queryParameters.length > 0
      ? { parameters: [...pathParameters, ...queryParameters] }
      : {}),
    ...(doc.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(doc.body) } } } }
      : {}),
    responses,
  };
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
