import type { InvocationContext } from '@azure/functions';

import { repeatabilityId } from '../chat/idempotency';
import type { NotificationsConfig } from '../config';
import type { IdentityService } from '../identity/identity-service';
import { type InboxState, unreadCount } from '../inbox/inbox-state';
import type { LiveUpdates } from '../realtime/live-updates';
import type { InboxRepository, InboxRow } from '../storage/inbox-repository';
import type { DueEntry, NotificationRecord, NotificationRepository } from '../storage/notification-repository';
import { count, instruments } from '../telemetry/instruments';
import { noteRun } from '../telemetry/span-notes';
import { awayEmail, type UnreadThread } from './email-content';
import { type EmailSender, EmailThrottled } from './email-sender';
import { settingsOf } from './notification-settings';
import type { UnsubscribeLinks } from './unsubscribe-links';

/** Due entries read per run, and emails sent per run at most (ACS Email's default: 30 a minute, 100 an hour). */
export const DUE_ENTRIES_PER_RUN = 200;
export const EMAILS_PER_RUN = 30;
/** Threads an email lists by name; the rest are counted. */
const THREADS_LISTED = 10;

export type AwayOutcome =
  'sent' | 'waiting' | 'off' | 'noIdentity' | 'reading' | 'nothingUnread' | 'alreadyEmailed' | 'throttled';

export interface AwayEmailDependencies {
  repository: NotificationRepository;
  inboxes: InboxRepository;
  identity: IdentityService;
  live: LiveUpdates;
  sender: EmailSender;
  links: UnsubscribeLinks;
  config: NotificationsConfig;
  now: () => number;
}

/**
 * The `sendAwayEmails` timer: drains the due index oldest first and emails each due user at most once per batch of
 * unread messages, within ACS Email's quota. Per due user: one read of their settings, one presence check, one query
 * of their own inbox (plus up to 10 entries read whole for the email): never a scan of all users. An email is sent
 * under an Operation-Id derived from the user and the start of the batch, so a run that dies after sending sends
 * nothing twice. On 429 the runs pause for its Retry-After; what was not sent stays due.
 */
export class AwayMailer {
  constructor(private readonly deps: AwayEmailDependencies) {}

  async run(context?: InvocationContext): Promise<Partial<Record<AwayOutcome | 'paused', number>>> {
    const { repository, now } = this.deps;
    const counts: Partial<Record<AwayOutcome | 'paused', number>> = {};
    const pausedUntil = await repository.pausedUntil();
    if (pausedUntil !== undefined && pausedUntil > now()) return { paused: 1 };
    const byUser = new Map<string, DueEntry[]>();
    const dueEntries = await repository.due(now(), DUE_ENTRIES_PER_RUN);
    instruments().emailQueueDepth.record(dueEntries.length);
    for (const entry of dueEntries) byUser.set(entry.userId, [...(byUser.get(entry.userId) ?? []), entry]);
    let sent = 0;
    for (const [userId, entries] of byUser) {
      if (sent >= EMAILS_PER_RUN) break;
      let outcome: AwayOutcome;
      try {
        outcome = await this.handle(userId, entries, context);
      } catch (error) {
        if (!(error instanceof EmailThrottled)) throw error;
        await repository.pause(now() + error.retryAfterSeconds * 1000);
        context?.warn('away emails paused: ACS Email asks to wait', { retryAfterSeconds: error.retryAfterSeconds });
        counts.throttled = (counts.throttled ?? 0) + 1;
        break;
      }
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      if (outcome === 'sent') sent += 1;
    }
    if (Object.keys(counts).length > 0) context?.log('away emails run', counts);
    noteRun(counts);
    for (const [outcome, emails] of Object.entries(counts)) count('emails', { 'chat.email.outcome': outcome }, emails);
    return counts;
  }

  private async handle(userId: string, due: DueEntry[], context?: InvocationContext): Promise<AwayOutcome> {
    let entries = due;
    const { repository, now } = this.deps;
    const record = (await repository.get(userId)) ?? {};
    const settings = settingsOf(record).email;
    const drop = async (outcome: AwayOutcome): Promise<AwayOutcome> => {
      for (const entry of entries) await repository.unschedule(entry);
      // Nothing is dropped unsaid: the reason, and how many threads it covered.
      context?.log('away email not sent', { outcome, threads: entries.length });
      return outcome;
    };
    if (!settings.enabled || !settings.address) return drop('off');
    const acsUserId = await this.deps.identity.findAcsUserId(userId);
    if (!acsUserId) return drop('noIdentity');
    if (await this.deps.live.isConnected(userId)) return drop('reading');
    // An entry for a thread the last email listed, from a batch that started before it (a late redelivery brought it
    // back), is no new batch: it never makes an email by itself.
    const { emailedOn } = record;
    const emailed = new Set(record.emailedThreads ?? []);
    const stale = entries.filter(
      (entry) => emailedOn !== undefined && emailed.has(entry.threadId) && entry.unreadSince <= emailedOn,
    );
    if (stale.length === entries.length) return drop('alreadyEmailed');
    for (const entry of stale) await repository.unschedule(entry);
    entries = entries.filter((entry) => !stale.includes(entry));
    const rows = await this.deps.inboxes.list(acsUserId);
    const unread = rows.filter((row) => row.unreadCount > 0);
    if (unread.length === 0) return drop('nothingUnread');
    if (!readSinceLastEmail(record, rows, entries)) return drop('alreadyEmailed');

    const batchStart = Math.min(...entries.map((entry) => entry.unreadSince));
    const dueOn = batchStart + settings.delayMinutes * 60_000;
    if (dueOn > now()) {
      for (const entry of entries) {
        await repository.schedule({ ...entry, dueOn });
        await repository.unschedule(entry);
      }
      return 'waiting';
    }

    const listed = unread
      .sort((a, b) => b.lastActivityOn.getTime() - a.lastActivityOn.getTime())
      .slice(0, THREADS_LISTED);
    const threads = await Promise.all(listed.map((row) => this.describe(acsUserId, row)));
    const unsubscribeUrl = await this.unsubscribeUrl(userId);
    const content = awayEmail({
      threads,
      moreThreads: unread.length - listed.length,
      ...(this.deps.config.appBaseUrl ? { appBaseUrl: this.deps.config.appBaseUrl } : {}),
      unsubscribeUrl,
    });
    await this.deps.sender.send(
      {
        operationId: repeatabilityId(userId, `away-email|${batchStart}`),
        to: { address: settings.address },
        ...content,
        headers: {
          'List-Unsubscribe': `<${unsubscribeUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      },
      this.deps.config.sender,
    );
    await repository.merge(userId, { emailedOn: now(), emailedThreads: unread.map((row) => row.threadId) });
    for (const entry of entries) await repository.unschedule(entry);
    return 'sent';
  }

  private async describe(acsUserId: string, row: InboxRow): Promise<UnreadThread> {
    const state = await this.deps.inboxes.get(acsUserId, row.threadId);
    const messages = state ? unreadMessages(state) : [];
    const senders = [
      ...new Set(messages.map((message) => message.senderDisplayName ?? message.senderUserId ?? 'Someone')),
    ];
    const newest = messages[0];
    return {
      threadId: row.threadId,
      topic: row.topic,
      unreadCount: state ? unreadCount(state) : row.unreadCount,
      senders,
      ...(this.deps.config.includePreview && newest?.preview ? { preview: newest.preview } : {}),
    };
  }

  private async unsubscribeUrl(userId: string): Promise<string> {
    const token = await this.deps.links.tokenFor(userId);
    return `${this.deps.config.apiBaseUrl}/notifications/unsubscribe?token=${encodeURIComponent(token)}`;
  }
}

/**
 * Whether the user read since their last email: a thread that email listed has nothing unread now, or became unread
 * again after it (it was read in between: entries are written only when a thread goes from read to unread). Before
 * any email, trivially yes.
 */
function readSinceLastEmail(record: NotificationRecord, rows: InboxRow[], entries: DueEntry[]): boolean {
  if (record.emailedOn === undefined) return true;
  const emailed = new Set(record.emailedThreads ?? []);
  const emailedOn = record.emailedOn;
  return (
    rows.some((row) => emailed.has(row.threadId) && row.unreadCount === 0) ||
    entries.some((entry) => emailed.has(entry.threadId) && entry.unreadSince > emailedOn)
  );
}

/** The unread messages of an entry that it still summarises, newest first. */
function unreadMessages(state: InboxState): InboxState['recent'] {
  const unread = new Set(state.others.filter((id) => !state.deleted.includes(id)));
  return state.recent.filter((message) => unread.has(message.id) && !message.deleted);
}
