/**
 * Typed domain errors. Services throw these; src/http/error-response.ts maps them to HTTP in one place.
 * Messages are safe to show to clients: never put tokens, keys or upstream bodies in them.
 */

import { type DetailCode, type ErrorCode, type ErrorCodeWithStatus } from './error-codes';

export interface ErrorDetail {
  code: DetailCode;
  message: string;
  target?: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  constructor(
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(
    message: string,
    details?: ErrorDetail[],
    readonly code: ErrorCodeWithStatus<400> = 'ValidationFailed',
  ) {
    super(message, details);
  }
}

export class PayloadTooLargeError extends DomainError {
  constructor(
    message: string,
    readonly code: ErrorCodeWithStatus<413> = 'PayloadTooLarge',
  ) {
    super(message);
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  constructor(
    message: string,
    readonly code: ErrorCodeWithStatus<415> = 'UnsupportedMediaType',
  ) {
    super(message);
  }
}

export class AuthenticationError extends DomainError {
  readonly code = 'Unauthenticated';
}

export class ForbiddenError extends DomainError {
  readonly code: ErrorCodeWithStatus<403>;
  constructor(message: string, code: ErrorCodeWithStatus<403> = 'Forbidden') {
    super(message);
    this.code = code;
  }
}

export class NotFoundError extends DomainError {
  readonly code: ErrorCodeWithStatus<404>;
  constructor(message: string, code: ErrorCodeWithStatus<404> = 'NotFound') {
    super(message);
    this.code = code;
  }
}

export class ConflictError extends DomainError {
  readonly code: ErrorCodeWithStatus<409>;
  constructor(message: string, code: ErrorCodeWithStatus<409> = 'Conflict') {
    super(message);
    this.code = code;
  }
}

/** The upstream (ACS or Storage) asked us to slow down; the client should retry after `retryAfterSeconds`. */
export class ThrottledError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly code: ErrorCodeWithStatus<429> = 'TooManyRequests',
  ) {
    super(message);
  }
}

/** The request is well-formed but cannot be processed as sent (e.g. an Idempotency-Key reused for another body). */
export class UnprocessableError extends DomainError {
  constructor(
    message: string,
    readonly code: ErrorCodeWithStatus<422>,
    details?: ErrorDetail[],
  ) {
    super(message, details);
  }
}

/** A dependency is unavailable or timed out; nothing was acknowledged, the client may retry. */
export class ServiceUnavailableError extends DomainError {
  readonly code = 'ServiceUnavailable';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The upstream failed in a way the client cannot fix by retrying soon. */
export class UpstreamError extends DomainError {
  readonly code = 'UpstreamFailure';
}
