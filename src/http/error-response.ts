import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import {
  AuthenticationError,
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  ThrottledError,
  UnsupportedMediaTypeError,
  UpstreamError,
  ValidationError,
  type ErrorDetail,
} from '../errors';
import { describeError } from '../logging';

export interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: ErrorDetail[] };
}

const STATUS_BY_ERROR: ReadonlyArray<[new (...args: never[]) => DomainError, number]> = [
  [ValidationError, 400],
  [AuthenticationError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [ThrottledError, 429],
  [UpstreamError, 502],
  [ServiceUnavailableError, 503],
];

export function errorResponse(
  status: number,
  code: string,
  message: string,
  requestId: string,
  extra: { details?: ErrorDetail[]; headers?: Record<string, string> } = {},
): HttpResponseInit {
  const body: ErrorBody = { error: { code, message, requestId, ...(extra.details ? { details: extra.details } : {}) } };
  return { status, jsonBody: body, headers: { 'Cache-Control': 'no-store', ...extra.headers } };
}

/** The one place where errors become HTTP responses. Unknown errors become a 500 without internals. */
export function toErrorResponse(error: unknown, requestId: string, context: InvocationContext): HttpResponseInit {
  if (error instanceof DomainError) {
    const status = STATUS_BY_ERROR.find(([type]) => error instanceof type)?.[1] ?? 500;
    const headers: Record<string, string> = {};
    if (error instanceof AuthenticationError) headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
    if (error instanceof ThrottledError || error instanceof ServiceUnavailableError) {
      headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
    }
    if (status >= 500) context.warn('request failed upstream', { code: error.code, status });
    return errorResponse(status, error.code, error.message, requestId, {
      ...(error.details ? { details: error.details } : {}),
      headers,
    });
  }
  context.error('unhandled error', describeError(error));
  return errorResponse(500, 'InternalError', 'The server could not complete the request.', requestId);
}
