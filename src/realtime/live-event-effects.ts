import * as z from 'zod';

import type { Lookup } from '../chat/people';
import { clientMetadata } from '../chat/views';
import { identifier, isoMs, messageEventData } from '../events/inbox-event-schemas';
import { LIVE_UPDATE_VERSION, type LiveMessage, type LiveUpdate } from './live-update-schemas';

/**
 * Which clients an ACS chat event updates, and with what. ACS itself decides who hears of a change: it sends a
 * user-level event to every participant of the thread at the time of the change except the actor, and one
 * thread-level event, which goes to the actor's own clients (their other tabs and devices). So nobody who was not a
 * participant when the change was made is ever told of it, without a membership list of our own to keep in step.
 */

const P = 'microsoft.communication.';

/** One update for one user's clients: the people it names are resolved (one cached lookup each) before it is built. */
export interface LiveDelivery {
  recipientAcsUserId: string;
  threadId: string;
  people: string[];
  /** undefined when the update would name the backend's own identity as the subject (it is never shown). */
  build(lookup: Lookup): LiveUpdate | undefined;
}

const envelope = z.object({ id: z.string(), eventType: z.string(), eventTime: isoMs, data: z.unknown() });
const recipient = z.object({ recipientCommunicationIdentifier: identifier });
const metadata = z.record(z.string(), z.string()).optional();

const message = messageEventData.extend({ metadata, editTime: isoMs.optional(), deleteTime: isoMs.optional() });
const threadCreated = z.object({
  threadId: z.string().min(1),
  createdByCommunicationIdentifier: identifier,
  createTime: isoMs,
  properties: z.object({ topic: z.string() }),
});
const threadUpdated = z.object({
  threadId: z.string().min(1),
  editedByCommunicationIdentifier: identifier,
  editTime: isoMs.optional(),
  properties: z.object({ topic: z.string() }),
  metadata,
});
const threadDeleted = z.object({
  threadId: z.string().min(1),
  deletedByCommunicationIdentifier: identifier,
  deleteTime: isoMs.optional(),
});
const participant = z.object({ participantCommunicationIdentifier: identifier, displayName: z.string().optional() });
const participantAdded = z.object({
  threadId: z.string().min(1),
  time: isoMs.optional(),
  addedByCommunicationIdentifier: identifier,
  participantAdded: participant,
});
const participantRemoved = z.object({
  threadId: z.string().min(1),
  time: isoMs.optional(),
  removedByCommunicationIdentifier: identifier,
  participantRemoved: participant,
});

const iso = (ms: number): string => new Date(ms).toISOString();

/** Throws a ZodError when a handled event's data does not match its schema; other event types update nobody. */
export function liveDeliveriesOf(input: unknown): LiveDelivery[] {
  const { id, eventType, eventTime, data } = envelope.parse(input);
  const name = eventType.toLowerCase().startsWith(P) ? eventType.slice(P.length).toLowerCase() : '';
  const head = { v: LIVE_UPDATE_VERSION, id } as const;
  /** One update, for the user-level event's recipient or the thread-level event's actor. */
  const deliver = (actor: string, threadId: string, people: string[], build: LiveDelivery['build']): LiveDelivery[] => [
    { recipientAcsUserId: USER_LEVEL.has(name) ? recipientOf(data) : actor, threadId, people, build },
  ];

  switch (name) {
    case 'chatmessagereceived':
    case 'chatmessagereceivedinthread':
    case 'chatmessageedited':
    case 'chatmessageeditedinthread':
    case 'chatmessagedeleted':
    case 'chatmessagedeletedinthread': {
      const m = message.parse(data);
      const type = name.includes('received')
        ? 'messageCreated'
        : name.includes('edited')
          ? 'messageEdited'
          : 'messageDeleted';
      const sender = m.senderCommunicationIdentifier;
      return deliver(sender, m.threadId, [sender], (lookup) => ({
        ...head,
        type,
        threadId: m.threadId,
        message: liveMessage(m, type, eventTime, lookup),
      }));
    }
    case 'chatthreadcreated':
    case 'chatthreadcreatedwithuser': {
      const t = threadCreated.parse(data);
      const by = t.createdByCommunicationIdentifier;
      return deliver(by, t.threadId, [by], (lookup) => ({
        ...head,
        type: 'threadCreated',
        threadId: t.threadId,
        topic: t.properties.topic,
        ...optional('createdBy', lookup(by)),
        createdOn: iso(t.createTime),
      }));
    }
    case 'chatthreadpropertiesupdated':
    case 'chatthreadpropertiesupdatedperuser': {
      const t = threadUpdated.parse(data);
      const by = t.editedByCommunicationIdentifier;
      return deliver(by, t.threadId, [by], (lookup) => ({
        ...head,
        type: 'threadUpdated',
        threadId: t.threadId,
        topic: t.properties.topic,
        ...(t.metadata && Object.keys(t.metadata).length > 0 ? { metadata: t.metadata } : {}),
        ...optional('updatedBy', lookup(by)),
        updatedOn: iso(t.editTime ?? eventTime),
      }));
    }
    case 'chatthreaddeleted':
    case 'chatthreadwithuserdeleted': {
      const t = threadDeleted.parse(data);
      const by = t.deletedByCommunicationIdentifier;
      return deliver(by, t.threadId, [by], (lookup) => ({
        ...head,
        type: 'threadDeleted',
        threadId: t.threadId,
        ...optional('deletedBy', lookup(by)),
        deletedOn: iso(t.deleteTime ?? eventTime),
      }));
    }
    case 'chatthreadparticipantadded':
    case 'chatparticipantaddedtothreadwithuser':
    case 'chatthreadparticipantremoved':
    case 'chatparticipantremovedfromthreadwithuser': {
      const added = name.includes('added');
      const p = added ? participantAdded.parse(data) : participantRemoved.parse(data);
      const subject = 'participantAdded' in p ? p.participantAdded : p.participantRemoved;
      const by =
        'addedByCommunicationIdentifier' in p ? p.addedByCommunicationIdentifier : p.removedByCommunicationIdentifier;
      const who = subject.participantCommunicationIdentifier;
      return deliver(by, p.threadId, [who, by], (lookup) => {
        const person = lookup(who);
        if (!person) return undefined;
        return {
          ...head,
          type: added ? 'participantAdded' : 'participantRemoved',
          threadId: p.threadId,
          participant: { ...person, displayName: subject.displayName ?? null },
          ...optional('by', lookup(by)),
          on: iso(p.time ?? eventTime),
        };
      });
    }
    default:
      return [];
  }
}

/** The events ACS sends once per participant (`recipientCommunicationIdentifier`), lower-cased without the prefix. */
const USER_LEVEL = new Set([
  'chatmessagereceived',
  'chatmessageedited',
  'chatmessagedeleted',
  'chatthreadcreatedwithuser',
  'chatthreadpropertiesupdatedperuser',
  'chatthreadwithuserdeleted',
  'chatparticipantaddedtothreadwithuser',
  'chatparticipantremovedfromthreadwithuser',
]);

function recipientOf(data: unknown): string {
  return recipient.parse(data).recipientCommunicationIdentifier;
}

function optional<Key extends string, Value>(key: Key, value: Value | undefined): { [K in Key]?: Value } {
  return (value === undefined ? {} : { [key]: value }) as { [K in Key]?: Value };
}

function liveMessage(
  m: z.infer<typeof message>,
  type: 'messageCreated' | 'messageEdited' | 'messageDeleted',
  eventTime: number,
  lookup: Lookup,
): LiveMessage {
  const createdOn = m.composeTime ?? eventTime;
  const deleted = type === 'messageDeleted';
  return {
    id: m.messageId,
    type: m.type.toLowerCase(),
    version: String(m.version ?? createdOn),
    ...(deleted ? {} : { content: { message: m.messageBody ?? '' } }),
    ...(m.senderDisplayName ? { senderDisplayName: m.senderDisplayName } : {}),
    ...optional('sender', lookup(m.senderCommunicationIdentifier)),
    createdOn: iso(createdOn),
    ...(type === 'messageEdited' ? { editedOn: iso(m.editTime ?? eventTime) } : {}),
    ...(deleted ? { deletedOn: iso(m.deleteTime ?? eventTime) } : {}),
    ...(deleted ? {} : clientMetadata(m.metadata)),
  };
}
