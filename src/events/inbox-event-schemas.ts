import type { SystemEventNameToEventData } from '@azure/eventgrid';
import * as z from 'zod';

import type { InboxChange } from '../inbox/inbox-state';
import { messagePreview } from '../inbox/preview';

/**
 * The ACS chat events that keep inboxes, reduced to the inbox entries they change. ACS sends a user-level event to
 * every participant except the one who acted, so the actor's own entry is kept from the thread-level event (the
 * sender of a message, the creator, the editor of the topic, the one who deleted the thread, someone who joined or
 * left on their own). Data schemas are checked at compile time against @azure/eventgrid's system event types.
 */

const P = 'Microsoft.Communication.';

export const INBOX_EVENT_TYPES = [
  `${P}ChatMessageReceived`,
  `${P}ChatMessageEdited`,
  `${P}ChatMessageDeleted`,
  `${P}ChatThreadCreatedWithUser`,
  `${P}ChatThreadWithUserDeleted`,
  `${P}ChatThreadPropertiesUpdatedPerUser`,
  `${P}ChatParticipantAddedToThreadWithUser`,
  `${P}ChatParticipantRemovedFromThreadWithUser`,
  `${P}ChatMessageEditedInThread`,
  `${P}ChatMessageDeletedInThread`,
  `${P}ChatThreadCreated`,
  `${P}ChatThreadPropertiesUpdated`,
  `${P}ChatThreadParticipantAdded`,
  `${P}ChatThreadParticipantRemoved`,
] as const satisfies readonly (keyof SystemEventNameToEventData)[];

const inboxTypes = new Set<string>(INBOX_EVENT_TYPES.map((type) => type.toLowerCase()));
/** Event types are case-insensitive in Event Grid. */
export const isInboxEventType = (eventType: string): boolean => inboxTypes.has(eventType.toLowerCase());

type Data<Name extends keyof SystemEventNameToEventData> = SystemEventNameToEventData[Name];

/** An ISO time as ms since the epoch. */
export const isoMs = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));
/** An ACS identifier model reduced to its raw id. */
export const identifier = z
  .object({ rawId: z.string().optional(), communicationUser: z.object({ id: z.string() }).optional() })
  .transform((model) => model.rawId ?? model.communicationUser?.id)
  .pipe(z.string().min(1));
const participant = z.object({ participantCommunicationIdentifier: identifier });
const properties = z.object({ topic: z.string() });

/** The fields of a message event that inboxes and live updates read. */
export const messageEventData = z.object({
  threadId: z.string().min(1),
  messageId: z.string().min(1),
  senderCommunicationIdentifier: identifier,
  senderDisplayName: z.string().optional(),
  composeTime: isoMs.optional(),
  type: z.string(),
  version: z.number().optional(),
  messageBody: z.string().optional(),
}) satisfies z.ZodType<
  Pick<Data<`${typeof P}ChatMessageDeleted`>, 'threadId' | 'messageId' | 'senderDisplayName' | 'type' | 'version'>
>;
const userLevel = z.object({ recipientCommunicationIdentifier: identifier });

const threadCreated = z.object({
  threadId: z.string().min(1),
  createdByCommunicationIdentifier: identifier,
  createTime: isoMs,
  properties,
});
const threadUpdated = z.object({
  threadId: z.string().min(1),
  editedByCommunicationIdentifier: identifier,
  editTime: isoMs.optional(),
  properties,
});
const threadDeleted = z.object({ threadId: z.string().min(1), deletedByCommunicationIdentifier: identifier });
const participantAdded = z.object({
  threadId: z.string().min(1),
  time: isoMs.optional(),
  addedByCommunicationIdentifier: identifier,
  participantAdded: participant,
}) satisfies z.ZodType<Pick<Data<`${typeof P}ChatThreadParticipantAdded`>, 'threadId'>>;
const participantRemoved = z.object({
  threadId: z.string().min(1),
  time: isoMs.optional(),
  removedByCommunicationIdentifier: identifier,
  participantRemoved: participant,
}) satisfies z.ZodType<Pick<Data<`${typeof P}ChatThreadParticipantRemoved`>, 'threadId'>>;

/** One inbox entry to change: the ACS user whose inbox it is, the thread, and the change. */
export interface InboxUpdate {
  acsUserId: string;
  threadId: string;
  change: InboxChange;
}

/** What an event means for inboxes: entries to change, and the thread's topic as ACS stamped it. */
export interface InboxEventEffect {
  updates: InboxUpdate[];
  threadTopic?: { threadId: string; text: string; at: number };
}

const envelope = z.object({ eventType: z.string(), eventTime: isoMs, data: z.unknown() });

/** Throws a ZodError when a handled event's data does not match its schema; unknown types have no effect. */
export function inboxEffectOf(input: unknown): InboxEventEffect {
  const { eventType, eventTime, data } = envelope.parse(input);
  const name = eventType.toLowerCase().startsWith(P.toLowerCase()) ? eventType.slice(P.length).toLowerCase() : '';
  const to = (acsUserId: string, threadId: string, change: InboxChange): InboxEventEffect => ({
    updates: [{ acsUserId, threadId, change }],
  });
  const none: InboxEventEffect = { updates: [] };
  switch (name) {
    case 'chatmessagereceived':
    case 'chatmessageedited': {
      const m = messageEventData.extend(userLevel.shape).parse(data);
      return to(
        m.recipientCommunicationIdentifier,
        m.threadId,
        messageChange(m, m.recipientCommunicationIdentifier, eventTime),
      );
    }
    case 'chatmessagereceivedinthread':
    case 'chatmessageeditedinthread': {
      const m = messageEventData.parse(data);
      return to(
        m.senderCommunicationIdentifier,
        m.threadId,
        messageChange(m, m.senderCommunicationIdentifier, eventTime),
      );
    }
    case 'chatmessagedeleted': {
      const m = messageEventData.extend(userLevel.shape).parse(data);
      return to(m.recipientCommunicationIdentifier, m.threadId, deletion(m, eventTime));
    }
    case 'chatmessagedeletedinthread': {
      const m = messageEventData.parse(data);
      return to(m.senderCommunicationIdentifier, m.threadId, deletion(m, eventTime));
    }
    case 'chatthreadcreatedwithuser': {
      const t = threadCreated.extend(userLevel.shape).parse(data);
      const change = { kind: 'joined', at: t.createTime, topic: t.properties.topic } as const;
      return to(t.recipientCommunicationIdentifier, t.threadId, change);
    }
    case 'chatthreadcreated': {
      const t = threadCreated.parse(data);
      const threadTopic = { threadId: t.threadId, text: t.properties.topic, at: t.createTime };
      const change = { kind: 'joined', at: t.createTime, topic: t.properties.topic } as const;
      return { ...to(t.createdByCommunicationIdentifier, t.threadId, change), threadTopic };
    }
    case 'chatthreadpropertiesupdatedperuser': {
      const t = threadUpdated.extend(userLevel.shape).parse(data);
      const change = { kind: 'topic', text: t.properties.topic, at: t.editTime ?? eventTime } as const;
      return to(t.recipientCommunicationIdentifier, t.threadId, change);
    }
    case 'chatthreadpropertiesupdated': {
      const t = threadUpdated.parse(data);
      const change = { kind: 'topic', text: t.properties.topic, at: t.editTime ?? eventTime } as const;
      return {
        ...to(t.editedByCommunicationIdentifier, t.threadId, change),
        threadTopic: { threadId: t.threadId, ...change },
      };
    }
    case 'chatthreadwithuserdeleted': {
      const t = threadDeleted.extend(userLevel.shape).parse(data);
      return to(t.recipientCommunicationIdentifier, t.threadId, { kind: 'threadDeleted' });
    }
    case 'chatthreaddeleted': {
      const t = threadDeleted.parse(data);
      return to(t.deletedByCommunicationIdentifier, t.threadId, { kind: 'threadDeleted' });
    }
    case 'chatparticipantaddedtothreadwithuser': {
      const p = participantAdded.extend(userLevel.shape).parse(data);
      const who = p.participantAdded.participantCommunicationIdentifier;
      if (who !== p.recipientCommunicationIdentifier) return none;
      return to(who, p.threadId, { kind: 'joined', at: p.time ?? eventTime });
    }
    case 'chatthreadparticipantadded': {
      // Only someone who joined on their own misses the user-level event.
      const p = participantAdded.parse(data);
      const who = p.participantAdded.participantCommunicationIdentifier;
      if (who !== p.addedByCommunicationIdentifier) return none;
      return to(who, p.threadId, { kind: 'joined', at: p.time ?? eventTime });
    }
    case 'chatparticipantremovedfromthreadwithuser': {
      const p = participantRemoved.extend(userLevel.shape).parse(data);
      const who = p.participantRemoved.participantCommunicationIdentifier;
      if (who !== p.recipientCommunicationIdentifier) return none;
      return to(who, p.threadId, { kind: 'left', at: p.time ?? eventTime });
    }
    case 'chatthreadparticipantremoved': {
      // Only someone who left on their own misses the user-level event.
      const p = participantRemoved.parse(data);
      const who = p.participantRemoved.participantCommunicationIdentifier;
      if (who !== p.removedByCommunicationIdentifier) return none;
      return to(who, p.threadId, { kind: 'left', at: p.time ?? eventTime });
    }
    default:
      return none;
  }
}

function messageChange(m: z.infer<typeof messageEventData>, owner: string, eventTime: number): InboxChange {
  return {
    kind: 'message',
    fromOther: m.senderCommunicationIdentifier !== owner,
    message: {
      id: m.messageId,
      type: m.type.toLowerCase(),
      preview: messagePreview(m.messageBody ?? '', m.type),
      senderAcsUserId: m.senderCommunicationIdentifier,
      ...(m.senderDisplayName ? { senderDisplayName: m.senderDisplayName } : {}),
      createdOn: m.composeTime ?? eventTime,
      version: m.version ?? 0,
    },
  };
}

function deletion(m: z.infer<typeof messageEventData>, eventTime: number): InboxChange {
  return { kind: 'messageDeleted', messageId: m.messageId, createdOn: m.composeTime ?? eventTime };
}
