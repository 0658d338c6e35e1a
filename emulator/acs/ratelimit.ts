import { ApiError } from './errors';

/**
 * Throttling as ACS publishes it ("Service limits for Azure Communication Services", Chat and Identity sections),
 * on by default so local development meets the 429s production will. Fixed windows on the emulator clock; a
 * rejected call gets 429 TooManyRequests with Retry-After. The control API can switch it off for a test.
 */

export type Scope = 'resource' | 'user' | 'thread' | 'userThread';

export interface Rule {
  scope: Scope;
  windowSec: number;
  limit: number;
}

/** Limits per operation (from the "Service limits for Azure Communication Services" page). */
export const RATE_RULES: Record<string, Rule[]> = {
  'identity.createUser': [{ scope: 'resource', windowSec: 30, limit: 1000 }],
  'identity.deleteUser': [{ scope: 'resource', windowSec: 30, limit: 500 }],
  'identity.issueToken': [{ scope: 'resource', windowSec: 30, limit: 1000 }],
  'identity.revokeTokens': [{ scope: 'resource', windowSec: 30, limit: 500 }],
  'identity.exchangeTeamsToken': [{ scope: 'resource', windowSec: 30, limit: 500 }],
  'chat.createThread': [
    { scope: 'user', windowSec: 10, limit: 10 },
    { scope: 'resource', windowSec: 60, limit: 3000 },
  ],
  'chat.deleteThread': [{ scope: 'user', windowSec: 10, limit: 10 }],
  'chat.updateThread': [{ scope: 'thread', windowSec: 10, limit: 5 }],
  'chat.addParticipants': [
    { scope: 'thread', windowSec: 10, limit: 10 },
    { scope: 'thread', windowSec: 60, limit: 30 },
  ],
  'chat.removeParticipant': [
    { scope: 'thread', windowSec: 10, limit: 10 },
    { scope: 'thread', windowSec: 60, limit: 30 },
  ],
  'chat.getThread': [{ scope: 'user', windowSec: 10, limit: 50 }],
  'chat.listThreads': [{ scope: 'user', windowSec: 10, limit: 50 }],
  'chat.getMessage': [
    { scope: 'userThread', windowSec: 10, limit: 50 },
    { scope: 'thread', windowSec: 10, limit: 250 },
  ],
  'chat.listMessages': [
    { scope: 'userThread', windowSec: 10, limit: 50 },
    { scope: 'userThread', windowSec: 60, limit: 200 },
    { scope: 'thread', windowSec: 10, limit: 250 },
    { scope: 'thread', windowSec: 60, limit: 400 },
  ],
  'chat.listReadReceipts': [
    { scope: 'userThread', windowSec: 10, limit: 5 },
    { scope: 'thread', windowSec: 10, limit: 100 },
  ],
  'chat.listParticipants': [
    { scope: 'userThread', windowSec: 10, limit: 10 },
    { scope: 'thread', windowSec: 10, limit: 250 },
  ],
  'chat.sendMessage': [
    { scope: 'thread', windowSec: 10, limit: 10 },
    { scope: 'thread', windowSec: 60, limit: 30 },
  ],
  'chat.updateMessage': [
    { scope: 'thread', windowSec: 10, limit: 10 },
    { scope: 'thread', windowSec: 60, limit: 30 },
  ],
  'chat.deleteMessage': [
    { scope: 'thread', windowSec: 10, limit: 10 },
    { scope: 'thread', windowSec: 60, limit: 30 },
  ],
  'chat.sendReadReceipt': [
    { scope: 'userThread', windowSec: 10, limit: 10 },
    { scope: 'userThread', windowSec: 60, limit: 30 },
  ],
  'chat.sendTyping': [
    { scope: 'userThread', windowSec: 10, limit: 5 },
    { scope: 'userThread', windowSec: 60, limit: 15 },
    { scope: 'thread', windowSec: 10, limit: 10 },
    { scope: 'thread', windowSec: 60, limit: 30 },
  ],
};

function windowKey(operation: string, r: Rule, userId: string, threadId: string): string {
  const who =
    r.scope === 'resource'
      ? ''
      : r.scope === 'user'
        ? userId
        : r.scope === 'thread'
          ? threadId
          : `${userId}|${threadId}`;
  return `${operation}|${r.scope}|${r.windowSec}|${who}`;
}

export class RateLimiter {
  enabled: boolean;
  private windows = new Map<string, { start: number; count: number }>();

  /** `rules`: limits per operation name; the Content Safety emulator passes its own table. */
  constructor(
    readonly enabledByDefault = true,
    private readonly rules: Readonly<Record<string, Rule[]>> = RATE_RULES,
  ) {
    this.enabled = enabledByDefault;
  }

  reset(): void {
    this.windows.clear();
  }

  /** Throws 429 when the call is over a limit; counts it otherwise. */
  check(operation: string, now: number, userId = '', threadId = ''): void {
    if (!this.enabled) return;
    const rules = this.rules[operation];
    if (!rules) return;
    if (this.windows.size > 100_000) this.windows.clear();
    for (const r of rules) {
      const key = windowKey(operation, r, userId, threadId);
      const windowMs = r.windowSec * 1000;
      const start = Math.floor(now / windowMs) * windowMs;
      let w = this.windows.get(key);
      if (!w || w.start !== start) this.windows.set(key, (w = { start, count: 0 }));
      if (w.count >= r.limit) {
        const retryAfter = Math.max(1, Math.ceil((start + windowMs - now) / 1000));
        throw new ApiError(429, 'TooManyRequests', 'Rate limit exceeded.', { 'retry-after': String(retryAfter) });
      }
    }
    for (const r of rules) {
      const w = this.windows.get(windowKey(operation, r, userId, threadId));
      if (w) w.count++;
    }
  }
}
