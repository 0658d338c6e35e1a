import type { InvocationContext } from '@azure/functions';
import * as z from 'zod';

import { ValidationError } from '../errors';
import { inboxEffectOf, type InboxEventEffect, type InboxUpdate } from '../events/inbox-event-schemas';
import type { IdentityService } from '../identity/identity-service';
import type { InboxRepository, InboxRow, InboxUpdateResult } from '../storage/inbox-repository';
import { fromUpstream, rethrowAs } from '../upstream-errors';
import { type InboxCursor, inboxCursor, type InboxEntry, type InboxQuery, type UnreadBadge } from './inbox-schemas';
import {
  applyInboxChange,
  type InboxChange,
  type InboxState,
  isPresent,
  lastMessage,
  unreadCount,
} from './inbox-state';

/** One inbox entry an event or a read mark changed (or found already changed), as it now stands. */
export interface InboxEntryChange extends InboxUpdateResult {
  acsUserId: string;
  threadId: string;
}

const DEFAULT_PAGE_SIZE = 50;

/**
 * Each user's inbox, kept from chat events and answered from Tables alone (no ACS call):
 * - an event changes each entry it names with one read and one conditional write (people are resolved through the
 *   identity map's per-instance cache; the backend's own identity has no inbox);
 * - GET /api/inbox reads the caller's partition (present entries, the API's columns only) and sorts it newest first:
 *   Tables orders a partition by RowKey only, and keying rows by time would make every message move a row;
 * - the unread badge is one partition query over one column.
 */
export class InboxService {
  constructor(
    private readonly repository: InboxRepository,
    private readonly identity: IdentityService,
  ) {}

  /**
   * An Event Grid event as the trigger hands it over. An event whose data does not match its schema is logged and
   * acknowledged (delivering it again would not change it); a Tables failure is thrown so Event Grid retries.
   */
  async handleEvent(event: unknown, context?: InvocationContext): Promise<InboxEntryChange[]> {
    let effect: InboxEventEffect;
    try {
      effect = inboxEffectOf(event);
    } catch (error) {
      if (!(error instanceof z.ZodError)) throw error;
      const issues = error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      context?.warn('chat event does not match its inbox schema; acknowledged without action', { issues });
      return [];
    }
    const changes = await this.apply(effect, context);
    if (changes.length > 0) {
      context?.log('inbox updated', { entries: changes.length, outcomes: changes.map((change) => change.outcome) });
    }
    return changes;
  }

  async apply(effect: InboxEventEffect, context?: InvocationContext): Promise<InboxEntryChange[]> {
    if (effect.threadTopic) {
      const { threadId, ...topic } = effect.threadTopic;
      await this.repository.recordTopic(threadId, topic);
    }
    const service = await this.identity.serviceAcsUserId(context);
    const outcomes: InboxEntryChange[] = [];
    for (const update of effect.updates) {
      if (update.acsUserId === service) continue;
      const changes = await this.resolve(update, service);
      const joined = update.change.kind === 'joined' && update.change.topic === undefined;
      const result = await this.repository.update(
        update.acsUserId,
        update.threadId,
        (state) => changes.reduce(applyInboxChange, state),
        { likelyNew: joined },
      );
      outcomes.push({ acsUserId: update.acsUserId, threadId: update.threadId, ...result });
    }
    return outcomes;
  }

  async list(userId: string, query: InboxQuery): Promise<{ items: InboxEntry[]; continuationToken?: string }> {
    const acsUserId = await this.identity.findAcsUserId(userId);
    if (!acsUserId) return { items: [] };
    const after = query.continuationToken ? decodeCursor(query.continuationToken) : undefined;
    const rows = (await this.repository.list(acsUserId).catch(rethrowAs(fromUpstream))).sort(newestFirst);
    const start = after ? rows.findIndex((row) => newestFirst(row, cursorRow(after)) > 0) : 0;
    const size = query.maxPageSize ?? DEFAULT_PAGE_SIZE;
    const page = start < 0 ? [] : rows.slice(start, start + size);
    const last = page[page.length - 1];
    const more = start >= 0 && start + size < rows.length && last !== undefined;
    return {
      items: page.map(entryView),
      ...(more ? { continuationToken: encodeCursor([last.lastActivityOn.getTime(), last.threadId]) } : {}),
    };
  }

  async unread(userId: string): Promise<UnreadBadge> {
    const acsUserId = await this.identity.findAcsUserId(userId);
    if (!acsUserId) return { unreadCount: 0, threadsWithUnread: 0 };
    return this.repository.unreadTotals(acsUserId).catch(rethrowAs(fromUpstream));
  }

  /** After a read receipt went through our API: the entry is read up to `messageId`. */
  async markRead(userId: string, threadId: string, messageId: string): Promise<InboxEntryChange | undefined> {
    const acsUserId = await this.identity.findAcsUserId(userId);
    if (!acsUserId) return undefined;
    const result = await this.repository
      .update(acsUserId, threadId, (state: InboxState) => applyInboxChange(state, { kind: 'read', upTo: messageId }))
      .catch(rethrowAs(fromUpstream));
    return { acsUserId, threadId, ...result };
  }

  /** Fills in what the event does not say: the sender's app user id, and the topic for someone added later. */
  private async resolve(update: InboxUpdate, service: string): Promise<InboxChange[]> {
    const { change } = update;
    if (change.kind === 'message') {
      const { senderAcsUserId, ...message } = change.message;
      if (senderAcsUserId === undefined || senderAcsUserId === service) return [{ ...change, message }];
      const senderUserId = (await this.identity.userIdFor(senderAcsUserId)) ?? null;
      return [{ ...change, message: { ...change.message, senderUserId } }];
    }
    if (change.kind === 'joined' && change.topic === undefined) {
      const topic = await this.repository.topic(update.threadId);
      return topic ? [change, { kind: 'topic', ...topic }] : [change];
    }
    return [change];
  }
}

function newestFirst(
  a: Pick<InboxRow, 'lastActivityOn' | 'threadId'>,
  b: Pick<InboxRow, 'lastActivityOn' | 'threadId'>,
): number {
  const byTime = b.lastActivityOn.getTime() - a.lastActivityOn.getTime();
  if (byTime !== 0) return byTime;
  return a.threadId < b.threadId ? -1 : a.threadId > b.threadId ? 1 : 0;
}

function cursorRow([time, threadId]: InboxCursor): Pick<InboxRow, 'lastActivityOn' | 'threadId'> {
  return { lastActivityOn: new Date(time), threadId };
}

function encodeCursor(cursor: InboxCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(token: string): InboxCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = inboxCursor.safeParse(parsed);
  if (!result.success) {
    throw new ValidationError(
      'The continuation token is not valid for this list.',
      undefined,
      'InvalidContinuationToken',
    );
  }
  return result.data;
}

/** An entry as GET /api/inbox would list it, or undefined when it is not in the inbox (left, deleted). */
export function inboxEntryOf(threadId: string, state: InboxState): InboxEntry | undefined {
  if (!isPresent(state)) return undefined;
  const message = lastMessage(state);
  return entryView({
    threadId,
    topic: state.topic?.text ?? '',
    unreadCount: unreadCount(state),
    lastActivityOn: new Date(state.lastActivityOn),
    ...(message ? { lastMessage: message } : {}),
  });
}

function entryView(row: InboxRow): InboxEntry {
  const message = row.lastMessage;
  return {
    threadId: row.threadId,
    topic: row.topic,
    unreadCount: row.unreadCount,
    lastActivityOn: row.lastActivityOn.toISOString(),
    ...(message
      ? {
          lastMessage: {
            id: message.id,
            type: message.type,
            preview: message.preview,
            ...(message.senderDisplayName ? { senderDisplayName: message.senderDisplayName } : {}),
            ...(message.senderAcsUserId && message.senderUserId !== undefined
              ? { sender: { userId: message.senderUserId, acsUserId: message.senderAcsUserId } }
              : {}),
            createdOn: new Date(message.createdOn).toISOString(),
          },
        }
      : {}),
  };
}
