import { z } from 'zod';

import { pageQuery } from '../chat/schemas';

/** GET /api/inbox: the same paging parameters as every list of the API. */
export const inboxQuery = pageQuery;
export type InboxQuery = z.infer<typeof inboxQuery>;

/** `POST /api/maintenance/inbox-backfill` body (optional): how long this run may take (HTTP ends at 230 s in Azure). */
export const backfillRequestBody = z.object({ budgetSeconds: z.number().min(1).max(200).optional() }).strict();

/** The opaque position after the last entry of a page: its last activity and thread id (newest first). */
export const inboxCursor = z.tuple([z.number().int().nonnegative(), z.string().min(1).max(300)]);
export type InboxCursor = z.infer<typeof inboxCursor>;

export interface InboxEntry {
  threadId: string;
  topic: string;
  unreadCount: number;
  lastActivityOn: string;
  lastMessage?: {
    id: string;
    type: string;
    preview: string;
    senderDisplayName?: string;
    sender?: { userId: string | null; acsUserId: string };
    createdOn: string;
  };
}

export interface UnreadBadge {
  unreadCount: number;
  threadsWithUnread: number;
}
