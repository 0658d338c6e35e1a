import * as z from 'zod';

import { attachmentId, BACKEND_METADATA_PREFIX, MAX_ATTACHMENTS_PER_MESSAGE } from '../attachments/attachment-schemas';

/** Request schemas of the chat API: the one validation layer. Types are inferred from them. */

export const MAX_CONTENT_BYTES = 28 * 1024;
export const MAX_METADATA_BYTES = 4 * 1024;
export const MAX_TOPIC_LENGTH = 250;
export const MAX_DISPLAY_NAME_LENGTH = 256;
export const MAX_PARTICIPANTS_PER_REQUEST = 200;

const noControlCharacters = (value: string): boolean => !/\p{Cc}/u.test(value);
const utf8Bytes = (value: string): number => Buffer.byteLength(value, 'utf8');

export const threadId = z
  .string()
  .max(300)
  .regex(/^19:[A-Za-z0-9_.-]+@thread\.v2$/, 'must be a chat thread id such as 19:…@thread.v2');
export const messageId = z.string().regex(/^\d{1,20}$/, 'must be a message id (digits)');
export const userId = z
  .string()
  .min(1)
  .max(256)
  .refine(
    (value) => value.trim() === value && noControlCharacters(value),
    'must not have surrounding spaces or control characters',
  );

const displayName = z
  .string()
  .trim()
  .min(1)
  .max(MAX_DISPLAY_NAME_LENGTH)
  .refine(noControlCharacters, 'must not contain control characters');
const topic = z
  .string()
  .trim()
  .min(1)
  .max(MAX_TOPIC_LENGTH)
  .refine(noControlCharacters, 'must not contain control characters');
const isoDateTime = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

export const metadata = z
  .record(
    z
      .string()
      .min(1)
      .max(64)
      .refine(
        (key) => !key.startsWith(BACKEND_METADATA_PREFIX),
        `keys starting ${BACKEND_METADATA_PREFIX} are reserved`,
      ),
    z.string().max(1024),
  )
  .refine((value) => Object.keys(value).length <= 32, 'must have at most 32 entries')
  .refine(
    (value) => utf8Bytes(JSON.stringify(value)) <= MAX_METADATA_BYTES,
    `must be at most ${MAX_METADATA_BYTES} bytes`,
  );

export const threadPath = z.object({ threadId });
export const messagePath = z.object({ threadId, messageId });
export const participantPath = z.object({ threadId, userId });

export const createThreadBody = z
  .object({
    topic,
    participants: z
      .array(z.object({ userId, displayName: displayName.optional() }).strict())
      .max(MAX_PARTICIPANTS_PER_REQUEST)
      .optional(),
    metadata: metadata.optional(),
  })
  .strict();
export type CreateThreadBody = z.infer<typeof createThreadBody>;

export const updateThreadBody = z
  .object({ topic: topic.optional(), metadata: metadata.optional() })
  .strict()
  .refine((value) => value.topic !== undefined || value.metadata !== undefined, 'give a topic or metadata to change');
export type UpdateThreadBody = z.infer<typeof updateThreadBody>;

const content = z
  .string()
  .min(1)
  .refine((value) => value.trim() !== '', 'must not be blank')
  .refine((value) => utf8Bytes(value) <= MAX_CONTENT_BYTES, `must be at most ${MAX_CONTENT_BYTES} bytes`);

export const sendMessageBody = z
  .object({
    content,
    type: z.enum(['text', 'html']).default('text'),
    senderDisplayName: displayName.optional(),
    metadata: metadata.optional(),
    /** Files uploaded with POST /threads/{threadId}/attachments, in the order to show them. */
    attachments: z
      .array(attachmentId)
      .max(MAX_ATTACHMENTS_PER_MESSAGE)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an attachment')
      .optional(),
  })
  .strict();
export type SendMessageBody = z.infer<typeof sendMessageBody>;

export const updateMessageBody = z
  .object({ content: content.optional(), metadata: metadata.optional() })
  .strict()
  .refine((value) => value.content !== undefined || value.metadata !== undefined, 'give content or metadata to change');
export type UpdateMessageBody = z.infer<typeof updateMessageBody>;

export const readReceiptBody = z.object({ messageId }).strict();
export const typingBody = z.object({ senderDisplayName: displayName.optional() }).strict();

export const addParticipantsBody = z
  .object({
    participants: z
      .array(
        z.object({ userId, displayName: displayName.optional(), shareHistoryTime: isoDateTime.optional() }).strict(),
      )
      .min(1)
      .max(MAX_PARTICIPANTS_PER_REQUEST),
  })
  .strict();
export type AddParticipantsBody = z.infer<typeof addParticipantsBody>;

const pageSize = z
  .string()
  .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 200')
  .transform(Number)
  .pipe(z.number().int().min(1).max(200));
const continuationToken = z.string().min(1).max(4096);

export const pageQuery = z.object({
  maxPageSize: pageSize.optional(),
  continuationToken: continuationToken.optional(),
});
export type PageQuery = z.infer<typeof pageQuery>;

export const listMessagesQuery = pageQuery.extend({ startTime: isoDateTime.optional() });
export type ListMessagesQuery = z.infer<typeof listMessagesQuery>;
