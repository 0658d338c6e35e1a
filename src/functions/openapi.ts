import * as z from 'zod';

import { httpHandler, ok } from '../http/handler';
import { openApiDocument } from '../http/openapi';
import { memoize } from '../memo';
import type { FunctionDefinition, HttpFunctionDefinition } from './definition';

export const API_VERSION = '1.0.0';

const openApiDocumentSchema = z.looseObject({ openapi: z.string() }).meta({ id: 'OpenApiDocument' });

/** GET /api/openapi.json: the public, anonymous description of the whole HTTP API (including itself). */
export function openApiFunctions(table: FunctionDefinition[]): FunctionDefinition[] {
  const describe = memoize(() => openApiDocument(httpFunctions([...table, self]), API_VERSION));
  const self: HttpFunctionDefinition = {
    kind: 'http',
    name: 'openApi',
    methods: ['GET'],
    route: 'openapi.json',
    doc: {
      summary: 'This API description (OpenAPI 3.1)',
      anonymous: true,
      responses: { 200: 'The document' },
      responseBodies: { 200: openApiDocumentSchema },
    },
    handler: httpHandler(async () => ({ ...ok(describe()), headers: { 'Cache-Control': 'public, max-age=300' } })),
  };
  return [self];
}

function httpFunctions(table: FunctionDefinition[]): HttpFunctionDefinition[] {
  return table.filter((definition): definition is HttpFunctionDefinition => definition.kind === 'http');
}
