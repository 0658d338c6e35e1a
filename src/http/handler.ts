import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';

import { toErrorResponse } from './error-response';

export interface RequestScope {
  request: HttpRequest;
  context: InvocationContext;
  /** Returned to the client in `x-request-id` and in error bodies; the invocation id, so logs can be joined. */
  requestId: string;
}

export type ScopedHandler = (scope: RequestScope) => Promise<HttpResponseInit>;

/** Wraps a handler with request ids, structured request logging and the one error mapping. */
export function httpHandler(handle: ScopedHandler): HttpHandler {
  return async (request, context) => {
    const requestId = context.invocationId;
    const startedAt = performance.now();
    let response: HttpResponseInit;
    try {
      response = await handle({ request, context, requestId });
    } catch (error) {
      response = toErrorResponse(error, requestId, context);
    }
    const status = response.status ?? 200;
    context.log('request completed', {
      method: request.method,
      route: context.functionName,
      status,
      durationMs: Math.round(performance.now() - startedAt),
    });
    return { ...response, headers: { ...toRecord(response.headers), 'x-request-id': requestId } };
  };
}

function toRecord(headers: HttpResponseInit['headers']): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return { ...headers };
}

export const ok = (jsonBody: unknown): HttpResponseInit => ({ status: 200, jsonBody });
export const created = (jsonBody: unknown, location?: string): HttpResponseInit => ({
  status: 201,
  jsonBody,
  ...(location ? { headers: { Location: location } } : {}),
});
export const noContent = (): HttpResponseInit => ({ status: 204 });
