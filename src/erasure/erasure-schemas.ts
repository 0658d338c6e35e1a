import { z } from 'zod';

/** The steps of an erasure, in the order they run (see README "Erasure"). */
export const STEPS = [
  'messages',
  'threads',
  'attachments',
  'reports',
  'acsIdentity',
  'identityMapping',
  'inbox',
  'notifications',
  'usage',
  'requests',
  'ban',
] as const;
export type Step = (typeof STEPS)[number];

export const erasureQuery = z.object({
  deleteMessages: z.enum(['true', 'false']).optional(),
});

export const erasureUserPath = z.object({ userId: z.string().min(1).max(256) });

export const erasureStartedSchema = z.object({ erasureId: z.string() }).meta({ id: 'ErasureStarted' });

export const erasureViewSchema = z
  .object({
    erasureId: z.string(),
    status: z.enum(['running', 'finished']),
    requestedBy: z.enum(['self', 'admin']),
    requestedOn: z.iso.datetime(),
    deleteMessages: z.boolean(),
    stepsDone: z.array(z.enum(STEPS)),
    stepsPending: z.array(z.enum(STEPS)),
    counts: z.record(z.string(), z.number()),
    finishedOn: z.iso.datetime().optional(),
  })
  .meta({ id: 'Erasure' });
export type ErasureView = z.infer<typeof erasureViewSchema>;
