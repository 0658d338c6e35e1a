import { createHash } from 'node:crypto';

import type { TableClient } from '@azure/data-tables';

import { deleteWhere } from './bulk-delete';
import { isConflict, isStatus } from './errors';
import { deleteUnchanged, type ExpiredPage, type ExpiredRow, expiredRowOf, queryPage } from './expiry';
import { odataString, userIdFromKey, userKey } from './keys';

/**
 * Away notifications (table `<prefix>Notifications`): one row per user (their email settings, the address their
 * sign-in token carries, and when they were last emailed), and a due index (RowKey `<due ms>|<user>|<thread>`, in a
 * few partitions) that the email timer drains in due order, so that no run ever reads users who are not due.
 */

export interface NotificationRecord {
  /** Set by the user; absent means "on when there is an address". */
  enabled?: boolean;
  /** Set by the user; otherwise the sign-in token's address is used. */
  address?: string;
  tokenAddress?: string;
  delayMinutes?: number;
  /** When the last email went out (ms), and the threads it listed. */
  emailedOn?: number;
  emailedThreads?: string[];
}

interface RecordEntity {
  partitionKey: string;
  rowKey: string;
  enabled?: boolean;
  address?: string;
  tokenAddress?: string;
  delayMinutes?: number;
  emailedOn?: number;
  emailedThreads?: string;
}

export interface DueEntry {
  userId: string;
  threadId: string;
  dueOn: number;
  /** When the thread's first unread message (of this batch) arrived. */
  unreadSince: number;
}

interface DueEntity {
  partitionKey: string;
  rowKey: string;
  unreadSince: number;
}

const RECORD_ROW = 'user';
const DUE_SHARDS = 4;
const PAUSE = { partitionKey: 'email', rowKey: 'pause' };

export class NotificationRepository {
  constructor(private readonly table: TableClient) {}

  async get(userId: string): Promise<NotificationRecord | undefined> {
    try {
      const entity = await this.table.getEntity<RecordEntity>(recordPartition(userId), RECORD_ROW);
      return {
        ...(entity.enabled !== undefined ? { enabled: entity.enabled } : {}),
        ...(entity.address ? { address: entity.address } : {}),
        ...(entity.tokenAddress ? { tokenAddress: entity.tokenAddress } : {}),
        ...(entity.delayMinutes !== undefined ? { delayMinutes: Number(entity.delayMinutes) } : {}),
        ...(entity.emailedOn !== undefined ? { emailedOn: Number(entity.emailedOn) } : {}),
        ...(entity.emailedThreads ? { emailedThreads: JSON.parse(entity.emailedThreads) as string[] } : {}),
      };
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Merges the given fields into the user's row (creating it); `null` removes a field. */
  async merge(
    userId: string,
    fields: { [Key in keyof NotificationRecord]?: NotificationRecord[Key] | null },
  ): Promise<void> {
    const present = Object.fromEntries(
      Object.entries(fields)
        .filter(([, value]) => value !== null)
        .map(([key, value]) => [key, Array.isArray(value) ? JSON.stringify(value) : value]),
    );
    const removed = Object.entries(fields)
      .filter(([, value]) => value === null)
      .map(([key]) => key);
    if (removed.length === 0) {
      await this.table.upsertEntity({ partitionKey: recordPartition(userId), rowKey: RECORD_ROW, ...present }, 'Merge');
      return;
    }
    // Tables cannot remove a property in a merge: read, drop, replace.
    const { emailedThreads, ...current } = (await this.get(userId)) ?? {};
    const next: Record<string, unknown> = {
      ...current,
      ...(emailedThreads ? { emailedThreads: JSON.stringify(emailedThreads) } : {}),
      ...present,
    };
    for (const key of removed) delete next[key];
    await this.table.upsertEntity({ partitionKey: recordPartition(userId), rowKey: RECORD_ROW, ...next }, 'Replace');
  }

  /** One insert: a thread of `userId` has unread messages since `unreadSince`; look at it at `dueOn`. */
  async schedule(entry: DueEntry): Promise<void> {
    try {
      await this.table.createEntity<DueEntity>({
        partitionKey: duePartition(entry.userId),
        rowKey: dueRowKey(entry),
        unreadSince: entry.unreadSince,
      });
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }

  /** Up to `limit` entries due by `now`, oldest due first. */
  async due(now: number, limit: number): Promise<DueEntry[]> {
    const found: DueEntry[] = [];
    for (let shard = 0; shard < DUE_SHARDS; shard += 1) {
      const filter = `PartitionKey eq ${odataString(`due-${shard}`)} and RowKey lt ${odataString(pad(now + 1))}`;
      const pages = this.table.listEntities<DueEntity>({ queryOptions: { filter } }).byPage({ maxPageSize: limit });
      for await (const page of pages) {
        for (const entity of page) {
          const [due, user, thread] = entity.rowKey.split('|');
          found.push({
            dueOn: Number(due),
            userId: userIdFromKey(user ?? ''),
            threadId: Buffer.from(thread ?? '', 'base64url').toString('utf8'),
            unreadSince: Number(entity.unreadSince),
          });
        }
        break;
      }
    }
    return found.sort((a, b) => a.dueOn - b.dueOn).slice(0, limit);
  }

  async unschedule(entry: DueEntry): Promise<void> {
    await this.table.deleteEntity(duePartition(entry.userId), dueRowKey(entry)).catch((error: unknown) => {
      if (!isStatus(error, 404)) throw error;
    });
  }

  /**
   * A page of due entries that were due before `before` (ms), with their user, for retention: one range query over
   * the due partitions, oldest due first in each, resumable from `continuation`.
   */
  async dueBefore(
    before: number,
    maxPageSize: number,
    continuation?: string,
  ): Promise<ExpiredPage<ExpiredRow & { userId: string }>> {
    const page = await queryPage(
      this.table,
      `PartitionKey ge 'due-' and PartitionKey lt 'due.' and RowKey lt ${odataString(pad(before))}`,
      ['PartitionKey', 'RowKey'],
      maxPageSize,
      continuation,
    );
    return {
      rows: page.entities.map((entity) => {
        const row = expiredRowOf(entity);
        return { ...row, userId: userIdFromKey(row.rowKey.split('|')[1] ?? '') };
      }),
      ...(page.continuation ? { continuation: page.continuation } : {}),
    };
  }

  /** Whether the user has a settings row (one read of its key only). */
  async hasRecord(userId: string): Promise<boolean> {
    try {
      await this.table.getEntity(recordPartition(userId), RECORD_ROW, { queryOptions: { select: ['PartitionKey'] } });
      return true;
    } catch (error) {
      if (isStatus(error, 404)) return false;
      throw error;
    }
  }

  async deleteExpired(row: ExpiredRow): Promise<boolean> {
    return deleteUnchanged(this.table, row);
  }

  /** Until when ACS Email asked us to wait (a 429's Retry-After), if it did. */
  async pausedUntil(): Promise<number | undefined> {
    try {
      const entity = await this.table.getEntity<{ until: number }>(PAUSE.partitionKey, PAUSE.rowKey);
      return Number(entity.until);
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async pause(until: number): Promise<void> {
    await this.table.upsertEntity({ ...PAUSE, until }, 'Replace');
  }
}

/**
 * Erasure: deletes a user's settings row and their due entries (in their one shard), up to `limit` rows a call.
 */
export async function forgetNotifications(
  table: TableClient,
  userId: string,
  limit: number,
): Promise<{ deleted: number; more: boolean }> {
  const mine = `|${userKey(userId)}|`;
  const settings = await deleteWhere(table, `PartitionKey eq ${odataString(recordPartition(userId))}`, limit);
  const due = await deleteWhere(
    table,
    `PartitionKey eq ${odataString(duePartition(userId))}`,
    limit - settings.deleted,
    (row) => !String(row.rowKey).includes(mine),
  );
  return { deleted: settings.deleted + due.deleted, more: settings.more || due.more };
}

function recordPartition(userId: string): string {
  return `user-${userKey(userId)}`;
}

/** A user's entries stay in one shard, so that their due rows come back together. */
function duePartition(userId: string): string {
  return `due-${createHash('sha256').update(userId).digest()[0]! % DUE_SHARDS}`;
}

function pad(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(13, '0');
}

function dueRowKey(entry: Pick<DueEntry, 'dueOn' | 'userId' | 'threadId'>): string {
  return `${pad(entry.dueOn)}|${userKey(entry.userId)}|${Buffer.from(entry.threadId).toString('base64url')}`;
}
