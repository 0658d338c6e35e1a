import * as z from 'zod';

import { attachmentSchema } from '../attachments/attachment-schemas';
import { personSchema } from '../chat/people';
import { inboxEntrySchema } from '../inbox/inbox-schemas';

/**
 * What the backend pushes to clients over Web PubSub: one versioned JSON schema (the `v` field), also published as
 * JSON Schema at GET /api/live-updates.schema.json and under components/schemas of the API description.
 *
 * Delivery is at least once and in no particular order (Event Grid), so every update carries what a client needs to
 * drop a duplicate or a stale one: `id` names the change (the same on a redelivery); a message carries its `version`
 * (an edit replaces content only with a newer version, a deletion is final); an inbox entry carries its `revision`
 * (a client keeps the highest). An update never tells more than the recipient could read through the API.
 */

export const LIVE_UPDATE_VERSION = 1;

const common = {
  v: z.literal(LIVE_UPDATE_VERSION),
  /** Identifies the change: the Event Grid event's id, or a fresh id for typing and read receipts. */
  id: z.string(),
  threadId: z.string(),
};

/** The recipient's own inbox entry after the change; `entry` absent means it left their inbox (left, deleted). */
export const liveInboxSchema = z
  .object({
    threadId: z.string(),
    /** Grows with every change of the entry: keep the update with the highest revision. */
    revision: z.number().int().nonnegative(),
    entry: inboxEntrySchema.optional(),
  })
  .meta({ id: 'LiveInbox' });
export type LiveInbox = z.infer<typeof liveInboxSchema>;

/** A message as the API's `Message` names it, with what an event carries (no `sequenceId`: order by `id`). */
export const liveMessageSchema = z
  .object({
    id: z.string(),
    /** `text` or `html`. */
    type: z.string(),
    /** Milliseconds since the epoch of the message's last change, as a string (ACS's `version`). */
    version: z.string(),
    content: z.object({ message: z.string() }).optional(),
    senderDisplayName: z.string().optional(),
    sender: personSchema.optional(),
    createdOn: z.iso.datetime(),
    editedOn: z.iso.datetime().optional(),
    deletedOn: z.iso.datetime().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    attachments: z.array(attachmentSchema).optional(),
  })
  .meta({ id: 'LiveMessage' });
export type LiveMessage = z.infer<typeof liveMessageSchema>;

const liveParticipant = personSchema.extend({ displayName: z.string().nullable() }).meta({ id: 'LiveParticipant' });

export const liveUpdateSchema = z
  .discriminatedUnion('type', [
    z
      .object({
        ...common,
        type: z.enum(['messageCreated', 'messageEdited', 'messageDeleted']),
        message: liveMessageSchema,
        inbox: liveInboxSchema.optional(),
      })
      .meta({ id: 'LiveMessageUpdate' }),
    z
      .object({
        ...common,
        type: z.literal('threadCreated'),
        topic: z.string(),
        createdBy: personSchema.optional(),
        createdOn: z.iso.datetime(),
        inbox: liveInboxSchema.optional(),
      })
      .meta({ id: 'LiveThreadCreated' }),
    z
      .object({
        ...common,
        type: z.literal('threadUpdated'),
        topic: z.string(),
        metadata: z.record(z.string(), z.string()).optional(),
        updatedBy: personSchema.optional(),
        updatedOn: z.iso.datetime(),
        inbox: liveInboxSchema.optional(),
      })
      .meta({ id: 'LiveThreadUpdated' }),
    z
      .object({
        ...common,
        type: z.literal('threadDeleted'),
        deletedBy: personSchema.optional(),
        deletedOn: z.iso.datetime(),
        inbox: liveInboxSchema.optional(),
      })
      .meta({ id: 'LiveThreadDeleted' }),
    z
      .object({
        ...common,
        type: z.enum(['participantAdded', 'participantRemoved']),
        participant: liveParticipant,
        by: personSchema.optional(),
        on: z.iso.datetime(),
        inbox: liveInboxSchema.optional(),
      })
      .meta({ id: 'LiveParticipantUpdate' }),
    z
      .object({
        ...common,
        type: z.literal('typing'),
        from: personSchema,
        senderDisplayName: z.string().optional(),
        on: z.iso.datetime(),
      })
      .meta({ id: 'LiveTyping' }),
    z
      .object({
        ...common,
        type: z.literal('readReceipt'),
        from: personSchema,
        messageId: z.string(),
        readOn: z.iso.datetime(),
      })
      .meta({ id: 'LiveReadReceipt' }),
    z.object({ ...common, type: z.literal('inboxChanged'), inbox: liveInboxSchema }).meta({ id: 'LiveInboxChanged' }),
    z
      .object({
        ...common,
        /** To the sender's own clients: moderation deleted a message of theirs that had not passed its check. */
        type: z.literal('messageRejected'),
        messageId: z.string(),
        /** Hate, Sexual, Violence, SelfHarm or Blocklist; never the matched words. */
        categories: z.array(z.string()),
        on: z.iso.datetime(),
      })
      .meta({ id: 'LiveMessageRejected' }),
  ])
  .meta({ id: 'LiveUpdate' });
export type LiveUpdate = z.infer<typeof liveUpdateSchema>;
export type LiveUpdateType = LiveUpdate['type'];

/** POST /api/realtime/negotiate → a receive-only client URL for Web PubSub. */
export const negotiatedSchema = z
  .object({
    /** `wss://…/client/hubs/<hub>?access_token=…`: pass it to `WebPubSubClient` (or open a WebSocket). */
    url: z.string(),
    expiresOn: z.iso.datetime(),
  })
  .meta({ id: 'LiveConnection' });
export type Negotiated = z.infer<typeof negotiatedSchema>;

/** The JSON Schema (2020-12) of every update, served beside openapi.json. */
export function liveUpdateJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(liveUpdateSchema, { io: 'output', unrepresentable: 'any', target: 'draft-2020-12' });
}
