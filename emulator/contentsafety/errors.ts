import { ApiError } from '../acs/errors';

/**
 * The error codes Learn lists for Content Safety ("Azure AI Content Safety error codes"), in the contract's
 * Azure.Core.Foundations.ErrorResponse shape.
 */

export const invalidBody = (message: string): ApiError => new ApiError(400, 'InvalidRequestBody', message);
export const invalidName = (message: string): ApiError => new ApiError(400, 'InvalidResourceName', message);
export const resourceNotFound = (message: string): ApiError => new ApiError(404, 'ResourceNotFound', message);
export const serverBusy = (retryAfterSeconds: number): ApiError =>
  new ApiError(503, 'ServerBusy', 'The server cannot process the request temporarily.', {
    'retry-after': String(retryAfterSeconds),
  });

/** What Cognitive Services answers for a wrong or missing key (the error code is the string "401"). */
export const accessDenied = (): ApiError =>
  new ApiError(
    401,
    '401',
    'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an ' +
      'active subscription and use a correct regional API endpoint for your resource.',
  );

/** Default bodies of injected faults, by status. */
export const FAULT_CODES: Readonly<Record<number, string>> = {
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServerBusy',
};
