import type { InvocationContext } from '@azure/functions';

import type { ActivityRecording, ThreadRepository } from '../storage/thread-repository';
import type { ChatEvent } from './chat-event-schemas';

export type ChatEventOutcome =
  ActivityRecording | 'removed' | 'ignored' | 'invalid' | 'known' | 'gone' | 'orphanDeleted';

/** What the events service needs beyond our records: who the backend is in ACS, and a way to delete a thread. */
export interface OrphanCleanup {
  serviceAcsUserId(): Promise<string>;
  /** Whether the thread still exists in ACS (a thread deleted since has no record, and is no orphan). */
  exists(threadId: string): Promise<boolean>;
  deleteThread(threadId: string): Promise<void>;
  /** A thread without a record is left this long for its creation (or an Idempotency-Key retry) to record it. */
  graceMs: number;
}

/** Thrown to have Event Grid deliver a ChatThreadCreated again later, when the grace period may be over. */
export class OrphanCheckDeferred extends Error {
  override readonly name = 'OrphanCheckDeferred';
}

export interface ChatEventOptions {
  /** Activity already recorded this close to a message's time is not written again (default one minute). */
  activityPrecisionMs?: number;
  /** The backend's clock; ms since the epoch. */
  now?: () => number;
}

const DEFAULT_ACTIVITY_PRECISION_MS = 60_000;

/**
 * What the backend does with ACS chat events. Event Grid delivers at least once and in no particular order, so every
 * step is idempotent and never moves state backwards, and nothing is kept in memory:
 * - a message in a thread records the thread's activity for pruning (one Tables read, at most one write; no ACS call);
 * - a thread ACS deleted (by anyone, or by its retention policy) loses our records;
 * - any other event, or one whose data does not match its schema, is logged and acknowledged (delivering it again
 *   would not change it).
 * A failure (Tables unavailable) is thrown, so that Event Grid delivers the event again later.
 */
export class ChatEventService {
  private readonly precisionMs: number;
  private readonly now: () => number;

  constructor(
    private readonly threads: ThreadRepository,
    options: ChatEventOptions = {},
    private readonly orphans?: OrphanCleanup,
  ) {
    this.precisionMs = options.activityPrecisionMs ?? DEFAULT_ACTIVITY_PRECISION_MS;
    this.now = options.now ?? Date.now;
  }

  async handle(event: ChatEvent, context?: InvocationContext): Promise<ChatEventOutcome> {
    const about = { eventId: event.id, eventType: event.eventType };
    switch (event.kind) {
      case 'messageReceivedInThread': {
        // A message cannot be newer than now; a skewed clock must not keep a thread alive for longer.
        const activityOn = new Date(Math.min(event.activityOn.getTime(), this.now()));
        const outcome = await this.threads.recordActivity(event.threadId, activityOn, this.precisionMs);
        context?.log('chat event handled', { ...about, threadId: event.threadId, outcome });
        return outcome;
      }
      case 'threadDeleted':
        await this.threads.remove(event.threadId);
        context?.log('chat event handled', { ...about, threadId: event.threadId, outcome: 'removed' });
        return 'removed';
      case 'threadCreated': {
        const outcome = await this.checkRecorded(event);
        context?.log('chat event handled', { ...about, threadId: event.threadId, outcome });
        return outcome;
      }
      case 'unhandled':
        context?.log('chat event acknowledged without action', about);
        return 'ignored';
      case 'invalid':
        context?.warn('chat event does not match its schema; acknowledged without action', {
          ...about,
          issues: event.issues.slice(0, 5),
        });
        return 'invalid';
    }
  }

  /**
   * Every thread the backend creates has the service identity in it and a record in Tables. One that ACS created but
   * that never got its record (the create timed out after ACS had acted, or Tables failed, and no Idempotency-Key
   * retry came) is an orphan nobody could ever find: once the grace period is over it is deleted. Until then the event
   * is refused, so that Event Grid delivers it again later (10 s, 30 s, 1 min, 5 min, ... in Azure). One Tables read;
   * ACS calls only for a thread without a record.
   */
  private async checkRecorded(event: { threadId: string; createdOn: Date; participantIds: string[] }) {
    if (!this.orphans) return 'ignored' as const;
    const serviceAcsUserId = await this.orphans.serviceAcsUserId();
    if (!event.participantIds.includes(serviceAcsUserId)) return 'ignored' as const;
    if (await this.threads.get(event.threadId)) return 'known' as const;
    // Deleted since (its records went with it): nothing to wait for. One ACS call, only for threads without a record.
    if (!(await this.orphans.exists(event.threadId))) return 'gone' as const;
    // A creation time ahead of our clock (skew) counts as now.
    const age = this.now() - Math.min(event.createdOn.getTime(), this.now());
    if (age < this.orphans.graceMs) {
      throw new OrphanCheckDeferred(`thread ${event.threadId} has no record yet; checking again later`);
    }
    // Read again now that the grace period is over: the first read may have come just before a late record did.
    if (await this.threads.get(event.threadId)) return 'known' as const;
    await this.orphans.deleteThread(event.threadId);
    return 'orphanDeleted' as const;
  }
}

/**
 * A minute, or less when threads are pruned after a very short idle period (tests), so that recorded activity stays
 * within 1 % of the retention period.
 */
export function activityPrecisionFor(retentionDays: number): number {
  return Math.min(DEFAULT_ACTIVITY_PRECISION_MS, (retentionDays * 86_400_000) / 100);
}
