import type { KeyCredential, TokenCredential } from '@azure/core-auth';
import type { CommonClientOptions } from '@azure/core-client';
import { isRestError } from '@azure/core-rest-pipeline';
import createClient, { isUnexpected } from '@azure-rest/ai-content-safety';

import { type ContentSafetyConfig, HARM_CATEGORIES, type HarmCategory } from '../config';
import { isTransportFailure, retryAfterSeconds } from '../upstream-errors';

/** The api-version the backend speaks (the official client's default is older). */
export const CONTENT_SAFETY_API_VERSION = '2024-09-01';
/** text:analyze takes at most this many characters (code points) per call. */
export const MAX_ANALYZED_CODE_POINTS = 10_000;

/** What Content Safety says of one text: a severity per harm category, and whether a custom blocklist matched. */
export interface TextAnalysis {
  severities: Partial<Record<HarmCategory, number>>;
  blocklistHit: boolean;
}

/**
 * Content Safety could not judge the text now: it is down, throttles, timed out, or refuses us (`misconfigured`: a
 * missing role assignment, an unknown blocklist). The caller applies MODERATION_WHEN_UNAVAILABLE.
 */
export class ContentSafetyUnavailable extends Error {
  override readonly name = 'ContentSafetyUnavailable';
  constructor(
    readonly retryAfterSeconds: number,
    readonly status: number | undefined,
    readonly misconfigured = false,
  ) {
    super(`Content Safety is unavailable (${status ?? 'no answer'})`);
  }
}

export interface TextAnalyzer {
  /** One text:analyze call; throws ContentSafetyUnavailable. */
  analyze(text: string): Promise<TextAnalysis>;
}

const DEFAULT_RETRY_AFTER_SECONDS = 10;

/** text:analyze through the official REST client, with the configured blocklists (halting on a hit). */
export function createTextAnalyzer(
  config: ContentSafetyConfig,
  credential: TokenCredential | KeyCredential,
  options: CommonClientOptions,
): TextAnalyzer {
  const client = createClient(config.endpoint, credential, { ...options, apiVersion: CONTENT_SAFETY_API_VERSION });
  return {
    analyze: async (text) => {
      let response;
      try {
        response = await client.path('/text:analyze').post({
          body: {
            text,
            categories: [...HARM_CATEGORIES],
            outputType: 'FourSeverityLevels',
            ...(config.blocklists.length > 0 ? { blocklistNames: config.blocklists, haltOnBlocklistHit: true } : {}),
          },
        });
      } catch (error) {
        if (isRestError(error) && error.statusCode !== undefined)
          throw new ContentSafetyUnavailable(retryAfterSeconds(error) ?? DEFAULT_RETRY_AFTER_SECONDS, error.statusCode);
        if (isTransportFailure(error) || isRestError(error))
          throw new ContentSafetyUnavailable(DEFAULT_RETRY_AFTER_SECONDS, undefined);
        throw error;
      }
      if (isUnexpected(response)) {
        const status = Number(response.status);
        const retryAfter = Number(response.headers['retry-after']);
        throw new ContentSafetyUnavailable(
          Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : DEFAULT_RETRY_AFTER_SECONDS,
          status,
          [400, 401, 403, 404].includes(status),
        );
      }
      const severities: Partial<Record<HarmCategory, number>> = {};
      for (const { category, severity } of response.body.categoriesAnalysis) {
        const known = HARM_CATEGORIES.find((name) => name === category);
        if (known && severity !== undefined) severities[known] = severity;
      }
      return { severities, blocklistHit: (response.body.blocklistsMatch?.length ?? 0) > 0 };
    },
  };
}
