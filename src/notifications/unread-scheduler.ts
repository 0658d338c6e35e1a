import type { InvocationContext } from '@azure/functions';

import type { IdentityService } from '../identity/identity-service';
import type { InboxEntryChange } from '../inbox/inbox-service';
import { isPresent, unreadCount } from '../inbox/inbox-state';
import type { NotificationRepository } from '../storage/notification-repository';
import { MIN_DELAY_MINUTES } from './notification-schemas';

/**
 * Schedules the email check of a user from the inbox changes chat events make: only when one of their threads goes
 * from nothing unread to something unread (the start of a batch) is a due entry written — one Tables insert, the same
 * row again on a redelivery — at the
 * shortest delay a user may choose; the timer then applies the user's own. Further messages in a thread already
 * unread cost nothing.
 */
export class UnreadScheduler {
  constructor(
    private readonly repository: NotificationRepository,
    private readonly identity: IdentityService,
  ) {}

  async scheduleFrom(changes: InboxEntryChange[], context?: InvocationContext): Promise<number> {
    let scheduled = 0;
    for (const change of changes) {
      if (!isPresent(change.state)) continue;
      const after = unreadCount(change.state);
      const before = change.previous ? unreadCount(change.previous) : change.outcome === 'written' ? 0 : undefined;
      // A redelivered event changes nothing (no `previous`): one unread message still means it started the batch, and
      // scheduling it again is the same insert. An entry rewritten with unread messages before and after (the user's
      // own message in the thread, an edit, a deletion among several) starts no batch: scheduling it would bring an
      // entry the timer already emailed and removed back.
      if (after === 0 || (before === undefined ? after !== 1 : before !== 0)) continue;
      const userId = await this.identity.userIdFor(change.acsUserId);
      if (!userId) continue;
      const unreadSince = firstUnreadOn(change.state);
      await this.repository.schedule({
        userId,
        threadId: change.threadId,
        unreadSince,
        dueOn: unreadSince + MIN_DELAY_MINUTES * 60_000,
      });
      scheduled += 1;
    }
    if (scheduled > 0) context?.log('away emails scheduled', { scheduled });
    return scheduled;
  }
}

/** When the oldest unread message of the entry was sent (its summary's time, else the entry's last activity). */
function firstUnreadOn(state: Parameters<typeof unreadCount>[0]): number {
  const unread = new Set(state.others.filter((id) => !state.deleted.includes(id)));
  const times = state.recent.filter((message) => unread.has(message.id)).map((message) => message.createdOn);
  return times.length > 0 ? Math.min(...times) : state.lastActivityOn;
}
