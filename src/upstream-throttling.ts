import { type PipelinePolicy, RestError } from '@azure/core-rest-pipeline';

import { retryAfterFromHeaders } from './upstream-errors';

/** The longest Retry-After waited out inside an invocation (for a 503); anything longer goes to the client. */
const MAX_WAIT_SECONDS = 1;

/** A 429 (or a 503 asking for a long pause) from upstream, with the Retry-After it came with, in seconds. */
export type ThrottledRestError = RestError & { retryAfterSeconds?: number };

/**
 * Fails fast when an upstream (ACS, Storage) answers 429, or 503 with a Retry-After longer than a second: the Azure
 * SDKs would otherwise wait it out inside the invocation (up to their retry count times), holding a billed invocation
 * and hiding the limit from the client. Instead the caller gets 429/503 with the same Retry-After at once and decides
 * when to retry; pruning, which runs without a client, backs off on its own. Thrown as an error without the response
 * (the SDK's retry policy would otherwise find the status on it and wait anyway), carrying the Retry-After.
 */
export function failFastOnThrottlingPolicy(): PipelinePolicy {
  return {
    name: 'failFastOnThrottling',
    sendRequest: async (request, next) => {
      const response = await next(request);
      const retryAfterSeconds = retryAfterFromHeaders(response.headers);
      const passOn =
        response.status === 429 ||
        (response.status === 503 && retryAfterSeconds !== undefined && retryAfterSeconds > MAX_WAIT_SECONDS);
      if (!passOn) return response;
      const error: ThrottledRestError = new RestError('The upstream service asks the caller to wait.', {
        code: response.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable',
        statusCode: response.status,
        request,
      });
      if (retryAfterSeconds !== undefined) error.retryAfterSeconds = retryAfterSeconds;
      throw error;
    },
  };
}
