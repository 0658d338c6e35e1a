import * as z from 'zod';

import { personSchema } from '../chat/people';
import { pageQuery } from '../chat/schemas';
import { pageSchema } from '../chat/views';

/** GET /api/inbox: the same paging parameters as every list of the API. */
export const inboxQuery = pageQuery;
export type InboxQuery = z.infer<typeof inboxQuery>;

/** `POST /api/maintenance/inbox-backfill` body (optional): how long this run may take (HTTP ends at 230 s in Azure). */
export const backfillRequestBody = z.object({ budgetSeconds: z.number().min(1).max(200).optional() }).strict();

/** The opaque position after the last entry of a page: its last activity and thread id (newest first). */
export const inboxCursor = z.tuple([z.number().int().nonnegative(), z.string().min(1).max(300)]);
export type InboxCursor = z.infer<typeof inboxCursor>;

export const inboxEntrySchema = z
  .object({
    threadId: z.string(),
    topic: z.string(),
    unreadCount: z.number().int().nonnegative(),
    lastActivityOn: z.iso.datetime(),
    lastMessage: z
      .object({
        id: z.string(),
        type: z.string(),
        preview: z.string(),
        senderDisplayName: z.string().optional(),
        sender: personSchema.optional(),
        createdOn: z.iso.datetime(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .meta({ id: 'InboxEntry' });
export type InboxEntry = z.infer<typeof inboxEntrySchema>;
export const inboxPage = pageSchema(inboxEntrySchema, 'InboxPage');

export const unreadBadgeSchema = z
  .object({ unreadCount: z.number().int().nonnegative(), threadsWithUnread: z.number().int().nonnegative() })
  .strict()
  .meta({ id: 'UnreadBadge' });
export type UnreadBadge = z.infer<typeof unreadBadgeSchema>;

export const backfillSummarySchema = z
  .object({
    threads: z.number().int(),
    entries: z.number().int(),
    failed: z.number().int(),
    /** ACS throttled the run, or its time budget ran out: run it again to finish (it is idempotent). */
    incomplete: z.boolean(),
  })
  .strict()
  .meta({ id: 'InboxBackfillSummary' });
