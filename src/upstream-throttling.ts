import { type PipelinePolicy, RestError } from '@azure/core-rest-pipeline';

/**
 * Fails fast when an upstream (ACS, Storage) answers 429: the Azure SDKs would otherwise wait out its Retry-After
 * inside the invocation (up to their retry count times), holding a billed invocation and hiding the limit from the
 * client. Instead the caller gets 429 with the same Retry-After at once and decides when to retry; pruning, which
 * runs without a client, backs off on its own. Thrown as an error (not returned as a response), so that the SDK's
 * retry strategies, which only re-send throttled *responses*, pass it straight through.
 */
export function failFastOnThrottlingPolicy(): PipelinePolicy {
  return {
    name: 'failFastOnThrottling',
    sendRequest: async (request, next) => {
      const response = await next(request);
      if (response.status !== 429) return response;
      throw new RestError('The upstream service is throttling this caller.', {
        code: 'TooManyRequests',
        statusCode: 429,
        request,
        response,
      });
    },
  };
}
