import * as z from 'zod';

/** `POST /api/maintenance/prune` body (optional): how long this run may take. HTTP requests in Azure end at 230 s. */
export const pruneRequestBody = z
  .object({
    budgetSeconds: z.number().min(1).max(200).optional(),
  })
  .strict();

export type PruneRequestBody = z.infer<typeof pruneRequestBody>;
