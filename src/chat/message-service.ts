import type { ChatMessage } from '@azure/communication-chat';

import { ForbiddenError, ServiceUnavailableError, UnprocessableError } from '../errors';
import { isStatus } from '../storage/errors';
import { TRACE_METADATA_KEY, traceMetadata } from '../telemetry/trace-metadata';
import { fromUpstream, rethrowAs } from '../upstream-errors';
import { type CallScope, type ChatDependencies, ThreadAccess } from './chat-context';
import { fromThreadCall, messageNotFound } from './errors';
import { hashOf, IDEMPOTENCY_METADATA_KEY, repeatabilityId } from './idempotency';
import { pageAs, pageSize } from './paging';
import { rawId } from './people';
import type { ListMessagesQuery, PageQuery, SendMessageBody, UpdateMessageBody } from './schemas';
import {
  identifiersIn,
  type MessageView,
  messageView,
  type Page,
  type ReadReceiptView,
  readReceiptView,
} from './views';

const SEND_OPERATION = 'sendMessage';

/** The files of a message being sent (src/attachments): checked before it goes to ACS, recorded once it exists. */
export interface MessageAttachments {
  prepare(
    scope: CallScope,
    threadId: string,
    attachmentIds: string[],
  ): Promise<{ metadata: Record<string, string>; claim(messageId: string): Promise<void> }>;
  claimFor(scope: CallScope, threadId: string, attachmentIds: string[], messageId: string): Promise<void>;
}
/** How far before the key's first claim a retry looks for the message (clocks of Tables and ACS may differ). */
const CLOCK_SKEW_MS = 5 * 60_000;

/** Record a thread's activity at most this often per instance (one Tables write per thread per minute). */
const ACTIVITY_WRITE_INTERVAL_MS = 60_000;

/**
 * Messages, read receipts and typing, made as the caller's own ACS identity so ACS attributes and checks them too
 * (a non-participant is refused by ACS; we answer 404).
 */
export class MessageService {
  private readonly access: ThreadAccess;
  private readonly activityWrittenAt = new Map<string, number>();

  constructor(
    private readonly deps: ChatDependencies,
    private readonly now: () => number = Date.now,
    private readonly attachments?: MessageAttachments,
  ) {
    this.access = new ThreadAccess(deps);
  }

  /**
   * One ACS call and at most one Tables write. With an Idempotency-Key, a retry by the same caller returns the first
   * message's id and never posts twice: the key is claimed in Tables (one insert) and carried into ACS in the
   * message's metadata, so a retry after a first attempt whose outcome is unknown (it timed out after ACS stored the
   * message) finds that message among the caller's recent ones instead of sending again.
   */
  async send(
    scope: CallScope,
    threadId: string,
    body: SendMessageBody,
    idempotencyKey?: string,
  ): Promise<{ id: string; moderation?: 'pending' }> {
    const acsUserId = await this.access.callerAcsUserId(scope);
    const repeatId = idempotencyKey ? repeatabilityId(scope.caller.userId, idempotencyKey) : undefined;
    if (repeatId) {
      const earlier = await this.deps.requests
        .claim(repeatId, SEND_OPERATION, hashOf({ threadId, body }))
        .catch(rethrowAs(fromUpstream));
      if (earlier) {
        if (earlier.requestHash !== hashOf({ threadId, body })) {
          throw new UnprocessableError(
            'This Idempotency-Key was already used with a different request.',
            'IdempotencyKeyReused',
          );
        }
        const found = earlier.resultId ?? (await this.findSent(acsUserId, threadId, repeatId, earlier.claimedOn));
        if (found) {
          if (body.attachments?.length)
            await this.requireAttachments().claimFor(scope, threadId, body.attachments, found);
          await this.deps.requests.complete(repeatId, SEND_OPERATION, found).catch(() => undefined);
          return { id: found };
        }
      }
    }
    const admission = await this.deps.screen?.admitMessage(scope, {
      threadId,
      senderAcsUserId: acsUserId,
      kind: body.type,
      content: body.content,
    });
    const files = body.attachments?.length
      ? await this.requireAttachments().prepare(scope, threadId, body.attachments)
      : undefined;
    const displayName = body.senderDisplayName ?? scope.caller.displayName;
    const seal = admission && 'metadata' in admission ? admission.metadata : undefined;
    const traced = traceMetadata();
    const metadata =
      repeatId || files || seal || TRACE_METADATA_KEY in traced
        ? {
            ...body.metadata,
            ...files?.metadata,
            ...seal,
            ...traced,
            ...(repeatId ? { [IDEMPOTENCY_METADATA_KEY]: repeatId } : {}),
          }
        : body.metadata;
    const result = await this.deps.acs
      .asUser(acsUserId, (client) =>
        client.getChatThreadClient(threadId).sendMessage(
          { content: body.content },
          {
            type: body.type,
            ...(displayName ? { senderDisplayName: displayName } : {}),
            ...(metadata ? { metadata } : {}),
          },
        ),
      )
      .catch(rethrowAs(fromThreadCall));
    // Should recording the files fail, the error reaches the client, whose retry with the same key records them.
    await files?.claim(result.id);
    // The message is acknowledged by ACS; noting it under the key only saves a later retry its search.
    if (repeatId) await this.deps.requests.complete(repeatId, SEND_OPERATION, result.id).catch(() => undefined);
    await this.recordActivity(threadId, scope);
    return { id: result.id, ...(admission && 'pending' in admission ? { moderation: 'pending' as const } : {}) };
  }

  private requireAttachments(): MessageAttachments {
    if (!this.attachments) throw new ServiceUnavailableError('Attachments are not configured on this deployment.', 300);
    return this.attachments;
  }

  /** A message this caller sent with `repeatId` since (a little before) the key was first claimed, if any. */
  private async findSent(
    acsUserId: string,
    threadId: string,
    repeatId: string,
    claimedOn: Date,
  ): Promise<string | undefined> {
    const startTime = new Date(claimedOn.getTime() - CLOCK_SKEW_MS);
    return this.deps.acs
      .asUser(acsUserId, async (client) => {
        const messages = client.getChatThreadClient(threadId).listMessages({ startTime, maxPageSize: 200 });
        for await (const message of messages) {
          if (message.metadata?.[IDEMPOTENCY_METADATA_KEY] === repeatId && rawId(message.sender) === acsUserId)
            return message.id;
        }
        return undefined;
      })
      .catch(rethrowAs(fromThreadCall));
  }

  /** One ACS call per page. */
  async list(scope: CallScope, threadId: string, query: ListMessagesQuery): Promise<Page<MessageView>> {
    const acsUserId = await this.access.callerAcsUserId(scope);
    const page = await pageAs(
      this.deps,
      acsUserId,
      { list: 'messages', threadId, userId: scope.caller.userId },
      query.continuationToken,
      (client) =>
        client
          .getChatThreadClient(threadId)
          .listMessages({ ...pageSize(query.maxPageSize), ...(query.startTime ? { startTime: query.startTime } : {}) }),
    );
    const lookup = await this.deps.people.lookup(page.items.flatMap(identifiersIn), scope.context);
    return { ...page, items: page.items.map((message) => messageView(message, lookup)) };
  }

  async get(scope: CallScope, threadId: string, messageId: string): Promise<MessageView> {
    const message = await this.fetch(scope, threadId, messageId);
    const lookup = await this.deps.people.lookup(identifiersIn(message), scope.context);
    return messageView(message, lookup);
  }

  /** Sender only (ACS enforces it too). */
  async update(scope: CallScope, threadId: string, messageId: string, body: UpdateMessageBody): Promise<MessageView> {
    const acsUserId = await this.access.callerAcsUserId(scope);
    const admission =
      body.content !== undefined
        ? await this.deps.screen?.admitMessage(scope, { threadId, senderAcsUserId: acsUserId, content: body.content })
        : undefined;
    // ACS merges metadata: a new seal replaces the old one; without one (unchecked), the old no longer matches.
    const seal = admission && 'metadata' in admission ? admission.metadata : undefined;
    const traced = traceMetadata();
    const metadata =
      body.metadata || seal || TRACE_METADATA_KEY in traced ? { ...body.metadata, ...seal, ...traced } : undefined;
    await this.deps.acs
      .asUser(acsUserId, (client) =>
        client.getChatThreadClient(threadId).updateMessage(messageId, {
          ...(body.content !== undefined ? { content: body.content } : {}),
          ...(metadata ? { metadata } : {}),
        }),
      )
      .catch(async (error: unknown) => {
        throw await this.refusal(scope, threadId, error, 'Only the sender may edit a message.');
      });
    return this.get(scope, threadId, messageId);
  }

  /** The sender, or the thread owner (who deletes it as the sender's identity, since ACS lets only senders delete). */
  async delete(scope: CallScope, threadId: string, messageId: string): Promise<void> {
    const acsUserId = await this.access.callerAcsUserId(scope);
    const refusedMessage = 'Only the sender or the thread owner may delete a message.';
    let refusal: unknown;
    try {
      await this.deps.acs.asUser(acsUserId, (client) => client.getChatThreadClient(threadId).deleteMessage(messageId));
      return;
    } catch (error) {
      if (!isStatus(error, 403)) throw await this.refusal(scope, threadId, error, refusedMessage);
      refusal = error;
    }
    const record = await this.access.record(threadId);
    if (record.ownerUserId !== scope.caller.userId) throw await this.refusal(scope, threadId, refusal, refusedMessage);
    const senderAcsUserId = rawId((await this.fetch(scope, threadId, messageId)).sender);
    if (!senderAcsUserId) throw new ForbiddenError('This message cannot be deleted.', 'NotMessageSender');
    await this.deps.acs
      .asUser(
        senderAcsUserId,
        (client) => client.getChatThreadClient(threadId).deleteMessage(messageId),
        'chat.join.limited',
        'backendTask',
      )
      .catch(rethrowAs(fromThreadCall));
  }

  /** Returns the caller's ACS user id (the reader). */
  async sendReadReceipt(scope: CallScope, threadId: string, messageId: string): Promise<string> {
    const acsUserId = await this.access.callerAcsUserId(scope);
    await this.deps.acs
      .asUser(acsUserId, (client) => client.getChatThreadClient(threadId).sendReadReceipt({ chatMessageId: messageId }))
      .catch(rethrowAs(fromThreadCall));
    return acsUserId;
  }

  async listReadReceipts(scope: CallScope, threadId: string, query: PageQuery): Promise<Page<ReadReceiptView>> {
    const acsUserId = await this.access.callerAcsUserId(scope);
    const page = await pageAs(
      this.deps,
      acsUserId,
      { list: 'readReceipts', threadId, userId: scope.caller.userId },
      query.continuationToken,
      (client) => client.getChatThreadClient(threadId).listReadReceipts(pageSize(query.maxPageSize)),
    );
    const lookup = await this.deps.people.lookup(
      page.items.map((receipt) => rawId(receipt.sender)),
      scope.context,
    );
    const items = page.items
      .map((receipt) => readReceiptView(receipt, lookup))
      .filter((item): item is ReadReceiptView => item !== undefined);
    return { ...page, items };
  }

  /** Returns who typed: the caller's ACS user id, and the display name sent with the notification. */
  async sendTyping(
    scope: CallScope,
    threadId: string,
    senderDisplayName: string | undefined,
  ): Promise<{ acsUserId: string; displayName?: string }> {
    const acsUserId = await this.access.callerAcsUserId(scope);
    const displayName = senderDisplayName ?? scope.caller.displayName;
    await this.deps.acs
      .asUser(acsUserId, (client) =>
        client
          .getChatThreadClient(threadId)
          .sendTypingNotification(displayName ? { senderDisplayName: displayName } : {}),
      )
      .catch(rethrowAs(fromThreadCall));
    return { acsUserId, ...(displayName ? { displayName } : {}) };
  }

  private async fetch(scope: CallScope, threadId: string, messageId: string): Promise<ChatMessage> {
    const acsUserId = await this.access.callerAcsUserId(scope);
    return this.deps.acs
      .asUser(acsUserId, (client) => client.getChatThreadClient(threadId).getMessage(messageId))
      .catch(async (error: unknown) => {
        throw await this.refusal(scope, threadId, error, 'You may not read this message.');
      });
  }

  /**
   * ACS answers 403 and 404 both for "not in this thread" and for "not your message" / "no such message".
   * One more call, as the caller, tells them apart: a non-participant gets 404 for the thread.
   */
  private async refusal(scope: CallScope, threadId: string, error: unknown, forbidden: string): Promise<Error> {
    if (!isStatus(error, 403, 404)) return fromThreadCall(error);
    await this.access.assertParticipant(scope, threadId);
    return isStatus(error, 404) ? messageNotFound() : new ForbiddenError(forbidden, 'NotMessageSender');
  }

  private async recordActivity(threadId: string, scope: CallScope): Promise<void> {
    const now = this.now();
    const last = this.activityWrittenAt.get(threadId);
    if (last !== undefined && now - last < ACTIVITY_WRITE_INTERVAL_MS) return;
    this.activityWrittenAt.set(threadId, now);
    if (this.activityWrittenAt.size > 50_000) this.activityWrittenAt.clear();
    // The message is already acknowledged by ACS: a failed activity write must not fail the send
    // (pruning asks ACS for the real latest activity before deleting anything).
    await this.deps.threads.touch(threadId, new Date(now)).catch((error: unknown) => {
      this.activityWrittenAt.delete(threadId);
      scope.context?.warn('could not record thread activity', {
        threadId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    });
  }
}
