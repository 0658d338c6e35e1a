import type { TableClient } from '@azure/data-tables';

import { isConflict } from './errors';
import { deleteUnchanged, expiredKeysPage, type ExpiredPage, type ExpiredRow, odataDate } from './expiry';

/**
 * What a caller's Idempotency-Key was first used for (table `<prefix>Requests`, one partition per key): the hash of
 * the request it came with, when it was first claimed, and, once it succeeded, what it created (a thread or message
 * id) and the response it was answered with.
 */
export interface IdempotencyRecord {
  requestHash: string;
  claimedOn: Date;
  resultId?: string;
  /** The original response body (JSON), when it fitted in the entity (see MAX_RESULT_CHARS). */
  result?: string;
}

interface RequestEntity {
  partitionKey: string;
  rowKey: string;
  requestHash: string;
  claimedOn: Date;
  resultId?: string;
  result?: string;
}

/** A Tables string property holds at most 64 KiB (32 K UTF-16 code units); the rest of the entity needs some room. */
export const MAX_RESULT_CHARS = 30_000;

export class IdempotencyRepository {
  constructor(
    private readonly table: TableClient,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Claims `key` for a request with `requestHash`: one insert; when the key was used before, one read more and the
   * earlier record is returned instead.
   */
  async claim(key: string, operation: string, requestHash: string): Promise<IdempotencyRecord | undefined> {
    try {
      await this.table.createEntity<RequestEntity>({
        partitionKey: key,
        rowKey: operation,
        requestHash,
        claimedOn: new Date(this.now()),
      });
      return undefined;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const entity = await this.table.getEntity<RequestEntity>(key, operation);
    return {
      requestHash: entity.requestHash,
      claimedOn: new Date(entity.claimedOn),
      ...(entity.resultId ? { resultId: entity.resultId } : {}),
      ...(entity.result ? { result: entity.result } : {}),
    };
  }

  /** A page of keys claimed before `before` (ms), for retention: a filtered scan (partitions are the keys). */
  async claimedBefore(before: number, maxPageSize: number, continuation?: string): Promise<ExpiredPage> {
    return expiredKeysPage(this.table, `claimedOn lt ${odataDate(before)}`, maxPageSize, continuation);
  }

  async deleteExpired(row: ExpiredRow): Promise<boolean> {
    return deleteUnchanged(this.table, row);
  }

  /**
   * Notes what a claimed key created and, when given and small enough, the response it was answered with, so a retry
   * is answered from here alone. One write.
   */
  async complete(key: string, operation: string, resultId: string, result?: string): Promise<void> {
    await this.table.updateEntity(
      {
        partitionKey: key,
        rowKey: operation,
        resultId,
        ...(result !== undefined && result.length <= MAX_RESULT_CHARS ? { result } : {}),
      },
      'Merge',
      { etag: '*' },
    );
  }
}
