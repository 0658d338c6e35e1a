import { randomBytes, randomInt, randomUUID } from 'node:crypto';

import { toIdentifierModel } from '../acs/identifiers';
import type { MessageRecord, ParticipantRecord, ThreadRecord } from '../acs/store';
import { type ChatEventName, EVENT_TYPE_PREFIX, type EventGridEvent } from './event-types';

/**
 * Turns chat changes into the Event Grid events ACS publishes for them: the thread-level event once, and the
 * user-level event once per participant except the actor (`actorId` undefined, as for a retention delete, means
 * every participant). Only fields the `AcsChat*` swagger definitions declare are emitted; the examples' legacy fields
 * (`senderId`, `recipientId`, `members`, …) are not. See README "Chat events" for the choices made where the contract
 * is silent.
 */

const iso = (ms: number): string => new Date(ms).toISOString();
const identifier = toIdentifierModel;

/** ACS's `transactionId` is opaque; one per ACS request, shared by every event that request caused. */
function transactionId(): string {
  return `${randomBytes(16).toString('base64').slice(0, 22)}.1.1.1.1.${randomInt(1, 2_000_000_000)}.1`;
}

function participantProperties(p: ParticipantRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { participantCommunicationIdentifier: identifier(p.id) };
  if (p.displayName !== undefined) out.displayName = p.displayName;
  if (p.metadata !== undefined) out.metadata = p.metadata;
  return out;
}

/** The wire's message `type` in events is capitalised (`Text`, `Html`), as in every ACS example. */
function eventMessageType(m: MessageRecord): string {
  return m.type === 'html' ? 'Html' : 'Text';
}

export class ChatEventBuilder {
  constructor(
    /** ARM id of the emulated ACS resource (the events' `topic`). */
    private readonly topic: string,
    private readonly publish: (events: EventGridEvent[]) => void,
  ) {}

  threadCreated(t: ThreadRecord, actorId: string, now: number): void {
    const data = {
      createdByCommunicationIdentifier: identifier(actorId),
      properties: { topic: t.topic },
      metadata: t.metadata ?? {},
      participants: [...t.participants.values()].map(participantProperties),
      createTime: iso(t.createdOn),
      version: t.createdOn,
    };
    this.emit(t, actorId, now, {
      thread: ['ChatThreadCreated', `createdBy/${actorId}`, data],
      user: ['ChatThreadCreatedWithUser', `createdBy/${actorId}`, data],
    });
  }

  /** `actorId` undefined: deleted by ACS itself (retention policy); reported as deleted by the thread's creator. */
  threadDeleted(t: ThreadRecord, actorId: string | undefined, now: number): void {
    const deletedBy = actorId ?? t.createdBy;
    const data = {
      deletedByCommunicationIdentifier: identifier(deletedBy),
      deleteTime: iso(t.deletedOn ?? now),
      createTime: iso(t.createdOn),
      version: now,
    };
    this.emit(t, actorId, now, {
      thread: ['ChatThreadDeleted', `deletedBy/${deletedBy}`, data],
      user: ['ChatThreadWithUserDeleted', `deletedBy/${deletedBy}`, data],
    });
  }

  threadUpdated(t: ThreadRecord, actorId: string, now: number): void {
    const data = {
      editedByCommunicationIdentifier: identifier(actorId),
      editTime: iso(now),
      properties: { topic: t.topic },
      metadata: t.metadata ?? {},
      createTime: iso(t.createdOn),
      version: now,
    };
    this.emit(t, actorId, now, {
      thread: ['ChatThreadPropertiesUpdated', `editedBy/${actorId}`, data],
      user: ['ChatThreadPropertiesUpdatedPerUser', `editedBy/${actorId}`, data],
    });
  }

  participantsAdded(t: ThreadRecord, added: readonly ParticipantRecord[], actorId: string, now: number): void {
    for (const p of added) {
      const common = { time: iso(now), addedByCommunicationIdentifier: identifier(actorId) };
      const participantAdded = participantProperties(p);
      this.emit(t, actorId, now, {
        thread: [
          'ChatThreadParticipantAdded',
          `participantadded/${p.id}`,
          { ...common, participantAdded, version: now },
        ],
        user: [
          'ChatParticipantAddedToThreadWithUser',
          `participantAdded/${p.id}`,
          { ...common, participantAdded, createTime: iso(t.createdOn), version: now },
        ],
      });
    }
  }

  /** The removed participant hears of it too (unless they left on their own). */
  participantRemoved(t: ThreadRecord, removed: ParticipantRecord, actorId: string, now: number): void {
    const common = { time: iso(now), removedByCommunicationIdentifier: identifier(actorId) };
    const participantRemoved = participantProperties(removed);
    this.emit(
      t,
      actorId,
      now,
      {
        thread: [
          'ChatThreadParticipantRemoved',
          `participantremoved/${removed.id}`,
          { ...common, participantRemoved, version: now },
        ],
        user: [
          'ChatParticipantRemovedFromThreadWithUser',
          `participantRemoved/${removed.id}`,
          { ...common, participantRemoved, createTime: iso(t.createdOn), version: now },
        ],
      },
      [removed.id],
    );
  }

  messageReceived(t: ThreadRecord, m: MessageRecord, now: number): void {
    this.message(t, m, now, 'ChatMessageReceivedInThread', 'ChatMessageReceived', {
      messageBody: m.message ?? '',
      metadata: m.metadata ?? {},
    });
  }

  messageEdited(t: ThreadRecord, m: MessageRecord, now: number): void {
    this.message(t, m, now, 'ChatMessageEditedInThread', 'ChatMessageEdited', {
      messageBody: m.message ?? '',
      metadata: m.metadata ?? {},
      editTime: iso(m.editedOn ?? now),
    });
  }

  messageDeleted(t: ThreadRecord, m: MessageRecord, now: number): void {
    this.message(t, m, now, 'ChatMessageDeletedInThread', 'ChatMessageDeleted', {
      deleteTime: iso(m.deletedOn ?? now),
    });
  }

  private message(
    t: ThreadRecord,
    m: MessageRecord,
    now: number,
    thread: ChatEventName,
    user: ChatEventName,
    extra: Record<string, unknown>,
  ): void {
    const sender = m.senderId ?? t.createdBy;
    const data: Record<string, unknown> = {
      messageId: m.id,
      senderCommunicationIdentifier: identifier(sender),
      composeTime: iso(m.createdOn),
      type: eventMessageType(m),
      version: Number(m.version),
      ...extra,
    };
    if (m.senderDisplayName !== undefined) data.senderDisplayName = m.senderDisplayName;
    this.emit(t, sender, now, { thread: [thread, `sender/${sender}`, data], user: [user, `sender/${sender}`, data] });
  }

  /**
   * One thread-level event, then one user-level event per participant except the actor (plus `alsoNotify`, people no
   * longer in the thread who should still hear of the change).
   */
  private emit(
    t: ThreadRecord,
    actorId: string | undefined,
    now: number,
    events: {
      thread: [ChatEventName, string, Record<string, unknown>];
      user: [ChatEventName, string, Record<string, unknown>];
    },
    alsoNotify: readonly string[] = [],
  ): void {
    const base = { transactionId: transactionId(), threadId: t.id };
    const [threadType, threadSubject, threadData] = events.thread;
    const [userType, userSubject, userData] = events.user;
    const out: EventGridEvent[] = [
      this.envelope(threadType, `thread/${t.id}/${threadSubject}`, { ...threadData, ...base }, now),
    ];
    const recipients = new Set([...t.participants.keys(), ...alsoNotify]);
    if (actorId !== undefined) recipients.delete(actorId);
    for (const recipient of recipients) {
      out.push(
        this.envelope(
          userType,
          `thread/${t.id}/${userSubject}/recipient/${recipient}`,
          { ...userData, recipientCommunicationIdentifier: identifier(recipient), ...base },
          now,
        ),
      );
    }
    this.publish(out);
  }

  private envelope(name: ChatEventName, subject: string, data: Record<string, unknown>, now: number): EventGridEvent {
    return {
      id: randomUUID(),
      topic: this.topic,
      subject,
      eventType: EVENT_TYPE_PREFIX + name,
      eventTime: iso(now),
      data,
      dataVersion: '1.0',
      metadataVersion: '1',
    };
  }
}
