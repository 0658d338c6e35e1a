import { isRestError } from '@azure/core-rest-pipeline';

import { ThrottledError } from '../errors';
import { retryAfterSeconds } from '../upstream-errors';

export interface SlowDown {
  /** 429: the same step may be tried again after the pause. */
  retry: boolean;
  pauseMs: number;
}

const DEFAULT_PAUSE_MS = 1_000;

/**
 * Whether a failure asks us to slow down, and for how long: 429 (retry the step after the pause) and a raw 503 with
 * Retry-After (pause, but count the step as failed). Errors come raw from the SDKs or mapped to domain errors; a
 * mapped ServiceUnavailableError is not a pause, because its retry-after may be our own default for clients.
 */
export function slowDownFor(error: unknown): SlowDown | undefined {
  if (error instanceof ThrottledError) return { retry: true, pauseMs: secondsToMs(error.retryAfterSeconds) };
  if (!isRestError(error)) return undefined;
  if (error.statusCode === 429) return { retry: true, pauseMs: secondsToMs(retryAfterSeconds(error)) };
  if (error.statusCode === 503) {
    const seconds = retryAfterSeconds(error);
    return seconds === undefined ? undefined : { retry: false, pauseMs: secondsToMs(seconds) };
  }
  return undefined;
}

function secondsToMs(seconds: number | undefined): number {
  return seconds === undefined ? DEFAULT_PAUSE_MS : Math.max(0, seconds) * 1000;
}
