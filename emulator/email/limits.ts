import type { Rule } from '../acs/ratelimit';

/**
 * What ACS Email documents, each number with its source. The contract is emulator/contract/email/; the Learn pages
 * are cited in emulator/README.md ("Email").
 */

/** GA api-versions: 2023-03-31 (the first GA one) and 2025-09-01 (what `@azure/communication-email` 1.1.0 sends). */
export const GA_API_VERSIONS: ReadonlySet<string> = new Set(['2025-09-01', '2023-03-31']);
/** The preview that Microsoft's Python SDK in Debian (`azure-communication-email` 1.0.0b2) sends. */
export const PREVIEW_API_VERSION = '2021-10-01-preview';
export const EMAIL_API_VERSIONS: ReadonlySet<string> = new Set([...GA_API_VERSIONS, PREVIEW_API_VERSION]);

/** Learn "Service limits for Azure Communication Services", Email, Size limits: "Number of recipients in Email: 50". */
export const MAX_RECIPIENTS = 50;
/** Same table: "Total email request size (including attachments): 10 MB" (the contract's attachments note too). */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** Learn "Repeatable requests" (applies to the Email Send API): requests are tracked for 5 minutes. */
export const REPEATABILITY_WINDOW_MS = 5 * 60 * 1000;

export interface RateWindow {
  limit: number;
  windowSeconds: number;
}

/** Send Email and Get Email Status limits, per subscription (one emulator = one resource = one subscription). */
export interface EmailRateLimits {
  send: RateWindow[];
  status: RateWindow[];
}

/**
 * Learn "Service limits for Azure Communication Services", Email, "Rate Limits for Email" (limits in number of
 * emails, per subscription): custom domains 30 / minute and 100 / hour to send, 60 / minute and 200 / hour to get the
 * status; Azure managed domains 5 / minute and 10 / hour to send, 10 / minute and 20 / hour for status. Learn
 * "Email client library overview", API throttling: "30 mails sent per minute and 100 mails sent per hour".
 */
export const EMAIL_RATE_TIERS: Readonly<Record<'CustomDomain' | 'AzureManagedDomain', EmailRateLimits>> = {
  CustomDomain: {
    send: [
      { limit: 30, windowSeconds: 60 },
      { limit: 100, windowSeconds: 3600 },
    ],
    status: [
      { limit: 60, windowSeconds: 60 },
      { limit: 200, windowSeconds: 3600 },
    ],
  },
  AzureManagedDomain: {
    send: [
      { limit: 5, windowSeconds: 60 },
      { limit: 10, windowSeconds: 3600 },
    ],
    status: [
      { limit: 10, windowSeconds: 60 },
      { limit: 20, windowSeconds: 3600 },
    ],
  },
};

/** `'CustomDomain'` (default), `'AzureManagedDomain'`, `'off'`, or custom windows (tests). */
export type EmailRateLimitSetting = keyof typeof EMAIL_RATE_TIERS | 'off' | EmailRateLimits;

/** The rate-limiter operation names: both send api-versions count as one, both status routes as the other. */
export const SEND_LIMIT = 'email.send';
export const STATUS_LIMIT = 'email.status';

export function rateRules(setting: EmailRateLimitSetting): Record<string, Rule[]> {
  if (setting === 'off') return {};
  const limits = typeof setting === 'string' ? EMAIL_RATE_TIERS[setting] : setting;
  const rules = (windows: RateWindow[]): Rule[] =>
    windows.map((w) => ({ scope: 'resource', windowSec: w.windowSeconds, limit: w.limit }));
  return { [SEND_LIMIT]: rules(limits.send), [STATUS_LIMIT]: rules(limits.status) };
}
