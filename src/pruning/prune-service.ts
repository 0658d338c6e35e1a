import type { InvocationContext } from '@azure/functions';

import type { AcsChat } from '../chat/acs-chat';
import type { ThreadService } from '../chat/thread-service';
import { describeError } from '../logging';
import type { ActivityEntry, ThreadRepository } from '../storage/thread-repository';
import { count } from '../telemetry/instruments';
import { noteRun } from '../telemetry/span-notes';
import { checkActivity } from './activity-check';
import { SharedBackoff } from './backoff';
import { PRUNE_OUTCOMES, type PruneOutcome, type PruneSummary, SummaryTally } from './summary';
import { slowDownFor } from './throttling';
import { forEachBounded } from './work-pool';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Attempts of one step that ACS throttles (on top of the SDK's own retries) before the entry counts as failed. */
const MAX_THROTTLED_ATTEMPTS = 3;

export interface PruneOptions {
  retentionDays: number;
  /** Threads processed at once (default 4). */
  concurrency?: number;
  /** The backend's clock (tests may fix it); ms since the epoch. */
  now?: () => number;
}

export interface PruneRun {
  /** No new thread is started after this many ms; the next run continues where this one stopped. */
  budgetMs: number;
  context?: InvocationContext;
}

/** A step could not start because the run's budget is used up (or a pause outlasts it). */
class OutOfBudget extends Error {}

interface RunState {
  cutoff: Date;
  backoff: SharedBackoff;
  /** Aborted when the budget is used up. */
  deadline: AbortSignal;
  context?: InvocationContext;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/**
 * Deletes threads idle for longer than the retention period. Candidates come from the activity index (reads grow
 * with the number of expired entries only); each one's record is read (1 Tables read):
 * - activity recorded since the cut-off: re-indexed at it, no ACS call;
 * otherwise ACS confirms before anything is deleted:
 * - gone from ACS (404/403): its records are removed (1 ACS call);
 * - active since the cut-off (e.g. messages sent straight to ACS with a user token): re-indexed (1 ACS call);
 * - idle: deleted in ACS, then its record, then its index entry (2 ACS calls).
 * Every step is idempotent and the index entry is always removed last, so a run that is interrupted anywhere leaves
 * an expired entry behind and the next run finishes the work; two runs at once at worst both delete (ACS answers
 * the second with 404, which counts as done).
 */
export class PruneService {
  constructor(
    private readonly threads: ThreadRepository,
    private readonly threadService: ThreadService,
    private readonly acs: AcsChat,
    private readonly options: PruneOptions,
  ) {}

  async run({ budgetMs, context }: PruneRun): Promise<PruneSummary> {
    const now = this.options.now ?? Date.now;
    const startedAt = now();
    const cutoff = new Date(startedAt - this.options.retentionDays * DAY_MS);
    const backoff = new SharedBackoff(startedAt + budgetMs, now);
    // Ends ACS checks still running at the deadline, including the SDK's own (unbounded) waits for Retry-After.
    const deadline = AbortSignal.timeout(Math.max(1, budgetMs));
    const tally = new SummaryTally();
    let complete = false;
    try {
      const { stopped } = await forEachBounded(
        this.threads.expired(cutoff),
        { concurrency: this.options.concurrency ?? 4, shouldStop: () => backoff.exhausted() },
        async (entry) => {
          tally.candidates += 1;
          tally.add(await this.pruneOne(entry, { cutoff, backoff, deadline, context }));
        },
      );
      complete = !stopped;
    } catch (error) {
      // Only reading the index can end up here (pruneOne never throws): the run stops, the next one starts over.
      context?.error('prune: reading the activity index failed', describeError(error));
    }
    const summary = tally.summary(now() - startedAt, complete);
    context?.log('prune run finished', { ...summary, cutoff: cutoff.toISOString() });
    noteRun(summary);
    for (const outcome of PRUNE_OUTCOMES)
      count('pruningThreads', { 'chat.pruning.outcome': outcome }, summary[outcome]);
    return summary;
  }

  private async pruneOne(entry: ActivityEntry, run: RunState): Promise<PruneOutcome> {
    const { cutoff, backoff, deadline, context } = run;
    let step = 'record';
    try {
      // Activity recorded since the cut-off (messages through the backend, chat events for messages sent straight to
      // ACS) keeps the thread without asking ACS; otherwise ACS confirms before anything is deleted.
      const record = await this.step(backoff, () => this.threads.get(entry.threadId));
      if (record && record.lastActivityOn >= cutoff) {
        step = 'reindex';
        await this.step(backoff, () => this.threads.reindex(entry, record.lastActivityOn));
        return 'keptAlive';
      }
      step = 'check';
      const activity = await this.step(backoff, () =>
        checkActivity(this.acs, entry.threadId, cutoff, { abortSignal: deadline, ...(context ? { context } : {}) }),
      );
      if (activity.state === 'gone') {
        step = 'clean';
        await this.step(backoff, () => this.threads.remove(entry.threadId, entry.activityOn));
        return 'cleaned';
      }
      if (activity.state === 'active') {
        step = 'reindex';
        await this.step(backoff, () => this.threads.reindex(entry, activity.lastActivityOn));
        return 'keptAlive';
      }
      step = 'delete';
      await this.step(backoff, () => this.threadService.purge(entry, context));
      return 'deleted';
    } catch (error) {
      if (error instanceof OutOfBudget || (deadline.aborted && isAbort(error))) return 'deferred';
      context?.warn('prune: thread failed', { threadId: entry.threadId, step, error: describeError(error) });
      return 'failed';
    }
  }

  /** Runs one step once no pause is pending; throttling pauses every worker and the step is tried again. */
  private async step<T>(backoff: SharedBackoff, operation: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      if (!(await backoff.ready())) throw new OutOfBudget();
      try {
        return await operation();
      } catch (error) {
        const slowDown = slowDownFor(error);
        if (!slowDown) throw error;
        backoff.pause(slowDown.pauseMs);
        if (!slowDown.retry || attempt >= MAX_THROTTLED_ATTEMPTS) throw error;
      }
    }
  }
}
