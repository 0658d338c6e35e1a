import { createHash, randomBytes } from 'node:crypto';

import type { TableClient } from '@azure/data-tables';

import type { AuditEntry, Ban, Report } from '../moderation/moderation-schemas';
import { deleteWhere } from './bulk-delete';
import { isConflict, isStatus } from './errors';
import {
  deleteUnchanged,
  expiredKeysPage,
  type ExpiredPage,
  type ExpiredRow,
  expiredRowOf,
  odataDate,
  queryPage,
} from './expiry';
import { odataString, userKey } from './keys';

/**
 * Moderation records (table `<prefix>Moderation`): bans in one partition (few, read whole by each instance's ban
 * snapshot), and the audit trail in one partition per month, newest first inside it (RowKey counts down), so that
 * listing reads only what it returns and retention drops whole months.
 */

const BAN_PARTITION = 'ban';
/** RowKeys count down from here, so a partition lists newest first. */
const MAX_TIME = 9_999_999_999_999;

interface BanEntity extends Omit<Ban, 'bannedOn' | 'until'> {
  partitionKey: string;
  rowKey: string;
  bannedOn: Date;
  until?: Date;
}

interface AuditEntity {
  partitionKey: string;
  rowKey: string;
  action: AuditEntry['action'];
  actor: string;
  subject?: string;
  reason?: string;
  on: Date;
  details?: string;
}

export class ModerationRepository {
  constructor(private readonly table: TableClient) {}

  async putBan(ban: Ban): Promise<void> {
    await this.table.upsertEntity<BanEntity>(
      {
        partitionKey: BAN_PARTITION,
        rowKey: userKey(ban.userId),
        userId: ban.userId,
        reason: ban.reason,
        bannedBy: ban.bannedBy,
        bannedOn: new Date(ban.bannedOn),
        ...(ban.until ? { until: new Date(ban.until) } : {}),
      },
      'Replace',
    );
  }

  /** True when there was a ban to lift. */
  async deleteBan(userId: string): Promise<boolean> {
    try {
      await this.table.deleteEntity(BAN_PARTITION, userKey(userId));
      return true;
    } catch (error) {
      if (isStatus(error, 404)) return false;
      throw error;
    }
  }

  async getBan(userId: string): Promise<Ban | undefined> {
    try {
      return banOf(await this.table.getEntity<BanEntity>(BAN_PARTITION, userKey(userId)));
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async bans(): Promise<Ban[]> {
    const bans: Ban[] = [];
    for await (const entity of this.table.listEntities<BanEntity>({
      queryOptions: { filter: `PartitionKey eq '${BAN_PARTITION}'` },
    }))
      bans.push(banOf(entity));
    return bans;
  }

  /** A page of bans that ended (`until`) before `before` (ms), for retention: one query of the ban partition. */
  async bansEndedBefore(before: number, maxPageSize: number, continuation?: string): Promise<ExpiredPage> {
    return expiredKeysPage(
      this.table,
      `PartitionKey eq '${BAN_PARTITION}' and until lt ${odataDate(before)}`,
      maxPageSize,
      continuation,
    );
  }

  async deleteExpired(row: ExpiredRow): Promise<boolean> {
    return deleteUnchanged(this.table, row);
  }

  /**
   * Records an entry. With `key`, the entry is recorded once: the same key and time make the same row, and a second
   * attempt (a redelivered event) finds it there.
   */
  async audit(entry: Omit<AuditEntry, 'id'>, key?: string): Promise<AuditEntry> {
    const on = new Date(entry.on);
    const suffix = key ? createHash('sha256').update(key).digest('hex').slice(0, 12) : randomBytes(6).toString('hex');
    const id = `${String(MAX_TIME - on.getTime()).padStart(13, '0')}-${suffix}`;
    try {
      await this.table.createEntity<AuditEntity>({
        partitionKey: auditPartition(on),
        rowKey: id,
        action: entry.action,
        actor: entry.actor,
        on,
        ...(entry.subject ? { subject: entry.subject } : {}),
        ...(entry.reason ? { reason: entry.reason } : {}),
        ...(entry.details ? { details: JSON.stringify(entry.details) } : {}),
      });
    } catch (error) {
      if (!(key && isConflict(error))) throw error;
    }
    return { ...entry, id };
  }

  /**
   * Deletes up to `limit` entries older than `cutoff` (whole months before it, then the older part of its own month),
   * a transaction of at most 100 per partition at a time. Returns how many went, and whether any are left.
   */
  async deleteAuditBefore(cutoff: Date, limit: number): Promise<{ deleted: number; more: boolean }> {
    const filter =
      `(PartitionKey ge 'audit-' and PartitionKey lt ${odataString(auditPartition(cutoff))}) or ` +
      `(PartitionKey eq ${odataString(auditPartition(cutoff))} and on lt datetime'${cutoff.toISOString()}')`;
    const expired: Array<{ partitionKey: string; rowKey: string }> = [];
    const pages = this.table
      .listEntities<AuditEntity>({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } })
      .byPage({ maxPageSize: Math.min(limit + 1, 1000) });
    for await (const page of pages) {
      for (const entity of page) expired.push({ partitionKey: entity.partitionKey, rowKey: entity.rowKey });
      if (expired.length > limit) break;
    }
    const now = expired.slice(0, limit);
    const byPartition = new Map<string, Array<{ rowKey: string }>>();
    for (const key of now) byPartition.set(key.partitionKey, [...(byPartition.get(key.partitionKey) ?? []), key]);
    for (const [partitionKey, keys] of byPartition) {
      for (let start = 0; start < keys.length; start += 100) {
        await this.table.submitTransaction(
          keys
            .slice(start, start + 100)
            .map((key): ['delete', { partitionKey: string; rowKey: string }] => [
              'delete',
              { partitionKey, rowKey: key.rowKey },
            ]),
        );
      }
    }
    return { deleted: now.length, more: expired.length > limit };
  }

  /** One month's entries, newest first, a page at a time (`continuation`: Tables' own token). */
  async auditPage(
    month: Date,
    pageSize: number,
    continuation?: string,
  ): Promise<{ items: AuditEntry[]; continuation?: string }> {
    const pages = this.table
      .listEntities<AuditEntity>({ queryOptions: { filter: `PartitionKey eq '${auditPartition(month)}'` } })
      .byPage({ maxPageSize: pageSize, ...(continuation ? { continuationToken: continuation } : {}) });
    const page = await pages.next();
    if (page.done) return { items: [] };
    return {
      items: page.value.map((entity) => ({
        id: entity.rowKey,
        action: entity.action,
        actor: entity.actor,
        on: new Date(entity.on).toISOString(),
        ...(entity.subject ? { subject: entity.subject } : {}),
        ...(entity.reason ? { reason: entity.reason } : {}),
        ...(entity.details ? { details: JSON.parse(entity.details) as Record<string, string> } : {}),
      })),
      ...(page.value.continuationToken ? { continuation: page.value.continuationToken } : {}),
    };
  }
}

function banOf(entity: BanEntity): Ban {
  return {
    userId: entity.userId,
    reason: entity.reason,
    bannedBy: entity.bannedBy,
    bannedOn: new Date(entity.bannedOn).toISOString(),
    ...(entity.until ? { until: new Date(entity.until).toISOString() } : {}),
  };
}

const REPORT_PARTITION = 'report';

interface ReportEntity {
  partitionKey: string;
  rowKey: string;
  report: string;
  status: Report['status'];
}

/**
 * Reports: one row per report in one partition, oldest first (a report's id starts with its filing time, and is its
 * RowKey), and one row per reporter and message (RowKey in the reporter's partition) that makes a second report of the
 * same message find the first.
 */
export class ReportRepository {
  constructor(private readonly table: TableClient) {}

  /** The report as stored: the new one, or the reporter's earlier report of the same message (`created` false). */
  async file(report: Report): Promise<{ report: Report; created: boolean }> {
    const once = markerOf(report);
    try {
      await this.table.createEntity({ ...once, reportId: report.id });
    } catch (error) {
      if (!isConflict(error)) throw error;
      const earlier = await this.table.getEntity<{ reportId: string }>(once.partitionKey, once.rowKey);
      const stored = await this.get(earlier.reportId);
      if (stored) return { report: stored.report, created: false };
      // The marker outlived a report whose own row was never written (a failure between the two): write it now.
    }
    await this.table.upsertEntity<ReportEntity>(
      { partitionKey: REPORT_PARTITION, rowKey: report.id, report: JSON.stringify(report), status: report.status },
      'Replace',
    );
    return { report, created: true };
  }

  /** The report and its ETag, or undefined. */
  async get(reportId: string): Promise<{ report: Report; etag: string } | undefined> {
    try {
      const entity = await this.table.getEntity<ReportEntity>(REPORT_PARTITION, reportId);
      return { report: JSON.parse(entity.report) as Report, etag: entity.etag };
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Replaces the report if it is unchanged since read (`etag`); false when someone else changed it first. */
  async replace(report: Report, etag: string): Promise<boolean> {
    try {
      await this.table.updateEntity<ReportEntity>(
        { partitionKey: REPORT_PARTITION, rowKey: report.id, report: JSON.stringify(report), status: report.status },
        'Replace',
        { etag },
      );
      return true;
    } catch (error) {
      if (isStatus(error, 412)) return false;
      throw error;
    }
  }

  /**
   * A page of resolved reports filed before `before` (ms; a report's id, its RowKey, starts with its filing time, so
   * this reads only reports that old), for retention, with each report's resolution time and reporter marker.
   */
  async resolvedFiledBefore(
    before: number,
    maxPageSize: number,
    continuation?: string,
  ): Promise<ExpiredPage<ExpiredRow & { resolvedOn: number; marker: { partitionKey: string; rowKey: string } }>> {
    const page = await queryPage<ReportEntity>(
      this.table,
      `PartitionKey eq '${REPORT_PARTITION}' and RowKey lt ${odataString(reportIdPrefix(before))} and ` +
        `status eq 'resolved'`,
      ['PartitionKey', 'RowKey', 'report'],
      maxPageSize,
      continuation,
    );
    return {
      rows: page.entities.map((entity) => {
        const report = JSON.parse(entity.report) as Report;
        return {
          ...expiredRowOf(entity),
          resolvedOn: report.resolution ? Date.parse(report.resolution.on) : Number.POSITIVE_INFINITY,
          marker: markerOf(report),
        };
      }),
      ...(page.continuation ? { continuation: page.continuation } : {}),
    };
  }

  /** Deletes a report unchanged since read, then its reporter marker: false when it changed or went meanwhile. */
  async deleteExpired(row: ExpiredRow & { marker: { partitionKey: string; rowKey: string } }): Promise<boolean> {
    if (!(await deleteUnchanged(this.table, row))) return false;
    await deleteUnchanged(this.table, { ...row.marker, etag: '*' });
    return true;
  }

  /** Erasure: the ids of up to `limit` reports `reporter` filed (their markers, in the reporter's partition). */
  async filedBy(reporter: string, limit: number): Promise<string[]> {
    const page = await this.table
      .listEntities<{ reportId: string }>({
        queryOptions: { filter: `PartitionKey eq ${odataString(reporterPartition(reporter))}` },
      })
      .byPage({ maxPageSize: limit })
      .next();
    return page.done ? [] : page.value.map((entity) => entity.reportId);
  }

  /**
   * Erasure: the report stays, without its reporter (now `replacement`), and its marker goes. Repeatable;
   * a report already without them is left as is.
   */
  async forgetReporter(reportId: string, reporter: string, replacement: string): Promise<void> {
    for (let attempt = 1; attempt <= 8; attempt += 1) {
      const stored = await this.get(reportId);
      if (!stored || stored.report.reporter !== reporter) break;
      if (await this.replace({ ...stored.report, reporter: replacement }, stored.etag)) break;
    }
    const filter = `PartitionKey eq ${odataString(reporterPartition(reporter))} and reportId eq ${odataString(reportId)}`;
    await deleteWhere(this.table, filter, 10);
  }

  async open(pageSize: number, continuation?: string): Promise<{ items: Report[]; continuationToken?: string }> {
    const page = await this.table
      .listEntities<ReportEntity>({
        queryOptions: { filter: `PartitionKey eq '${REPORT_PARTITION}' and status eq 'open'` },
      })
      .byPage({ maxPageSize: pageSize, ...(continuation ? { continuationToken: continuation } : {}) })
      .next();
    if (page.done) return { items: [] };
    return {
      items: page.value.map((entity) => JSON.parse(entity.report) as Report),
      ...(page.value.continuationToken ? { continuationToken: page.value.continuationToken } : {}),
    };
  }
}

/** The row that makes a reporter's second report of a message find the first. */
function markerOf(report: Pick<Report, 'reporter' | 'threadId' | 'messageId'>): {
  partitionKey: string;
  rowKey: string;
} {
  return { partitionKey: `reporter-${userKey(report.reporter)}`, rowKey: reportKey(report) };
}

/** Report ids are `r<filing ms, base 36, 9 digits>-…` (ReportService): every id filed before `ms` sorts below this. */
function reportIdPrefix(ms: number): string {
  return `r${Math.max(0, Math.floor(ms)).toString(36).padStart(9, '0')}`;
}

function reporterPartition(reporter: string): string {
  return `reporter-${userKey(reporter)}`;
}

function reportKey(report: Pick<Report, 'threadId' | 'messageId'>): string {
  return `${Buffer.from(report.threadId).toString('base64url')}|${report.messageId}`;
}

function auditPartition(on: Date): string {
  return `audit-${on.toISOString().slice(0, 7)}`;
}
