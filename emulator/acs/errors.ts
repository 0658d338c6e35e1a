/**
 * CommunicationErrorResponse helpers: every non-2xx reply of the emulator has the shape
 * `{"error":{"code","message","target"?}}`.
 */

export interface CommunicationError {
  code: string;
  message: string;
  target?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly target?: string,
  ) {
    super(message);
  }

  body(): { error: CommunicationError } {
    const error: CommunicationError = { code: this.code, message: this.message };
    if (this.target !== undefined) error.target = this.target;
    return { error };
  }
}

export const badRequest = (message: string, code = 'BadRequest', target?: string): ApiError =>
  new ApiError(400, code, message, {}, target);
export const notFound = (message = 'The requested resource was not found.'): ApiError =>
  new ApiError(404, 'NotFound', message);
export const forbidden = (message = 'User is not allowed to perform specified action.'): ApiError =>
  new ApiError(403, 'Forbidden', message);
export const unauthorized = (message: string, code = 'Unauthorized'): ApiError => new ApiError(401, code, message);
/** What ACS Identity answers for a missing or wrong HMAC signature. */
export const hmacDenied = (reason: string): ApiError =>
  new ApiError(401, 'Denied', `Denied by the resource provider. ${reason}`);
