import type { InvocationContext } from '@azure/functions';
import * as z from 'zod';

import type { AcsChat } from '../chat/acs-chat';
import { rawId } from '../chat/people';
import { identifier } from '../events/inbox-event-schemas';
import type { IdentityService } from '../identity/identity-service';
import type { LiveUpdates } from '../realtime/live-updates';
import { isStatus } from '../storage/errors';
import type { QueuedCheck, ScreeningRepository, ScreeningRow } from '../storage/screening-repository';
import type { AuditLog } from './audit-log';
import { ContentSafetyUnavailable } from './content-safety';
import { contentKind, MODERATION_METADATA_KEY, type ModerationSeal } from './moderation-seal';
import type { ModeratorActions } from './moderator-actions';
import { moderatedText, type RejectionCategory, type TextModeration } from './text-moderation';

/** A claim on a message's check older than this is taken to have died with its instance, and is taken over. */
export const CHECK_CLAIM_MS = 60_000;
/** Queued checks handled per timer run (each one ACS call and one Content Safety call at most). */
export const RECHECKS_PER_RUN = 50;
const MAX_RECHECK_DELAY_MS = 30 * 60_000;

export type ScreeningOutcome =
  'ignored' | 'passed' | 'duplicate' | 'superseded' | 'allowed' | 'removed' | 'queued' | 'gone';

/** Thrown so that Event Grid delivers the event again: another delivery of it is being checked right now. */
export class CheckInProgress extends Error {
  override readonly name = 'CheckInProgress';
}

/** The one event per message (and per edit) ACS sends for the whole thread: user-level copies are not checked. */
const SCREENED_EVENT_TYPES = new Set([
  'microsoft.communication.chatmessagereceivedinthread',
  'microsoft.communication.chatmessageeditedinthread',
]);

const messageEvent = z.object({
  id: z.string(),
  eventType: z.string(),
  data: z.object({
    threadId: z.string().min(1),
    messageId: z.string().min(1),
    senderCommunicationIdentifier: identifier,
    type: z.string(),
    // An int64 in the schema; a numeric string in some of ACS's own samples.
    version: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
    messageBody: z.string().default(''),
    metadata: z.record(z.string(), z.string()).optional(),
  }),
});

interface Candidate {
  threadId: string;
  messageId: string;
  senderAcsUserId: string;
  kind: 'text' | 'html';
  version: number;
  content: string;
}

export interface ScreeningDependencies {
  checks: ScreeningRepository;
  moderation: TextModeration;
  seal: ModerationSeal;
  actions: ModeratorActions;
  audit: AuditLog;
  live: LiveUpdates;
  identity: IdentityService;
  acs: AcsChat;
  now: () => number;
}

/**
 * Messages and edits that reached ACS without passing our check (sent straight to ACS with a user's token, or
 * accepted while Content Safety was unavailable) are checked from their events: once per message version, whatever
 * Event Grid redelivers or reorders (a row per message keeps the newest version claimed and how far its check got).
 * A rejected message is deleted in ACS as its sender, audited once, and the sender's clients are told. When Content
 * Safety cannot answer, the check is queued and the recheckModeration timer takes it up.
 */
export class MessageScreening {
  constructor(private readonly deps: ScreeningDependencies) {}

  async handleEvent(event: unknown, context?: InvocationContext): Promise<ScreeningOutcome> {
    const head = event as { eventType?: unknown } | null;
    if (typeof head?.eventType !== 'string' || !SCREENED_EVENT_TYPES.has(head.eventType.toLowerCase()))
      return 'ignored';
    const parsed = messageEvent.safeParse(event);
    if (!parsed.success) return 'ignored';
    const { data } = parsed.data;
    const kind = contentKind(data.type);
    if (!kind) return 'ignored';
    const candidate: Candidate = {
      threadId: data.threadId,
      messageId: data.messageId,
      senderAcsUserId: data.senderCommunicationIdentifier,
      kind,
      version: data.version,
      content: data.messageBody,
    };
    const outcome = await this.screen(candidate, data.metadata?.[MODERATION_METADATA_KEY], context);
    if (outcome !== 'ignored' && outcome !== 'passed')
      context?.log('message screened', { threadId: data.threadId, messageId: data.messageId, outcome });
    return outcome;
  }

  /** The timer: checks that waited for Content Safety, oldest due first, at most RECHECKS_PER_RUN. */
  async recheckQueued(context?: InvocationContext): Promise<Record<ScreeningOutcome | 'requeued', number>> {
    const counts: Record<ScreeningOutcome | 'requeued', number> = {
      ignored: 0,
      passed: 0,
      duplicate: 0,
      superseded: 0,
      allowed: 0,
      removed: 0,
      queued: 0,
      gone: 0,
      requeued: 0,
    };
    for (const check of await this.deps.checks.due(this.deps.now(), RECHECKS_PER_RUN)) {
      let outcome: ScreeningOutcome;
      try {
        outcome = await this.recheck(check, context);
      } catch (error) {
        // ACS throttling this identity, Tables briefly out, a check under way elsewhere: later, with the others.
        context?.warn('queued check failed; trying again later', {
          threadId: check.threadId,
          error: error instanceof Error ? error.name : 'unknown',
        });
        outcome = 'queued';
      }
      counts[outcome] += 1;
      if (outcome === 'queued') {
        await this.deps.checks.enqueue({
          ...check,
          attempts: check.attempts + 1,
          dueOn: this.deps.now() + Math.min(MAX_RECHECK_DELAY_MS, 60_000 * 2 ** check.attempts),
        });
        counts.requeued += 1;
      }
      await this.deps.checks.dequeue(check);
    }
    return counts;
  }

  private async recheck(check: QueuedCheck, context?: InvocationContext): Promise<ScreeningOutcome> {
    let message;
    try {
      message = await this.deps.acs.asService((client) =>
        client.getChatThreadClient(check.threadId).getMessage(check.messageId),
      );
    } catch (error) {
      if (isStatus(error, 404, 403)) return 'gone';
      throw error;
    }
    const kind = contentKind(message.type);
    const senderAcsUserId = rawId(message.sender);
    if (message.deletedOn || !kind || !senderAcsUserId) return 'gone';
    return this.screen(
      {
        threadId: check.threadId,
        messageId: check.messageId,
        senderAcsUserId,
        kind,
        version: Number(message.version),
        content: message.content?.message ?? '',
      },
      message.metadata?.[MODERATION_METADATA_KEY],
      context,
      true,
    );
  }

  private async screen(
    message: Candidate,
    mark: string | undefined,
    context: InvocationContext | undefined,
    fromQueue = false,
  ): Promise<ScreeningOutcome> {
    if (message.senderAcsUserId === (await this.deps.identity.serviceAcsUserId(context))) return 'ignored';
    if (await this.deps.seal.verifies(message, mark)) return 'passed';
    const claim = await this.claim(message, fromQueue);
    if (claim.kind !== 'claimed') {
      if (claim.kind === 'act') return this.remove(message, claim.row, context);
      return claim.kind;
    }
    let verdict;
    try {
      verdict = await this.deps.moderation.verdict(moderatedText(message.content, message.kind));
    } catch (error) {
      if (!(error instanceof ContentSafetyUnavailable)) throw error;
      const queuedEtag = await this.deps.checks.update(message.threadId, message.messageId, claim.etag, {
        version: message.version,
        state: 'queued',
        since: this.deps.now(),
      });
      if (queuedEtag && !fromQueue)
        await this.deps.checks.enqueue({
          threadId: message.threadId,
          messageId: message.messageId,
          attempts: 0,
          dueOn: this.deps.now() + Math.max(1, error.retryAfterSeconds) * 1000,
        });
      context?.warn('message check queued: Content Safety unavailable', {
        threadId: message.threadId,
        status: error.status ?? 'no answer',
      });
      return 'queued';
    }
    const decidedOn = this.deps.now();
    if (!verdict.flagged) {
      await this.deps.checks.update(message.threadId, message.messageId, claim.etag, {
        version: message.version,
        state: 'allowed',
        since: decidedOn,
      });
      return 'allowed';
    }
    const rejected = { version: message.version, state: 'rejected' as const, since: decidedOn, ...verdict };
    const etag = await this.deps.checks.update(message.threadId, message.messageId, claim.etag, rejected);
    // Someone claimed a newer version meanwhile (an edit): that check decides.
    if (!etag) return 'superseded';
    return this.remove(message, { ...rejected, etag }, context);
  }

  /**
   * The message's check: `claimed` (ours to run, with the row's ETag), `act` (flagged before, its deletion not yet
   * confirmed), or why there is nothing to do. A check still running elsewhere makes this delivery fail, to be
   * delivered again when it has finished or died.
   */
  private async claim(
    message: Candidate,
    fromQueue: boolean,
  ): Promise<
    | { kind: 'claimed'; etag: string }
    | { kind: 'act'; row: ScreeningRow }
    | { kind: 'duplicate' | 'superseded' | 'queued' }
  > {
    const now = this.deps.now();
    const created = await this.deps.checks.create(message.threadId, message.messageId, message.version, now);
    if (created) return { kind: 'claimed', etag: created };
    const row = await this.deps.checks.get(message.threadId, message.messageId);
    if (!row) throw new CheckInProgress('the check row vanished; trying again');
    if (row.state === 'removed') return { kind: 'duplicate' };
    const stale = now - row.since >= CHECK_CLAIM_MS;
    // Flagged a moment ago: its deletion is under way elsewhere (a later delivery finds it done, or takes over).
    if (row.state === 'rejected') {
      if (!stale) throw new CheckInProgress(`message ${message.messageId} is being removed`);
      return { kind: 'act', row };
    }
    if (row.version > message.version) return { kind: 'superseded' };
    const takeOver =
      row.version < message.version ||
      (row.state === 'checking' && stale) ||
      (row.state === 'queued' && (fromQueue || stale));
    if (!takeOver) {
      if (row.state === 'checking') throw new CheckInProgress(`message ${message.messageId} is being checked`);
      return { kind: row.state === 'queued' ? 'queued' : 'duplicate' };
    }
    const etag = await this.deps.checks.update(message.threadId, message.messageId, row.etag, {
      version: message.version,
      state: 'checking',
      since: now,
    });
    if (!etag) throw new CheckInProgress(`message ${message.messageId} was claimed meanwhile`);
    return { kind: 'claimed', etag };
  }

  /** Deletes a flagged message as its sender, audits it once and tells the sender; then marks it removed. */
  private async remove(
    message: Candidate,
    row: ScreeningRow,
    context: InvocationContext | undefined,
  ): Promise<ScreeningOutcome> {
    const categories = (row.categories ?? []) as RejectionCategory[];
    const deleted = await this.deps.actions.deleteAsSender(
      message.threadId,
      message.messageId,
      message.senderAcsUserId,
    );
    const senderUserId = await this.deps.identity.userIdFor(message.senderAcsUserId);
    const decision = `${message.threadId}|${message.messageId}|${row.version}`;
    await this.deps.audit.record(
      {
        action: 'messageDeleted',
        actor: 'system',
        subject: senderUserId ?? message.senderAcsUserId,
        reason: categories.join(', '),
        details: {
          threadId: message.threadId,
          messageId: message.messageId,
          ...(deleted ? {} : { note: 'not deleted: the sender is no longer in the thread' }),
        },
      },
      context,
      { key: decision, on: row.since },
    );
    if (senderUserId)
      await this.deps.live.messageRejected(
        { userId: senderUserId },
        {
          id: `rejected-${row.version}-${message.messageId}`,
          threadId: message.threadId,
          messageId: message.messageId,
          categories,
          on: row.since,
        },
        context,
      );
    await this.deps.checks.update(message.threadId, message.messageId, row.etag, {
      version: row.version,
      state: 'removed',
      since: this.deps.now(),
      categories,
    });
    return 'removed';
  }
}
