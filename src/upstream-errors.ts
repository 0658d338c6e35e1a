import { type HttpHeaders, isRestError, type RestError } from '@azure/core-rest-pipeline';

import {
  DomainError,
  ForbiddenError,
  NotFoundError,
  ServiceUnavailableError,
  ThrottledError,
  UpstreamError,
  ValidationError,
} from './errors';

/**
 * Maps a failure of an upstream call (ACS or Storage) to a domain error. 403/404 become ours
 * (with `notFoundMessage` naming the resource), 429/503 keep their Retry-After, transport failures and
 * timeouts become 503, anything else 502. Upstream messages are never passed through.
 */
export function fromUpstream(
  error: unknown,
  options: { notFound?: () => DomainError; forbidden?: () => DomainError } = {},
): DomainError {
  if (error instanceof DomainError) return error;
  if (!isRestError(error)) {
    if (isTransportFailure(error))
      return new ServiceUnavailableError('A dependency did not answer in time; please retry.', 5);
    return new UpstreamError('A dependency failed unexpectedly.');
  }
  const status = error.statusCode;
  if (status === undefined) return new ServiceUnavailableError('A dependency could not be reached; please retry.', 5);
  if (status === 404) return options.notFound?.() ?? new NotFoundError('The resource was not found.');
  if (status === 403) return options.forbidden?.() ?? new ForbiddenError('The operation is not permitted.');
  if (status === 429)
    return new ThrottledError('Too many requests; please retry later.', retryAfterSeconds(error) ?? 5);
  if (status === 503 || status === 500 || status === 502 || status === 504 || status === 408) {
    return new ServiceUnavailableError(
      'A dependency is temporarily unavailable; please retry.',
      retryAfterSeconds(error) ?? 5,
    );
  }
  if (status === 400 || status === 413)
    return new ValidationError('The request was rejected by the chat service.', undefined, 'RejectedByChatService');
  return new UpstreamError('A dependency failed unexpectedly.');
}

/** For `promise.catch(...)`: rethrows the failure as the domain error that `map` makes of it. */
export function rethrowAs(map: (error: unknown) => Error): (error: unknown) => never {
  return (error) => {
    throw map(error);
  };
}

export function retryAfterSeconds(error: RestError & { retryAfterSeconds?: number }): number | undefined {
  return error.retryAfterSeconds ?? retryAfterFromHeaders(error.response?.headers);
}

/** Retry-After as the Azure services send it: `retry-after-ms`, `x-ms-retry-after-ms`, or seconds or a date. */
export function retryAfterFromHeaders(headers: HttpHeaders | undefined): number | undefined {
  const ms = headers?.get('retry-after-ms') ?? headers?.get('x-ms-retry-after-ms');
  if (ms && /^\d+$/.test(ms)) return Math.ceil(Number(ms) / 1000);
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(1, Math.ceil((date - Date.now()) / 1000));
}

export function isTransportFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  return (
    error.name === 'AbortError' ||
    error.name === 'TimeoutError' ||
    (typeof code === 'string' &&
      /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|REQUEST_SEND_ERROR|UND_ERR_\w+)$/.test(code))
  );
}
