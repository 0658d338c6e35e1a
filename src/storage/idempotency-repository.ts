import type { TableClient } from '@azure/data-tables';

import { isConflict } from './errors';

/**
 * What a caller's Idempotency-Key was first used for (table `<prefix>Requests`, one partition per key): the hash of
 * the request it came with, when it was first claimed, and, once known, what it created (a thread or message id).
 */
export interface IdempotencyRecord {
  requestHash: string;
  claimedOn: Date;
  resultId?: string;
}

interface RequestEntity {
  partitionKey: string;
  rowKey: string;
  requestHash: string;
  claimedOn: Date;
  resultId?: string;
}

export class IdempotencyRepository {
  constructor(private readonly table: TableClient) {}

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
        claimedOn: new Date(),
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
    };
  }

  /** Notes what a claimed key created. One write. */
  async complete(key: string, operation: string, resultId: string): Promise<void> {
    await this.table.updateEntity({ partitionKey: key, rowKey: operation, resultId }, 'Merge', { etag: '*' });
  }
}
