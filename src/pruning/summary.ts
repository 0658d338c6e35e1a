import * as z from 'zod';

const count = z.number().int().nonnegative();

/** What one pruning run did; logged per run and returned by `POST /api/maintenance/prune`. */
export const pruneSummarySchema = z
  .object({
    candidates: count.describe('Expired index entries the run picked up.'),
    deleted: count.describe('Idle threads deleted in ACS, with their records.'),
    keptAlive: count.describe('Threads active since the cut-off (by their record, or else by ACS); re-indexed.'),
    cleaned: count.describe('Records removed for threads already gone from ACS.'),
    failed: count.describe('Entries whose processing failed; they stay in the index and the next run tries again.'),
    deferred: count.describe('Entries left for the next run because the budget (or a Retry-After) ran out.'),
    durationMs: count,
    complete: z
      .boolean()
      .describe('Every expired entry was attempted: the budget did not run out and the index was read to its end.'),
  })
  .meta({ id: 'PruneSummary' });
export type PruneSummary = z.infer<typeof pruneSummarySchema>;

export const PRUNE_OUTCOMES = ['deleted', 'keptAlive', 'cleaned', 'failed', 'deferred'] as const;
export type PruneOutcome = (typeof PRUNE_OUTCOMES)[number];

export class SummaryTally {
  private readonly counts: Record<PruneOutcome, number> = {
    deleted: 0,
    keptAlive: 0,
    cleaned: 0,
    failed: 0,
    deferred: 0,
  };
  candidates = 0;

  add(outcome: PruneOutcome): void {
    this.counts[outcome] += 1;
  }

  summary(durationMs: number, complete: boolean): PruneSummary {
    return {
      candidates: this.candidates,
      ...this.counts,
      durationMs: Math.round(durationMs),
      complete: complete && this.counts.deferred === 0,
    };
  }
}
