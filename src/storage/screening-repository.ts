import { createHash } from 'node:crypto';

import type { TableClient } from '@azure/data-tables';

import { isConflict, isStatus } from './errors';
import { deleteUnchanged, expiredKeysPage, type ExpiredPage, type ExpiredRow, odataDate } from './expiry';
import { odataString } from './keys';

/**
 * The after-the-fact check of messages (table `<prefix>Moderation`): one row per message that arrived without our
 * seal, in its thread's partition, holding the newest version claimed and how far its check got, so that redelivered
 * and reordered events check each message once; and a queue of checks waiting for Content Safety, spread over a few
 * partitions (due time first in the RowKey, so a run reads only what is due).
 */

/** How far a message's check got. `rejected`: flagged, its deletion not yet confirmed; `removed`: deleted. */
export type ScreeningState = 'checking' | 'queued' | 'allowed' | 'rejected' | 'removed';

export interface ScreeningRow {
  version: number;
  state: ScreeningState;
  /** When the current state was written (ms). */
  since: number;
  categories?: string[];
  etag: string;
}

interface ScreeningEntity {
  partitionKey: string;
  rowKey: string;
  version: number;
  state: ScreeningState;
  since: Date;
  categories?: string;
}

export interface QueuedCheck {
  threadId: string;
  messageId: string;
  dueOn: number;
  attempts: number;
}

interface QueuedEntity {
  partitionKey: string;
  rowKey: string;
  threadId: string;
  messageId: string;
  attempts: number;
}

const QUEUE_SHARDS = 4;

export class ScreeningRepository {
  constructor(private readonly table: TableClient) {}

  async get(threadId: string, messageId: string): Promise<ScreeningRow | undefined> {
    try {
      return rowOf(await this.table.getEntity<ScreeningEntity>(checkPartition(threadId), messageId));
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Creates the row in `checking`; undefined when one exists already. */
  async create(threadId: string, messageId: string, version: number, now: number): Promise<string | undefined> {
    try {
      const created = await this.table.createEntity<ScreeningEntity>({
        partitionKey: checkPartition(threadId),
        rowKey: messageId,
        version,
        state: 'checking',
        since: new Date(now),
      });
      return created.etag;
    } catch (error) {
      if (isConflict(error)) return undefined;
      throw error;
    }
  }

  /** Moves the row on if nobody changed it since `etag` was read: the new ETag, or undefined when someone did. */
  async update(
    threadId: string,
    messageId: string,
    etag: string,
    next: { version: number; state: ScreeningState; since: number; categories?: string[] },
  ): Promise<string | undefined> {
    try {
      const updated = await this.table.updateEntity<ScreeningEntity>(
        {
          partitionKey: checkPartition(threadId),
          rowKey: messageId,
          version: next.version,
          state: next.state,
          since: new Date(next.since),
          ...(next.categories ? { categories: next.categories.join(',') } : {}),
        },
        'Replace',
        { etag },
      );
      return updated.etag;
    } catch (error) {
      if (isStatus(error, 412, 404)) return undefined;
      throw error;
    }
  }

  /**
   * A page of finished checks (allowed, or the message removed) whose state was written before `before`, for
   * retention: a filtered scan of the check partitions (one per thread), resumable from `continuation`. Checks still
   * running, queued or awaiting a deletion are never returned.
   */
  async finishedBefore(before: number, maxPageSize: number, continuation?: string): Promise<ExpiredPage> {
    return expiredKeysPage(
      this.table,
      `PartitionKey ge 'check-' and PartitionKey lt 'check.' and since lt ${odataDate(before)} and ` +
        `(state eq 'allowed' or state eq 'removed')`,
      maxPageSize,
      continuation,
    );
  }

  async deleteExpired(row: ExpiredRow): Promise<boolean> {
    return deleteUnchanged(this.table, row);
  }

  async enqueue(check: QueuedCheck): Promise<void> {
    await this.table.upsertEntity<QueuedEntity>(
      {
        partitionKey: queuePartition(check.threadId, check.messageId),
        rowKey: queueRowKey(check),
        threadId: check.threadId,
        messageId: check.messageId,
        attempts: check.attempts,
      },
      'Replace',
    );
  }

  /** Up to `limit` checks due by `now`, oldest due first within each shard. */
  async due(now: number, limit: number): Promise<QueuedCheck[]> {
    const found: QueuedCheck[] = [];
    for (let shard = 0; shard < QUEUE_SHARDS && found.length < limit; shard += 1) {
      const filter = `PartitionKey eq ${odataString(`recheck-${shard}`)} and RowKey lt ${odataString(dueKey(now + 1))}`;
      const pages = this.table.listEntities<QueuedEntity>({ queryOptions: { filter } }).byPage({ maxPageSize: limit });
      for await (const page of pages) {
        for (const entity of page) {
          found.push({
            threadId: entity.threadId,
            messageId: entity.messageId,
            attempts: entity.attempts,
            dueOn: Number(entity.rowKey.slice(0, 13)),
          });
        }
        break;
      }
    }
    return found.sort((a, b) => a.dueOn - b.dueOn).slice(0, limit);
  }

  async dequeue(check: QueuedCheck): Promise<void> {
    await this.table
      .deleteEntity(queuePartition(check.threadId, check.messageId), queueRowKey(check))
      .catch((error: unknown) => {
        if (!isStatus(error, 404)) throw error;
      });
  }
}

function rowOf(entity: ScreeningEntity & { etag: string }): ScreeningRow {
  return {
    version: Number(entity.version),
    state: entity.state,
    since: new Date(entity.since).getTime(),
    ...(entity.categories ? { categories: entity.categories.split(',') } : {}),
    etag: entity.etag,
  };
}

function checkPartition(threadId: string): string {
  return `check-${Buffer.from(threadId).toString('base64url')}`;
}

function queuePartition(threadId: string, messageId: string): string {
  const shard = createHash('sha256').update(`${threadId}|${messageId}`).digest()[0]! % QUEUE_SHARDS;
  return `recheck-${shard}`;
}

function dueKey(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(13, '0');
}

function queueRowKey(check: Pick<QueuedCheck, 'threadId' | 'messageId' | 'dueOn'>): string {
  return `${dueKey(check.dueOn)}|${Buffer.from(check.threadId).toString('base64url')}|${check.messageId}`;
}
