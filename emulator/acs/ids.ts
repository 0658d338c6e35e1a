import { randomBytes, randomUUID } from 'node:crypto';

/** Id formats that match the real service. */

export const newUserId = (resourceId: string): string => `8:acs:${resourceId}_${randomUUID()}`;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** `19:acsV1_<52 base32 chars>@thread.v2`, like real ACS thread ids. */
export function newThreadId(): string {
  const bytes = randomBytes(52);
  let s = '';
  for (const b of bytes) s += BASE32[b & 31];
  return `19:acsV1_${s}@thread.v2`;
}

/** Numeric, epoch-ms-like, strictly increasing ids for messages and versions. */
export class MessageIdSource {
  private last = 0;

  next(nowMs: number): string {
    this.last = Math.max(this.last + 1, nowMs);
    return String(this.last);
  }

  current(): string {
    return String(this.last);
  }

  /** Keeps ids increasing after a restore from disk. */
  observe(id: string): void {
    const n = Number(id);
    if (Number.isFinite(n) && n > this.last) this.last = n;
  }
}
