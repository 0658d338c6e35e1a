import type { TableClient } from '@azure/data-tables';

import { isConflict } from './errors';

/**
 * What a caller's Idempotency-Key was first used for (table `<prefix>Requests`, one partition per key): the hash of
 * the request it came with and, once known, the thread it created.
 */
export interface IdempotencyRecord {
  requestHash: string;
  threadId?: string;
}

interface RequestEntity {
  partitionKey: string;
  rowKey: string;
  requestHash: string;
  threadId?: string;
}

export class IdempotencyRepository {
  constructor(private readonly table: TableClient) {}

  /**
   * Claims `key` for a request with `requestHash`: one insert; when the key was used before, one read more and the
   * earlier record is returned instead.
   */
  async claim(key: string, operation: string, requestHash: string): Promise<IdempotencyRecord | undefined> {
    try {
      await this.table.createEntity<RequestEntity>({ partitionKey: key, rowKey: operation, requestHash });
      return undefined;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const entity = await this.table.getEntity<RequestEntity>(key, operation);
    return { requestHash: entity.requestHash, ...(entity.threadId ? { threadId: entity.threadId } : {}) };
  }

  /** Notes the thread a claimed key created. One write. */
  async complete(key: string, operation: string, threadId: string): Promise<void> {
    await this.table.updateEntity({ partitionKey: key, rowKey: operation, threadId }, 'Merge', { etag: '*' });
  }
}
