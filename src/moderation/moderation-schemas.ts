import * as z from 'zod';

/** PUT /api/moderation/bans/{userId}: why, and until when (absent: until lifted). */
export const banBody = z
  .object({
    reason: z.string().trim().min(1).max(500),
    until: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type BanBody = z.infer<typeof banBody>;

export const userPath = z.object({ userId: z.string().min(1).max(256) });

export const banSchema = z
  .object({
    userId: z.string(),
    reason: z.string(),
    bannedBy: z.string(),
    bannedOn: z.iso.datetime(),
    until: z.iso.datetime().optional(),
  })
  .meta({ id: 'Ban' });
export type Ban = z.infer<typeof banSchema>;
export const banPage = z.object({ items: z.array(banSchema) }).meta({ id: 'BanList' });

export const AUDIT_ACTIONS = [
  'ban',
  'unban',
  'contentRejected',
  'messageDeleted',
  'reportFiled',
  'reportResolved',
] as const;

/** One moderation action: who did what to whom, when and why. */
export const auditEntrySchema = z
  .object({
    id: z.string(),
    action: z.enum(AUDIT_ACTIONS),
    /** The admin's user id, or `system` for automatic actions. */
    actor: z.string(),
    subject: z.string().optional(),
    reason: z.string().optional(),
    on: z.iso.datetime(),
    details: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const REPORT_REASONS = ['spam', 'harassment', 'hate', 'sexual', 'violence', 'selfHarm', 'other'] as const;

/** POST /api/threads/{threadId}/messages/{messageId}/reports */
export const reportBody = z
  .object({ reason: z.enum(REPORT_REASONS), note: z.string().trim().min(1).max(1000).optional() })
  .strict();
export type ReportBody = z.infer<typeof reportBody>;

export const reportsQuery = z.object({
  status: z.enum(['open']).default('open'),
  maxPageSize: z.coerce.number().int().min(1).max(100).optional(),
  continuationToken: z.string().max(2000).optional(),
});

/**
 * How an admin resolves a report: `dismiss` leaves everything as it is; `deleteMessage` deletes the message in ACS
 * (as its sender); `removeSender` also removes the sender from the thread; `banSender` deletes the message and bans the
 * sender (every route refused, ACS tokens revoked). The report's snapshot keeps the evidence in every case.
 */
export const RESOLUTION_ACTIONS = ['dismiss', 'deleteMessage', 'removeSender', 'banSender'] as const;
export type ResolutionAction = (typeof RESOLUTION_ACTIONS)[number];

/** POST /api/moderation/reports/{reportId}/resolve */
export const resolveBody = z
  .object({ action: z.enum(RESOLUTION_ACTIONS), note: z.string().trim().min(1).max(1000).optional() })
  .strict();
export type ResolveBody = z.infer<typeof resolveBody>;

export const reportPath = z.object({ reportId: z.string().regex(/^r[0-9a-z]{9}-[0-9a-f]{16}$/, 'is not a report id') });

/** What the message was when reported: kept, so that deleting the message does not destroy the evidence. */
const messageSnapshot = z.object({
  type: z.string(),
  content: z.string().optional(),
  senderUserId: z.string().optional(),
  senderDisplayName: z.string().optional(),
  createdOn: z.iso.datetime(),
  attachmentIds: z.array(z.string()).optional(),
});

export const reportSchema = z
  .object({
    id: z.string(),
    threadId: z.string(),
    messageId: z.string(),
    reporter: z.string(),
    reason: z.enum(REPORT_REASONS),
    note: z.string().optional(),
    status: z.enum(['open', 'resolved']),
    filedOn: z.iso.datetime(),
    message: messageSnapshot,
    resolution: z
      .object({
        action: z.enum(RESOLUTION_ACTIONS),
        by: z.string(),
        on: z.iso.datetime(),
        note: z.string().optional(),
        /** Whether the message was deleted (false: it was gone already, or its sender had left the thread). */
        messageDeleted: z.boolean().optional(),
      })
      .optional(),
  })
  .meta({ id: 'Report' });
export type Report = z.infer<typeof reportSchema>;
