import type { ChatMessage, ChatThreadClient } from '@azure/communication-chat';
import type { InvocationContext } from '@azure/functions';
import type * as z from 'zod';

import type { AcsChat } from '../chat/acs-chat';
import { fromThreadCall } from '../chat/errors';
import { rawId } from '../chat/people';
import { NotFoundError, ThrottledError } from '../errors';
import type { IdentityService } from '../identity/identity-service';
import { describeError } from '../logging';
import type { InboxRepository } from '../storage/inbox-repository';
import type { ThreadRepository } from '../storage/thread-repository';
import { rethrowAs } from '../upstream-errors';
import { type backfillSummarySchema } from './inbox-schemas';
import { applyInboxChange, type InboxChange, isCountedType } from './inbox-state';
import { messagePreview } from './preview';

export type BackfillSummary = z.infer<typeof backfillSummarySchema>;

/** Far enough ahead that every thread's index entry is older (and still a four-digit year, as index keys sort). */
const EVERY_THREAD = new Date('9999-12-31T23:59:59.999Z');

/**
 * Builds inbox entries for threads that existed before inboxes did (one-off, `POST /api/maintenance/inbox-backfill`).
 * For each thread we keep, as the service identity (a participant of every thread): its properties, participants,
 * messages and read receipts from ACS (the only time inboxes call ACS), turned into the very changes chat events
 * make and applied with the same idempotent, order-independent update. A run concurrent with live events, a second
 * run, or events delivered late all end in the same entries. Read marks come from ACS read receipts here (the best
 * there is for the past); afterwards they follow POST /api/threads/{threadId}/read-receipts only.
 */
export class InboxBackfill {
  constructor(
    private readonly threads: ThreadRepository,
    private readonly inbox: InboxRepository,
    private readonly acs: AcsChat,
    private readonly identity: IdentityService,
  ) {}

  async run(options: { budgetMs: number; context?: InvocationContext }): Promise<BackfillSummary> {
    const deadline = Date.now() + options.budgetMs;
    const summary: BackfillSummary = { threads: 0, entries: 0, failed: 0, incomplete: false };
    for await (const { threadId } of this.threads.expired(EVERY_THREAD)) {
      if (Date.now() > deadline) {
        summary.incomplete = true;
        break;
      }
      try {
        summary.entries += await this.backfillThread(threadId, options.context);
        summary.threads += 1;
      } catch (error) {
        if (error instanceof ThrottledError) {
          summary.incomplete = true;
          break;
        }
        if (error instanceof NotFoundError) continue; // deleted meanwhile: its events remove what is left
        summary.failed += 1;
        options.context?.warn('inbox backfill of a thread failed', { threadId, error: describeError(error) });
      }
    }
    options.context?.log('inbox backfill finished', { ...summary });
    return summary;
  }

  private async backfillThread(threadId: string, context?: InvocationContext): Promise<number> {
    const service = await this.identity.serviceAcsUserId(context);
    const snapshot = await this.acs
      .asService(async (client) => read(client.getChatThreadClient(threadId)))
      .catch(rethrowAs(fromThreadCall));
    const senders = new Map<string, string | null>();
    for (const message of snapshot.messages) {
      const sender = rawId(message.sender);
      if (sender && sender !== service && !senders.has(sender))
        senders.set(sender, (await this.identity.userIdFor(sender)) ?? null);
    }
    let entries = 0;
    for (const participant of snapshot.participants) {
      if (participant === service) continue;
      const changes: InboxChange[] = [
        { kind: 'joined', at: snapshot.createdOn, topic: snapshot.topic },
        ...snapshot.messages.flatMap((message) => messageChanges(message, participant, service, senders)),
      ];
      const readUpTo = snapshot.readUpTo.get(participant);
      if (readUpTo) changes.push({ kind: 'read', upTo: readUpTo });
      await this.inbox.update(participant, threadId, (state) => changes.reduce(applyInboxChange, state));
      entries += 1;
    }
    return entries;
  }
}

interface ThreadSnapshot {
  topic: string;
  createdOn: number;
  participants: string[];
  messages: ChatMessage[];
  readUpTo: Map<string, string>;
}

async function read(thread: ChatThreadClient): Promise<ThreadSnapshot> {
  const properties = await thread.getProperties();
  const participants: string[] = [];
  for await (const participant of thread.listParticipants()) {
    const id = rawId(participant.id);
    if (id) participants.push(id);
  }
  const messages: ChatMessage[] = [];
  for await (const message of thread.listMessages()) {
    if (isCountedType(message.type)) messages.push(message);
  }
  const readUpTo = new Map<string, string>();
  for await (const receipt of thread.listReadReceipts()) {
    const id = rawId(receipt.sender);
    if (id) readUpTo.set(id, receipt.chatMessageId);
  }
  return { topic: properties.topic, createdOn: properties.createdOn.getTime(), participants, messages, readUpTo };
}

function messageChanges(
  message: ChatMessage,
  participant: string,
  service: string,
  senders: Map<string, string | null>,
): InboxChange[] {
  const sender = rawId(message.sender);
  const received: InboxChange = {
    kind: 'message',
    fromOther: sender !== participant,
    message: {
      id: message.id,
      type: message.type,
      preview: messagePreview(message.content?.message ?? '', message.type),
      ...(sender && sender !== service ? { senderAcsUserId: sender, senderUserId: senders.get(sender) ?? null } : {}),
      ...(message.senderDisplayName ? { senderDisplayName: message.senderDisplayName } : {}),
      createdOn: message.createdOn.getTime(),
      version: Number(message.version),
    },
  };
  return message.deletedOn ? [received, { kind: 'messageDeleted', messageId: message.id }] : [received];
}
