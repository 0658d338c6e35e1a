/** What one pruning run did; logged per run and returned by `POST /api/maintenance/prune`. */
export interface PruneSummary {
  /** Expired index entries the run picked up. */
  candidates: number;
  /** Idle threads deleted in ACS, with their records. */
  deleted: number;
  /** Threads active since the cut-off (by their record, or else by ACS); re-indexed at that activity. */
  keptAlive: number;
  /** Records removed for threads already gone from ACS (deleted elsewhere, or by an earlier, interrupted run). */
  cleaned: number;
  /** Entries whose processing failed; they stay in the index and the next run tries again. */
  failed: number;
  /** Entries picked up but left for the next run because the budget ran out (or a Retry-After outlasted it). */
  deferred: number;
  durationMs: number;
  /** Every expired entry was attempted: the budget did not run out and the index could be read to its end. */
  complete: boolean;
}

export type PruneOutcome = 'deleted' | 'keptAlive' | 'cleaned' | 'failed' | 'deferred';

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
