import { type PipelinePolicy, RestError } from '@azure/core-rest-pipeline';

import { retryAfterFromHeaders } from './upstream-errors';

/** A 429 from upstream, with the Retry-After it came with (in seconds, if it had one). */
export type ThrottledRestError = RestError & { retryAfterSeconds?: number };

/**
 * Fails fast when an upstream (ACS, Storage) answers 429: the Azure SDKs would otherwise wait out its Retry-After
 * inside the invocation (up to their retry count times), holding a billed invocation and hiding the limit from the
 * client. Instead the caller gets 429 with the same Retry-After at once and decides when to retry; pruning, which
 * runs without a client, backs off on its own. Thrown as an error without the response (the SDK's retry policy would
 * otherwise find the 429 on it and wait anyway), carrying the Retry-After it came with.
 */
export function failFastOnThrottlingPolicy(): PipelinePolicy {
  return {
    name: 'failFastOnThrottling',
    sendRequest: async (request, next) => {
      const response = await next(request);
      if (response.status !== 429) return response;
      const error: ThrottledRestError = new RestError('The upstream service is throttling this caller.', {
        code: 'TooManyRequests',
        statusCode: 429,
        request,
      });
      const retryAfterSeconds = retryAfterFromHeaders(response.headers);
      if (retryAfterSeconds !== undefined) error.retryAfterSeconds = retryAfterSeconds;
      throw error;
    },
  };
}
