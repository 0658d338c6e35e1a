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
