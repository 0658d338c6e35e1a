import type { InvocationContext } from '@azure/functions';

import { ValidationError } from '../errors';
import type { ModerationRepository } from '../storage/moderation-repository';
import { fromUpstream, rethrowAs } from '../upstream-errors';
import type { AuditEntry } from './moderation-schemas';

/** The moderation audit trail: who did what to whom, when and why; newest first, kept for `retentionDays`. */
export class AuditLog {
  constructor(
    private readonly repository: ModerationRepository,
    private readonly retentionDays: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** `once`: a key and time that make a repeat of the same action (a redelivered event) record nothing new. */
  async record(
    entry: Omit<AuditEntry, 'id' | 'on'>,
    context?: InvocationContext,
    once?: { key: string; on: number },
  ): Promise<AuditEntry> {
    const recorded = await this.repository
      .audit({ ...entry, on: new Date(once?.on ?? this.now()).toISOString() }, once?.key)
      .catch(rethrowAs(fromUpstream));
    context?.info('moderation action', { action: entry.action, auditId: recorded.id });
    return recorded;
  }

  /** Deletes entries older than the retention period, at most `limit` per call (a timer calls it daily). */
  async prune(limit: number): Promise<{ deleted: number; more: boolean }> {
    const cutoff = new Date(this.now() - this.retentionDays * 86_400_000);
    return this.repository.deleteAuditBefore(cutoff, limit).catch(rethrowAs(fromUpstream));
  }

  /**
   * A page of entries, newest first. The continuation names the month and Tables' position in it; an empty month is
   * skipped, back to the retention limit.
   */
  async list(pageSize: number, continuation?: string): Promise<{ items: AuditEntry[]; continuationToken?: string }> {
    const oldest = this.now() - this.retentionDays * 86_400_000;
    let { month, next } = continuation ? decode(continuation) : { month: startOfMonth(this.now()) };
    for (; month >= startOfMonth(oldest); month = previousMonth(month), next = undefined) {
      const page = await this.repository.auditPage(new Date(month), pageSize, next).catch(rethrowAs(fromUpstream));
      const items = page.items.filter((item) => Date.parse(item.on) >= oldest);
      if (page.continuation) return { items, continuationToken: encode(month, page.continuation) };
      if (items.length > 0) {
        const earlier = previousMonth(month);
        return earlier >= startOfMonth(oldest) ? { items, continuationToken: encode(earlier) } : { items };
      }
    }
    return { items: [] };
  }
}

function startOfMonth(ms: number): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

function previousMonth(month: number): number {
  const date = new Date(month);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1);
}

function encode(month: number, next?: string): string {
  return Buffer.from(JSON.stringify({ month, ...(next ? { next } : {}) })).toString('base64url');
}

function decode(token: string): { month: number; next?: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { month?: unknown; next?: unknown };
    if (typeof parsed.month === 'number' && Number.isFinite(parsed.month))
      return { month: parsed.month, ...(typeof parsed.next === 'string' ? { next: parsed.next } : {}) };
  } catch {
    // falls through to the error below
  }
  throw new ValidationError(
    'The continuation token is not one this list issued.',
    undefined,
    'InvalidContinuationToken',
  );
}
