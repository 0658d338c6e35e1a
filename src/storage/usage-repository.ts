import { randomUUID } from 'node:crypto';

import type { TableClient } from '@azure/data-tables';

import { isNotFound } from './errors';
import { deleteUnchanged, expiredKeysPage, type ExpiredPage, type ExpiredRow } from './expiry';
import { odataString, userKey } from './keys';

/** What one request spends of a caller's fair-use allowance. */
export interface UsageCharge {
  threads: number;
  identities: number;
}

interface ChargeEntity {
  partitionKey: string;
  rowKey: string;
  threads: number;
  identities: number;
}

/**
 * Per-user fair-use ledger (table `<prefix>Usage`): one partition per user and window, one row per charging request.
 * Requests insert their own row and then sum the rows ordered up to theirs, so concurrent requests of one user never
 * contend on a shared counter row (no ETag retries) and the order of the rows decides who is over the limit.
 */
export class UsageRepository {
  constructor(
    private readonly table: TableClient,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records `charge` in the window starting at `windowStart` and returns the window's totals up to and including it.
   * One write and one partition query.
   */
  async charge(
    userId: string,
    windowStart: Date,
    charge: UsageCharge,
  ): Promise<{ totals: UsageCharge; rowKey: string }> {
    const partitionKey = `${userKey(userId)}|${windowStart.toISOString()}`;
    // Time first, so rows sort in arrival order; the UUID keeps concurrent rows apart.
    const rowKey = `${timeKey(this.now())}|${randomUUID()}`;
    await this.table.createEntity<ChargeEntity>({ partitionKey, rowKey, ...charge });
    const totals: UsageCharge = { threads: 0, identities: 0 };
    const rows = this.table.listEntities<ChargeEntity>({
      queryOptions: {
        filter: `PartitionKey eq ${odataString(partitionKey)} and RowKey le ${odataString(rowKey)}`,
        select: ['threads', 'identities'],
      },
    });
    for await (const row of rows) {
      totals.threads += row.threads ?? 0;
      totals.identities += row.identities ?? 0;
    }
    return { totals, rowKey };
  }

  /**
   * A page of rows charged before `before` (ms), for retention. The RowKey starts with the charge time but partitions
   * start with the user, so this is a filtered scan of the table: Tables returns only the matching rows, resumable
   * from `continuation`.
   */
  async chargedBefore(before: number, maxPageSize: number, continuation?: string): Promise<ExpiredPage> {
    return expiredKeysPage(this.table, `RowKey lt ${odataString(timeKey(before))}`, maxPageSize, continuation);
  }

  async deleteExpired(row: ExpiredRow): Promise<boolean> {
    return deleteUnchanged(this.table, row);
  }

  /** Takes back a refused charge, so a refused request costs the caller nothing. */
  async refund(userId: string, windowStart: Date, rowKey: string): Promise<void> {
    try {
      await this.table.deleteEntity(`${userKey(userId)}|${windowStart.toISOString()}`, rowKey);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

function timeKey(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(15, '0');
}
