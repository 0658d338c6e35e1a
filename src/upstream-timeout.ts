import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** Upstream calls that take longer than this are abandoned; the client gets a 503 and may retry. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 10_000;

/**
 * Gives every HTTP attempt of an Azure SDK client a timeout (the SDKs default to none, so a hung connection would
 * hold the invocation until the Functions host's own timeout).
 */
export function timeoutPolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: 'upstreamTimeout',
    sendRequest: (request, next) => {
      if (!request.timeout) request.timeout = timeoutMs;
      return next(request);
    },
  };
}
