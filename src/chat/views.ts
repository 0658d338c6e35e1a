import type {
  ChatMessage,
  ChatMessageReadReceipt,
  ChatParticipant,
  ChatThreadItem,
  ChatThreadProperties,
} from '@azure/communication-chat';
import * as z from 'zod';

import {
  type Attachment,
  attachmentSchema,
  attachmentsFromMetadata,
  BACKEND_METADATA_PREFIX,
} from '../attachments/attachment-schemas';
import { detailCodes } from '../error-codes';
import type { ThreadRecord } from '../storage/thread-repository';
import { type Lookup, personSchema, rawId } from './people';

/**
 * The API's response shapes: ACS models with people named by app user id (and ACS user id). The zod schemas are
 * the types (inferred) and the response schemas of the API description (their ids name its components).
 */

const metadata = z.record(z.string(), z.string());

export const threadSchema = z
  .object({
    id: z.string(),
    topic: z.string(),
    createdOn: z.iso.datetime(),
    createdBy: z.string(),
    lastActivityOn: z.iso.datetime(),
    metadata: metadata.optional(),
  })
  .meta({ id: 'Thread' });
export type Thread = z.infer<typeof threadSchema>;

export const threadSummarySchema = z
  .object({ id: z.string(), topic: z.string(), lastMessageReceivedOn: z.iso.datetime().optional() })
  .meta({ id: 'ThreadSummary' });
export type ThreadSummary = z.infer<typeof threadSummarySchema>;

export const participantSchema = personSchema
  .extend({ displayName: z.string().nullable(), shareHistoryTime: z.iso.datetime().nullable() })
  .meta({ id: 'Participant' });
export type ParticipantView = z.infer<typeof participantSchema>;

export const messageSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    sequenceId: z.string(),
    version: z.string(),
    content: z
      .object({
        message: z.string().optional(),
        topic: z.string().optional(),
        participants: z.array(participantSchema).optional(),
        initiator: personSchema.optional(),
      })
      .optional(),
    senderDisplayName: z.string().optional(),
    createdOn: z.iso.datetime(),
    sender: personSchema.optional(),
    deletedOn: z.iso.datetime().optional(),
    editedOn: z.iso.datetime().optional(),
    metadata: metadata.optional(),
    attachments: z.array(attachmentSchema).optional(),
  })
  .meta({ id: 'Message' });
export type MessageView = z.infer<typeof messageSchema>;

export const readReceiptSchema = personSchema
  .extend({ messageId: z.string(), readOn: z.iso.datetime() })
  .meta({ id: 'ReadReceipt' });
export type ReadReceiptView = z.infer<typeof readReceiptSchema>;

export interface Page<Item> {
  items: Item[];
  continuationToken?: string;
}

/** A page of items; `continuationToken` (absent on the last page) fetches the next one. */
export function pageSchema<Item extends z.ZodType>(item: Item, id: string) {
  return z.object({ items: z.array(item), continuationToken: z.string().optional() }).meta({ id });
}

export const threadSummaryPage = pageSchema(threadSummarySchema, 'ThreadSummaryPage');
export const messagePage = pageSchema(messageSchema, 'MessagePage');
export const participantPage = pageSchema(participantSchema, 'ParticipantPage');
export const readReceiptPage = pageSchema(readReceiptSchema, 'ReadReceiptPage');

export const sentMessageSchema = z
  .object({
    id: z.string(),
    /** `pending`: Content Safety could not judge it now; it was sent and is checked as soon as it can be. */
    moderation: z.enum(['pending']).optional(),
  })
  .meta({ id: 'SentMessage' });

export const createdThreadSchema = z
  .object({
    thread: threadSchema,
    invalidParticipants: z.array(
      z
        .object({ userId: z.string(), code: z.enum(detailCodes), message: z.string() })
        .meta({ id: 'InvalidParticipant' }),
    ),
  })
  .meta({ id: 'CreatedThread' });
export type CreatedThread = z.infer<typeof createdThreadSchema>;
export type InvalidParticipant = CreatedThread['invalidParticipants'][number];

export const addParticipantsResultSchema = z
  .object({
    added: z.array(z.string()),
    failed: z.array(
      z.object({ userId: z.string(), error: z.object({ code: z.enum(detailCodes), message: z.string() }) }),
    ),
    /** Already in the thread: nothing about them changed (ACS: "If participants already exist, no change occurs"). */
    alreadyParticipants: z.array(z.string()),
  })
  .meta({ id: 'AddParticipantsResult' });
export type AddParticipantsResult = z.infer<typeof addParticipantsResultSchema>;

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

/**
 * Message metadata as the client set it, without the backend's own entries (its idempotency marker, attachments),
 * and the attachments as their own field.
 */
export function clientMetadata(metadata: Record<string, string> | undefined): {
  metadata?: Record<string, string>;
  attachments?: Attachment[];
} {
  if (!metadata) return {};
  const own = Object.fromEntries(Object.entries(metadata).filter(([key]) => !key.startsWith(BACKEND_METADATA_PREFIX)));
  const attachments = attachmentsFromMetadata(metadata);
  return {
    ...(Object.keys(own).length > 0 ? { metadata: own } : {}),
    ...(attachments.length > 0 ? { attachments } : {}),
  };
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
