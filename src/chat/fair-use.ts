import type { InvocationContext } from '@azure/functions';

import type { FairUseLimits } from '../config';
import { ThrottledError } from '../errors';
import type { UsageCharge, UsageRepository } from '../storage/usage-repository';
import { count } from '../telemetry/instruments';
import { fromUpstream, rethrowAs } from '../upstream-errors';

const WINDOW_MS = 3_600_000;

/**
 * Per-user fair use, checked before any ACS call: threads created and ACS identities created on the caller's behalf
 * per clock hour. Counted in Tables, so every instance sees the same totals.
 */
export class FairUse {
  constructor(
    private readonly usage: UsageRepository,
    private readonly limits: FairUseLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Spends `charge` of the caller's allowance, or refuses with 429 FairUseExceeded and spends nothing. */
  async spend(userId: string, charge: UsageCharge, context?: InvocationContext): Promise<void> {
    if (charge.threads === 0 && charge.identities === 0) return;
    const now = this.now();
    const windowStart = new Date(Math.floor(now / WINDOW_MS) * WINDOW_MS);
    const { totals, rowKey } = await this.usage.charge(userId, windowStart, charge).catch(rethrowAs(fromUpstream));
    const over = totals.threads > this.limits.threadsPerHour || totals.identities > this.limits.newIdentitiesPerHour;
    if (!over) return;
    await this.usage.refund(userId, windowStart, rowKey).catch(() => undefined);
    context?.warn('fair use exceeded', { totals, limits: this.limits });
    const limit = totals.threads > this.limits.threadsPerHour ? 'threadsPerHour' : 'newIdentitiesPerHour';
    count('fairUseRefusals', { 'chat.fair_use.limit': limit });
    const retryAfterSeconds = Math.ceil((windowStart.getTime() + WINDOW_MS - now) / 1000);
    throw new ThrottledError(
      totals.threads > this.limits.threadsPerHour
        ? `You may create at most ${this.limits.threadsPerHour} threads per hour.`
        : `You may add at most ${this.limits.newIdentitiesPerHour} people who have never signed in per hour.`,
      retryAfterSeconds,
      'FairUseExceeded',
    );
  }
}
