import { loadConfig } from '../../src/config';
import { buildFunctionTable } from '../../src/functions';
import type { HttpFunctionDefinition } from '../../src/functions/definition';
import { API_VERSION } from '../../src/functions/openapi';
import { openApiDocument } from '../../src/http/openapi';

/**
 * The API description exactly as `GET /api/openapi.json` serves it, built in-process from the route table. The
 * document does not depend on settings; these placeholders only satisfy the configuration's validation.
 */
export function apiDescription(): Record<string, unknown> {
  const config = loadConfig({
    ACS_CONNECTION_STRING: 'endpoint=https://127.0.0.1:1/;accesskey=a2V5',
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    AUTH_ISSUER: 'https://issuer.invalid/',
    AUTH_AUDIENCE: 'api://placeholder',
  });
  const services = (): never => {
    throw new Error('The API description needs no services');
  };
  const http = buildFunctionTable(config, services).filter(
    (definition): definition is HttpFunctionDefinition => definition.kind === 'http',
  );
  return openApiDocument(http, API_VERSION);
}
