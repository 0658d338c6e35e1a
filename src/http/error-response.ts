import type { HttpResponseInit, InvocationContext } from '@azure/functions';

import { ERROR_CODES, type ErrorCode } from '../error-codes';
import { AuthenticationError, DomainError, type ErrorDetail, ServiceUnavailableError, ThrottledError } from '../errors';
import { describeError } from '../logging';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; details?: ErrorDetail[] };
}

export function errorResponse(
  code: ErrorCode,
  message: string,
  requestId: string,
  extra: { details?: ErrorDetail[]; headers?: Record<string, string> } = {},
): HttpResponseInit {
  const status = ERROR_CODES[code].status;
  const body: ErrorBody = { error: { code, message, requestId, ...(extra.details ? { details: extra.details } : {}) } };
  return { status, jsonBody: body, headers: { 'Cache-Control': 'no-store', ...extra.headers } };
}

/** The one place where errors become HTTP responses. Unknown errors become a 500 without internals. */
export function toErrorResponse(error: unknown, requestId: string, context: InvocationContext): HttpResponseInit {
  if (error instanceof DomainError) {
    const status = ERROR_CODES[error.code].status;
    const headers: Record<string, string> = {};
    if (error instanceof AuthenticationError) headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
    if (error instanceof ThrottledError || error instanceof ServiceUnavailableError) {
      headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
    }
    if (status >= 500) context.warn('request failed upstream', { code: error.code, status });
    return errorResponse(error.code, error.message, requestId, {
      ...(error.details ? { details: error.details } : {}),
      headers,
    });
  }
  context.error('unhandled error', describeError(error));
  return errorResponse('InternalError', 'The server could not complete the request.', requestId);
}
