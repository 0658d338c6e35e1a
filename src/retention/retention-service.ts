import type { InvocationContext } from '@azure/functions';

import type { ErasureRepository } from '../storage/erasure-repository';
import type { ExpiredPage, ExpiredRow } from '../storage/expiry';
import type { IdempotencyRepository } from '../storage/idempotency-repository';
import type { InboxLeftover, InboxRepository } from '../storage/inbox-repository';
import type { ModerationRepository, ReportRepository } from '../storage/moderation-repository';
import type { NotificationRepository } from '../storage/notification-repository';
import type { ScreeningRepository } from '../storage/screening-repository';
import type { SettingsRepository } from '../storage/settings-repository';
import { RETENTION } from '../storage/table-catalogue';
import type { ThreadRepository } from '../storage/thread-repository';
import type { UsageRepository } from '../storage/usage-repository';

/**
 * The enforceRetention timer's work: deletes the rows src/storage/table-catalogue.ts says live for a bounded time and
 * nothing else deletes. Each run deletes at most `deletionsPerRun` rows, shared between the sweeps (what one leaves
 * unused goes to the next), and reads at most PAGES_PER_SWEEP pages per sweep; each sweep keeps where it stopped (a
 * Tables continuation token) in the settings table, so a backlog is worked off over several runs and a scan that finds
 * little still ends. Every deletion is conditional on the row as read: a row rewritten meanwhile stays.
 */

/** Pages of a query one sweep reads per run at most (a filtered scan may return empty pages). */
export const PAGES_PER_SWEEP = 10;
/** Tables returns at most 1,000 rows a page. */
const MAX_PAGE = 1_000;

export interface RetentionConfig {
  deletionsPerRun: number;
  inboxLeftDays: number;
  auditDays: number;
}

export interface RetentionDependencies {
  cursors: SettingsRepository;
  usage: UsageRepository;
  requests: IdempotencyRepository;
  inboxes: InboxRepository;
  threads: ThreadRepository;
  screening: ScreeningRepository;
  reports: ReportRepository;
  moderation: ModerationRepository;
  notifications: NotificationRepository;
  erasures: ErasureRepository;
}

/** One kind of expiring rows: a page of candidates, whether each may go (checks a query cannot make), its delete. */
interface Sweep<Row extends ExpiredRow = ExpiredRow> {
  name: string;
  page(now: number, maxPageSize: number, continuation?: string): Promise<ExpiredPage<Row>>;
  expired?(row: Row, now: number): Promise<boolean> | boolean;
  remove(row: Row): Promise<boolean>;
}

export interface SweepResult {
  deleted: number;
  kept: number;
  pages: number;
  /** The pass over this kind of rows finished in this run (the next starts over). */
  complete: boolean;
}

export type RetentionSummary = Record<string, SweepResult>;

const DAY_MS = 86_400_000;

export class RetentionService {
  private readonly sweeps: Sweep[];

  constructor(
    private readonly deps: RetentionDependencies,
    private readonly config: RetentionConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeps = buildSweeps(deps, config);
  }

  async run(context?: InvocationContext): Promise<RetentionSummary> {
    const summary: RetentionSummary = {};
    let remaining = this.config.deletionsPerRun;
    // First a fair share of what is left for each sweep (a sweep with little to do leaves the rest to those after it),
    // then what is still left goes to the sweeps that stopped for want of budget.
    let hungry = this.sweeps;
    for (let round = 0; round < 2 && remaining > 0 && hungry.length > 0; round += 1) {
      const next: Sweep[] = [];
      for (const [index, sweep] of hungry.entries()) {
        const share = Math.ceil(remaining / (hungry.length - index));
        const result = await this.runSweep(sweep, share);
        remaining -= result.deleted;
        const earlier = summary[sweep.name];
        summary[sweep.name] = earlier
          ? {
              deleted: earlier.deleted + result.deleted,
              kept: earlier.kept + result.kept,
              pages: earlier.pages + result.pages,
              complete: result.complete,
            }
          : result;
        if (!result.complete && result.deleted >= share) next.push(sweep);
      }
      hungry = next;
    }
    context?.log('retention run finished', summary);
    return summary;
  }

  private async runSweep(sweep: Sweep, budget: number): Promise<SweepResult> {
    const result: SweepResult = { deleted: 0, kept: 0, pages: 0, complete: false };
    if (budget <= 0) return result;
    let cursor = await this.deps.cursors.retentionCursor(sweep.name);
    const now = this.now();
    while (result.pages < PAGES_PER_SWEEP && result.deleted < budget) {
      // Never more candidates in a page than may still be deleted, so a page is always finished before stopping.
      const page = await sweep.page(now, Math.min(MAX_PAGE, budget - result.deleted), cursor);
      result.pages += 1;
      for (const row of page.rows) {
        const expired = sweep.expired ? await sweep.expired(row, now) : true;
        if (expired && (await sweep.remove(row))) result.deleted += 1;
        else result.kept += 1;
      }
      cursor = page.continuation;
      if (!cursor) {
        result.complete = true;
        break;
      }
    }
    await this.deps.cursors.setRetentionCursor(sweep.name, cursor);
    return result;
  }
}

function buildSweeps(deps: RetentionDependencies, config: RetentionConfig): Array<Sweep<never>> {
  const usage: Sweep = {
    name: 'usage',
    page: (now, size, cursor) => deps.usage.chargedBefore(now - RETENTION.fairUseMs, size, cursor),
    remove: (row) => deps.usage.deleteExpired(row),
  };
  const requests: Sweep = {
    name: 'requests',
    page: (now, size, cursor) => deps.requests.claimedBefore(now - RETENTION.idempotencyKeyMs, size, cursor),
    remove: (row) => deps.requests.deleteExpired(row),
  };
  const inboxLeftMs = config.inboxLeftDays * DAY_MS;
  const inbox: Sweep<InboxLeftover> = {
    name: 'inbox',
    // Tables' Timestamp narrows the scan; `writtenOn` (the backend's clock) decides for rows that have it.
    page: (now, size, cursor) => deps.inboxes.leftoversBefore(now - inboxLeftMs, size, cursor),
    expired: async (row, now) => {
      if (row.kind === 'entry') return row.writtenOn === undefined || row.writtenOn < now - inboxLeftMs;
      // A topic row serves people added to the thread later: only once the thread's record is gone.
      return row.at < now - inboxLeftMs && !(await deps.threads.get(row.threadId));
    },
    remove: (row) => deps.inboxes.deleteExpired(row),
  };
  const screening: Sweep = {
    name: 'screening',
    page: (now, size, cursor) => deps.screening.finishedBefore(now - RETENTION.screeningMs, size, cursor),
    remove: (row) => deps.screening.deleteExpired(row),
  };
  const auditMs = config.auditDays * DAY_MS;
  const reports: Sweep<ExpiredRow & { resolvedOn: number; marker: { partitionKey: string; rowKey: string } }> = {
    name: 'reports',
    page: (now, size, cursor) => deps.reports.resolvedFiledBefore(now - auditMs, size, cursor),
    expired: (row, now) => row.resolvedOn < now - auditMs,
    remove: (row) => deps.reports.deleteExpired(row),
  };
  const bans: Sweep = {
    name: 'bans',
    page: (now, size, cursor) => deps.moderation.bansEndedBefore(now - RETENTION.endedBanMs, size, cursor),
    remove: (row) => deps.moderation.deleteExpired(row),
  };
  const known = new Map<string, boolean>();
  const notifications: Sweep<ExpiredRow & { userId: string }> = {
    name: 'notificationsDue',
    page: (now, size, cursor) => {
      known.clear();
      return deps.notifications.dueBefore(now - RETENTION.unexplainedDueMs, size, cursor);
    },
    // Unexplained: the user has no settings row (never had one, or was erased), so no email can come of the entry.
    expired: async (row) => {
      let has = known.get(row.userId);
      if (has === undefined) known.set(row.userId, (has = await deps.notifications.hasRecord(row.userId)));
      return !has;
    },
    remove: (row) => deps.notifications.deleteExpired(row),
  };
  const erasures: Sweep = {
    name: 'erasures',
    page: (now, size, cursor) => deps.erasures.finishedBefore(now - RETENTION.erasureRecordMs, size, cursor),
    remove: (row) => deps.erasures.deleteExpired(row),
  };
  return [usage, requests, inbox, screening, reports, bans, notifications, erasures] as Array<Sweep<never>>;
}
