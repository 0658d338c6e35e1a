import { badRequest } from '../acs/errors';
import { RateLimiter } from '../acs/ratelimit';
import type { CommonControl } from '../common/control-routes';
import { FAULT_CODES } from './errors';
import { RATE_TIERS } from './limits';
import type { SeverityTerm } from './severity';
import type { AnalysisRecord, ContentSafetyState, RateLimitSetting } from './state';

/**
 * In-process control handle of the Content Safety emulator (tests, the dev stack); `/_emulator/` serves the same.
 * Besides the common routes (CommonControl): `reset()` also forgets blocklists, severity terms, outage, delay and
 * analyses and puts the rate limit back to its start; `requestCounts()` counts data-plane requests per operation
 * (all outcomes, faulted and retried ones included); `injectFault` works as the ACS emulator's, on an operation,
 * `text.*`, `blocklists.*` or `*` (429 and 503 carry Retry-After).
 */
export interface ContentSafetyControl extends CommonControl {
  /** Replaces the term → category/severity table that scores text (empty at start: every severity is 0). */
  setSeverityTerms(terms: SeverityTerm[]): void;
  severityTerms(): SeverityTerm[];
  clearSeverityTerms(): void;
  /** Every data-plane call answers 503 ServerBusy with Retry-After, for `forMs` or until `endOutage()`. */
  startOutage(options?: { forMs?: number }): void;
  endOutage(): void;
  /** Holds every data-plane call this long before handling it; 0 = none. */
  setDelay(ms: number): void;
  /** `'S0'` (the default) or `'F0'`: Learn's rate for text:analyze; `{limit, windowSeconds}`: a custom one; `'off'`. */
  setRateLimit(setting: RateLimitSetting): void;
  rateLimit(): RateLimitSetting;
  /** The last 100 text:analyze calls, oldest first. */
  recentAnalyses(): AnalysisRecord[];
}

/** The limiter for a setting: fixed windows per resource, on text:analyze only (the "Moderation APIs" of Learn). */
export function rateLimiterFor(setting: RateLimitSetting): RateLimiter {
  if (setting === 'off') return new RateLimiter(false, {});
  const { limit, windowSeconds } = typeof setting === 'string' ? RATE_TIERS[setting] : setting;
  return new RateLimiter(true, { 'text.analyze': [{ scope: 'resource', windowSec: windowSeconds, limit }] });
}

export function validRateLimit(value: unknown): RateLimitSetting {
  if (value === 'off' || value === 'F0' || value === 'S0') return value;
  const { limit, windowSeconds } = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  if (
    typeof limit === 'number' &&
    Number.isInteger(limit) &&
    limit > 0 &&
    typeof windowSeconds === 'number' &&
    windowSeconds > 0
  )
    return { limit, windowSeconds };
  throw badRequest("A rate limit is 'S0', 'F0', 'off' or {limit, windowSeconds} with positive numbers.");
}

export function createControl(st: ContentSafetyState, initialRateLimit: RateLimitSetting): ContentSafetyControl {
  const control: ContentSafetyControl = {
    reset: () => {
      st.blocklists.clear();
      st.severity.clear();
      st.counts.clear();
      st.faults.clear();
      st.outage.untilMs = 0;
      st.delay.ms = 0;
      st.analyses.length = 0;
      control.setRateLimit(initialRateLimit);
    },
    requestCounts: () => Object.fromEntries(st.counts),
    resetCounts: () => st.counts.clear(),
    setSeverityTerms: (terms) => st.severity.set(terms),
    severityTerms: () => st.severity.list(),
    clearSeverityTerms: () => st.severity.clear(),
    injectFault: (spec) => {
      const code = spec.status === undefined ? undefined : FAULT_CODES[spec.status];
      return st.faults.add(code === undefined || spec.code !== undefined ? spec : { ...spec, code });
    },
    listFaults: () => st.faults.list(),
    clearFaults: () => st.faults.clear(),
    startOutage: ({ forMs } = {}) => {
      if (forMs !== undefined && !(forMs > 0)) throw badRequest('forMs must be a positive number of ms.');
      st.outage.untilMs = forMs === undefined ? Infinity : Date.now() + forMs;
    },
    endOutage: () => {
      st.outage.untilMs = 0;
    },
    setDelay: (ms) => {
      if (!Number.isFinite(ms) || ms < 0 || ms > 600_000) throw badRequest('delay must be 0..600000 ms.');
      st.delay.ms = ms;
    },
    setRateLimit: (setting) => {
      const valid = validRateLimit(setting);
      st.rateLimit = { setting: valid, limiter: rateLimiterFor(valid) };
    },
    rateLimit: () => st.rateLimit.setting,
    recentAnalyses: () => st.analyses.map((a) => ({ ...a })),
  };
  return control;
}
