import type {
  ChatMessage,
  ChatMessageReadReceipt,
  ChatParticipant,
  ChatThreadItem,
  ChatThreadProperties,
} from '@azure/communication-chat';

import type { ThreadRecord } from '../storage/thread-repository';
import { IDEMPOTENCY_METADATA_KEY } from './idempotency';
import { type Lookup, type Person, rawId } from './people';

/** The API's response shapes: ACS models with people named by app user id (and ACS user id). */

export interface Thread {
  id: string;
  topic: string;
  createdOn: string;
  createdBy: string;
  lastActivityOn: string;
  metadata?: Record<string, string>;
}

export interface ThreadSummary {
  id: string;
  topic: string;
  lastMessageReceivedOn?: string;
}

export interface ParticipantView extends Person {
  displayName: string | null;
  shareHistoryTime: string | null;
}

export interface MessageView {
  id: string;
  type: string;
  sequenceId: string;
  version: string;
  content?: { message?: string; topic?: string; participants?: ParticipantView[]; initiator?: Person };
  senderDisplayName?: string;
  createdOn: string;
  sender?: Person;
  deletedOn?: string;
  editedOn?: string;
  metadata?: Record<string, string>;
}

export interface ReadReceiptView extends Person {
  messageId: string;
  readOn: string;
}

export interface Page<Item> {
  items: Item[];
  continuationToken?: string;
}

export function threadView(properties: ChatThreadProperties, record: ThreadRecord): Thread {
  return {
    id: properties.id,
    topic: properties.topic,
    createdOn: properties.createdOn.toISOString(),
    createdBy: record.ownerUserId,
    lastActivityOn: record.lastActivityOn.toISOString(),
    ...(properties.metadata && Object.keys(properties.metadata).length > 0 ? { metadata: properties.metadata } : {}),
  };
}

export function threadSummaryView(item: ChatThreadItem): ThreadSummary {
  return {
    id: item.id,
    topic: item.topic,
    ...(item.lastMessageReceivedOn ? { lastMessageReceivedOn: item.lastMessageReceivedOn.toISOString() } : {}),
  };
}

export function participantView(participant: ChatParticipant, lookup: Lookup): ParticipantView | undefined {
  const person = lookup(rawId(participant.id));
  if (!person) return undefined;
  return {
    ...person,
    displayName: participant.displayName ?? null,
    shareHistoryTime: participant.shareHistoryTime ? participant.shareHistoryTime.toISOString() : null,
  };
}

export function messageView(message: ChatMessage, lookup: Lookup): MessageView {
  const sender = lookup(rawId(message.sender));
  const initiator = lookup(rawId(message.content?.initiator));
  const participants = message.content?.participants
    ?.map((participant) => participantView(participant, lookup))
    .filter((participant): participant is ParticipantView => participant !== undefined);
  const content = message.content
    ? {
        ...(message.content.message !== undefined ? { message: message.content.message } : {}),
        ...(message.content.topic !== undefined ? { topic: message.content.topic } : {}),
        ...(participants ? { participants } : {}),
        ...(initiator ? { initiator } : {}),
      }
    : undefined;
  return {
    id: message.id,
    type: message.type,
    sequenceId: message.sequenceId,
    version: message.version,
    ...(content ? { content } : {}),
    ...(message.senderDisplayName ? { senderDisplayName: message.senderDisplayName } : {}),
    createdOn: message.createdOn.toISOString(),
    ...(sender ? { sender } : {}),
    ...(message.deletedOn ? { deletedOn: message.deletedOn.toISOString() } : {}),
    ...(message.editedOn ? { editedOn: message.editedOn.toISOString() } : {}),
    ...clientMetadata(message.metadata),
  };
}

/** Message metadata as the client set it, without the backend's own idempotency marker. */
function clientMetadata(metadata: Record<string, string> | undefined): { metadata?: Record<string, string> } {
  if (!metadata) return {};
  const { [IDEMPOTENCY_METADATA_KEY]: _marker, ...own } = metadata;
  return Object.keys(own).length > 0 ? { metadata: own } : {};
}

export function readReceiptView(receipt: ChatMessageReadReceipt, lookup: Lookup): ReadReceiptView | undefined {
  const person = lookup(rawId(receipt.sender));
  return person ? { ...person, messageId: receipt.chatMessageId, readOn: receipt.readOn.toISOString() } : undefined;
}

/** The ACS identifiers a message names (sender, initiator, participants), for one batched lookup. */
export function identifiersIn(message: ChatMessage): Array<string | undefined> {
  return [
    rawId(message.sender),
    rawId(message.content?.initiator),
    ...(message.content?.participants ?? []).map((participant) => rawId(participant.id)),
  ];
}
