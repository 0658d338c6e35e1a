import { randomUUID } from 'node:crypto';

import type { InvocationContext } from '@azure/functions';
import * as z from 'zod';

import type { AcsChat } from '../chat/acs-chat';
import { type PeopleDirectory, type Person, rawId } from '../chat/people';
import { ServiceUnavailableError } from '../errors';
import { type InboxEntryChange, inboxEntryOf } from '../inbox/inbox-service';
import { statusOf } from '../storage/errors';
import { fromUpstream, rethrowAs } from '../upstream-errors';
import { liveDeliveriesOf, type LiveDelivery } from './live-event-effects';
import { LIVE_UPDATE_VERSION, type LiveInbox, type LiveUpdate, type Negotiated } from './live-update-schemas';
import type { LiveChannel } from './web-pubsub-channel';

/** Pushes sent for one event or one API call: what was delivered and what was not (push is best effort). */
export interface PushOutcome {
  sent: number;
  failed: number;
}

const NO_PUSH: PushOutcome = { sent: 0, failed: 0 };
/** Pushes to the participants of one thread run this many at a time (a thread has at most 250 participants). */
const PUSH_CONCURRENCY = 16;

/**
 * Live updates: every change a participant should see, pushed to all of their connected clients through Web PubSub.
 * - Chat events (at least once, any order): one push per event, to the user ACS addressed it to (see
 *   live-event-effects.ts), with that user's inbox entry as the event left it. No ACS call; no Tables access beyond the
 *   inbox write the event makes anyway and the (cached) identity lookups.
 * - Typing and read receipts, which ACS publishes no event for: after ACS accepted them as the caller, the thread's
 *   participants are listed as the caller (one ACS call, in the caller's own quota) and each other participant is
 *   pushed to. The list is read after the change, so a participant removed before it never hears of it.
 * Push is best effort and never fails chat: a Web PubSub failure is logged and counted, and clients catch up through
 * the API when they reconnect.
 */
export class LiveUpdates {
  constructor(
    private readonly channel: LiveChannel | undefined,
    private readonly people: PeopleDirectory,
    private readonly acs: AcsChat,
    private readonly options: { clientMinutes: number; now: () => number },
  ) {}

  get enabled(): boolean {
    return this.channel !== undefined;
  }

  /** A receive-only client URL for the caller, valid for the configured minutes (at most 60). */
  async negotiate(userId: string): Promise<Negotiated> {
    if (!this.channel) {
      throw new ServiceUnavailableError(
        'Live updates are not configured on this deployment; poll the API instead.',
        300,
      );
    }
    const minutes = this.options.clientMinutes;
    const issuedAt = this.options.now();
    const url = await this.channel.clientUrl(userId, minutes).catch(rethrowAs(fromUpstream));
    return { url, expiresOn: new Date(issuedAt + minutes * 60_000).toISOString() };
  }

  /**
   * Pushes what a chat event changed to the clients of the user ACS addressed it to, with their inbox entry when the
   * event changed it. Never throws for a push that failed; an event whose data does not fit its schema pushes nothing.
   */
  async handleEvent(event: unknown, inbox: InboxEntryChange[], context?: InvocationContext): Promise<PushOutcome> {
    if (!this.channel) return NO_PUSH;
    let deliveries: LiveDelivery[];
    try {
      deliveries = liveDeliveriesOf(event);
    } catch (error) {
      if (!(error instanceof z.ZodError)) throw error;
      return NO_PUSH; // the inbox handler has already logged the mismatch
    }
    let outcome = NO_PUSH;
    for (const delivery of deliveries) {
      const lookup = await this.people.lookup([delivery.recipientAcsUserId, ...delivery.people], context);
      const person = lookup(delivery.recipientAcsUserId);
      const update = delivery.build(lookup);
      if (!person || !update) continue; // the backend's own identity: it has no clients
      const recipient = person.userId;
      if (!recipient) {
        // An identity that is not (or not yet known as) one of our users: nobody to push to.
        context?.warn('live update for an unknown identity skipped', {
          threadId: delivery.threadId,
          type: update.type,
        });
        continue;
      }
      const entry = inbox.find(
        (change) => change.acsUserId === delivery.recipientAcsUserId && change.threadId === delivery.threadId,
      );
      outcome = add(
        outcome,
        await this.push([recipient], entry ? withInbox(update, liveInbox(entry)) : update, context),
      );
    }
    return outcome;
  }

  /** "Someone is typing": to every other participant's clients. */
  async typing(
    caller: { userId: string; acsUserId: string },
    threadId: string,
    senderDisplayName: string | undefined,
    context?: InvocationContext,
  ): Promise<PushOutcome> {
    const from: Person = { userId: caller.userId, acsUserId: caller.acsUserId };
    return this.toOthers(caller, threadId, context, () => ({
      v: LIVE_UPDATE_VERSION,
      id: randomUUID(),
      type: 'typing',
      threadId,
      from,
      ...(senderDisplayName ? { senderDisplayName } : {}),
      on: new Date(this.options.now()).toISOString(),
    }));
  }

  /** A read receipt to every other participant, and the reader's inbox entry (now read) to the reader's clients. */
  async readReceipt(
    caller: { userId: string; acsUserId: string },
    threadId: string,
    messageId: string,
    inbox: InboxEntryChange | undefined,
    context?: InvocationContext,
  ): Promise<PushOutcome> {
    if (!this.channel) return NO_PUSH;
    const readOn = new Date(this.options.now()).toISOString();
    const [others, own] = await Promise.all([
      this.toOthers(caller, threadId, context, () => ({
        v: LIVE_UPDATE_VERSION,
        id: randomUUID(),
        type: 'readReceipt',
        threadId,
        from: { userId: caller.userId, acsUserId: caller.acsUserId },
        messageId,
        readOn,
      })),
      inbox?.outcome === 'written'
        ? this.push(
            [caller.userId],
            { v: LIVE_UPDATE_VERSION, id: randomUUID(), type: 'inboxChanged', threadId, inbox: liveInbox(inbox) },
            context,
          )
        : Promise.resolve(NO_PUSH),
    ]);
    return add(others, own);
  }

  /**
   * Tells a sender's clients that moderation deleted their message (the deletion itself reaches everyone as the usual
   * messageDeleted update). `id` names the decision, so a redelivered event makes the same update.
   */
  async messageRejected(
    sender: { userId: string },
    rejection: { id: string; threadId: string; messageId: string; categories: string[]; on: number },
    context?: InvocationContext,
  ): Promise<PushOutcome> {
    return this.push(
      [sender.userId],
      {
        v: LIVE_UPDATE_VERSION,
        id: rejection.id,
        type: 'messageRejected',
        threadId: rejection.threadId,
        messageId: rejection.messageId,
        categories: rejection.categories,
        on: new Date(rejection.on).toISOString(),
      },
      context,
    );
  }

  /** Whether the user has a live connection open now (false when live updates are not configured). */
  async isConnected(userId: string): Promise<boolean> {
    return (await this.channel?.isConnected(userId)) ?? false;
  }

  /**
   * Closes a user's live connections (a ban): their pages then need POST /api/realtime/negotiate again, which refuses
   * them. Best effort: a failure is logged, and their connections end when their client URL would be renewed.
   */
  async disconnect(userId: string, context?: InvocationContext): Promise<void> {
    await this.channel?.closeUser(userId, 'banned').catch((error: unknown) => {
      context?.warn('live connections not closed', { status: statusOf(error) });
    });
  }

  /** Web PubSub answers (for GET /api/health); throws otherwise. */
  async probe(): Promise<void> {
    await this.channel?.probe();
  }

  private async toOthers(
    caller: { userId: string; acsUserId: string },
    threadId: string,
    context: InvocationContext | undefined,
    update: () => LiveUpdate,
  ): Promise<PushOutcome> {
    if (!this.channel) return NO_PUSH;
    let recipients: string[];
    try {
      recipients = await this.participantUserIds(caller.acsUserId, threadId, context);
    } catch (error) {
      context?.warn('live update not sent: the participants could not be listed', {
        threadId,
        status: statusOf(error),
      });
      return NO_PUSH;
    }
    return this.push(
      recipients.filter((userId) => userId !== caller.userId),
      update(),
      context,
    );
  }

  /** The thread's participants who are our users, listed by ACS as `acsUserId` (who must be one of them). */
  private async participantUserIds(
    acsUserId: string,
    threadId: string,
    context?: InvocationContext,
  ): Promise<string[]> {
    const ids = await this.acs.asUser(acsUserId, async (client) => {
      const found: Array<string | undefined> = [];
      for await (const participant of client.getChatThreadClient(threadId).listParticipants({ maxPageSize: 200 })) {
        found.push(rawId(participant.id));
      }
      return found;
    });
    const lookup = await this.people.lookup(ids, context);
    return ids.map((id) => lookup(id)?.userId).filter((userId): userId is string => typeof userId === 'string');
  }

  private async push(userIds: string[], update: LiveUpdate, context?: InvocationContext): Promise<PushOutcome> {
    const channel = this.channel;
    if (!channel || userIds.length === 0) return NO_PUSH;
    let sent = 0;
    let failed = 0;
    const queue = [...new Set(userIds)];
    const worker = async (): Promise<void> => {
      for (let userId = queue.shift(); userId !== undefined; userId = queue.shift()) {
        try {
          await channel.sendToUser(userId, update);
          sent += 1;
        } catch (error) {
          failed += 1;
          context?.warn('live update not delivered', {
            type: update.type,
            threadId: update.threadId,
            status: statusOf(error),
          });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PUSH_CONCURRENCY, queue.length) }, worker));
    return { sent, failed };
  }
}

/** The recipient's inbox entry, on the updates that carry one. */
function withInbox(update: LiveUpdate, inbox: LiveInbox): LiveUpdate {
  return update.type === 'typing' || update.type === 'readReceipt' || update.type === 'messageRejected'
    ? update
    : { ...update, inbox };
}

function liveInbox(change: InboxEntryChange): LiveInbox {
  const entry = inboxEntryOf(change.threadId, change.state);
  return { threadId: change.threadId, revision: change.state.revision ?? 0, ...(entry ? { entry } : {}) };
}

function add(a: PushOutcome, b: PushOutcome): PushOutcome {
  return { sent: a.sent + b.sent, failed: a.failed + b.failed };
}
