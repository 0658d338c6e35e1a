import * as z from 'zod';

import { messageSchema } from '../chat/views';
import { notificationSettingsSchema } from '../notifications/notification-schemas';

export const exportQuery = z.object({ continuationToken: z.string().max(4000).optional() });

/** One thread of the caller's, with what they wrote in it and how far they read. */
const exportedThread = z.object({
  threadId: z.string(),
  topic: z.string(),
  /** The newest message the caller marked read here (through the read-receipts endpoint). */
  readUpTo: z.string().optional(),
  unreadCount: z.number().int(),
  /** The caller's own messages, newest first (other people's messages are theirs, and not exported). */
  messages: z.array(messageSchema),
});

/**
 * GET /api/me/export: a page of the caller's data. The first page carries the profile and settings; each page then
 * carries one thread (a thread with very many messages continues on the next page), so that no request has to read a
 * heavy user's whole history. Follow `continuationToken` until it is absent.
 */
export const exportPageSchema = z
  .object({
    exportedOn: z.iso.datetime(),
    user: z
      .object({ userId: z.string(), acsUserId: z.string().optional(), displayName: z.string().optional() })
      .optional(),
    notifications: notificationSettingsSchema.optional(),
    threads: z.array(exportedThread),
    continuationToken: z.string().optional(),
  })
  .meta({ id: 'ExportPage' });
export type ExportPage = z.infer<typeof exportPageSchema>;
