import { createHash } from 'node:crypto';

import type { TableClient } from '@azure/data-tables';

import { isNotFound, isStatus } from './errors';
import { odataString } from './keys';

/**
 * Uploads and the messages that carry them (table `<prefix>Attachments`), in three kinds of rows:
 * - the upload itself, one partition per attachment id (point reads and writes spread over every partition);
 * - while unclaimed, an entry in a sharded due index (RowKey `<ISO created>|<id>`), so a sweep reads exactly the
 *   uploads older than its cut-off, oldest first, and never scans;
 * - once claimed, an entry in its thread's partition (RowKey = attachment id, with the message id), so a deleted
 *   message or thread finds its files with one partition query.
 */

export interface AttachmentRecord {
  attachmentId: string;
  threadId: string;
  /** App user id of the uploader: only they may attach it to a message. */
  uploader: string;
  name: string;
  contentType: string;
  declaredSize: number;
  createdOn: Date;
  /** Set once a message carries it. */
  messageId?: string;
}

/** An unclaimed upload's entry in the due index. */
export interface PendingUpload {
  attachmentId: string;
  createdOn: Date;
  partitionKey: string;
  rowKey: string;
}

type UploadEntity = Omit<AttachmentRecord, 'attachmentId'> & { partitionKey: string; rowKey: string };

interface ThreadFileEntity {
  partitionKey: string;
  rowKey: string;
  messageId: string;
}

const UPLOAD_ROW = 'upload';
export const PENDING_SHARDS = 8;

export class AttachmentRepository {
  constructor(private readonly table: TableClient) {}

  /** Two inserts: the upload and its due-index entry. */
  async create(record: AttachmentRecord): Promise<void> {
    await this.table.createEntity<UploadEntity>({
      partitionKey: record.attachmentId,
      rowKey: UPLOAD_ROW,
      threadId: record.threadId,
      uploader: record.uploader,
      name: record.name,
      contentType: record.contentType,
      declaredSize: record.declaredSize,
      createdOn: record.createdOn,
    });
    await this.table.createEntity(pendingKeys(record.attachmentId, record.createdOn));
  }

  async get(attachmentId: string): Promise<AttachmentRecord | undefined> {
    try {
      const entity = await this.table.getEntity<UploadEntity>(attachmentId, UPLOAD_ROW);
      return {
        attachmentId,
        threadId: entity.threadId,
        uploader: entity.uploader,
        name: entity.name,
        contentType: entity.contentType,
        declaredSize: entity.declaredSize,
        createdOn: new Date(entity.createdOn),
        ...(entity.messageId ? { messageId: entity.messageId } : {}),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Records that `messageId` carries the upload: its thread entry first (so that deleting the thread or message finds
   * it from now on), then the upload, then its due-index entry goes (so the sweep leaves it alone).
   */
  async claim(record: AttachmentRecord, messageId: string): Promise<void> {
    await this.table.upsertEntity<ThreadFileEntity>(
      { partitionKey: threadPartition(record.threadId), rowKey: record.attachmentId, messageId },
      'Replace',
    );
    await this.table.updateEntity({ partitionKey: record.attachmentId, rowKey: UPLOAD_ROW, messageId }, 'Merge');
    const pending = pendingKeys(record.attachmentId, record.createdOn);
    await this.deleteQuietly(pending.partitionKey, pending.rowKey);
  }

  /** The ids of the files of a thread's messages (all of them, or only those of `messageId`). */
  async *claimedIn(threadId: string, messageId?: string): AsyncIterable<string> {
    const partition = `PartitionKey eq ${odataString(threadPartition(threadId))}`;
    const filter = messageId ? `${partition} and messageId eq ${odataString(messageId)}` : partition;
    for await (const entity of this.table.listEntities<ThreadFileEntity>({
      queryOptions: { filter, select: ['RowKey'] },
    }))
      yield entity.rowKey;
  }

  /** Uploads still unclaimed that were created before `cutoff`, oldest first per shard. */
  async *pendingBefore(cutoff: Date, pageSize = 100): AsyncIterable<PendingUpload> {
    const upper = `${cutoff.toISOString()}|`;
    for (let shard = 0; shard < PENDING_SHARDS; shard += 1) {
      const filter = `PartitionKey eq '${pendingPartition(shard)}' and RowKey lt ${odataString(upper)}`;
      const pages = this.table
        .listEntities<{ partitionKey: string; rowKey: string }>({ queryOptions: { filter } })
        .byPage({ maxPageSize: pageSize });
      for await (const page of pages)
        for (const { partitionKey, rowKey } of page) {
          const [created, attachmentId] = rowKey.split('|');
          if (!created || !attachmentId) continue;
          yield { attachmentId, createdOn: new Date(created), partitionKey, rowKey };
        }
    }
  }

  /** Forgets an upload: its thread entry, due-index entry and record (each absent one is fine). */
  async remove(record: Pick<AttachmentRecord, 'attachmentId' | 'threadId' | 'createdOn'>): Promise<void> {
    await this.deleteQuietly(threadPartition(record.threadId), record.attachmentId);
    const pending = pendingKeys(record.attachmentId, record.createdOn);
    await this.deleteQuietly(pending.partitionKey, pending.rowKey);
    await this.deleteQuietly(record.attachmentId, UPLOAD_ROW);
  }

  /** Erasure: up to `limit` uploads `uploader` made (a filtered scan of the upload rows). */
  async uploadsBy(uploader: string, limit: number): Promise<AttachmentRecord[]> {
    const filter = `RowKey eq '${UPLOAD_ROW}' and uploader eq ${odataString(uploader)}`;
    const found: AttachmentRecord[] = [];
    const pages = this.table.listEntities<UploadEntity>({ queryOptions: { filter } }).byPage({ maxPageSize: limit });
    for await (const page of pages) {
      for (const entity of page) {
        found.push({
          attachmentId: entity.partitionKey,
          threadId: entity.threadId,
          uploader: entity.uploader,
          name: entity.name,
          contentType: entity.contentType,
          declaredSize: entity.declaredSize,
          createdOn: new Date(entity.createdOn),
        });
      }
      if (found.length >= limit) break;
    }
    return found.slice(0, limit);
  }

  /** A due-index entry whose upload is gone already. */
  async removePending(entry: PendingUpload): Promise<void> {
    await this.deleteQuietly(entry.partitionKey, entry.rowKey);
  }

  private async deleteQuietly(partitionKey: string, rowKey: string): Promise<void> {
    await this.table.deleteEntity(partitionKey, rowKey).catch((error: unknown) => {
      if (!isStatus(error, 404)) throw error;
    });
  }
}

function pendingKeys(attachmentId: string, createdOn: Date): { partitionKey: string; rowKey: string } {
  return {
    partitionKey: pendingPartition(shardOf(attachmentId)),
    rowKey: `${createdOn.toISOString()}|${attachmentId}`,
  };
}

function pendingPartition(shard: number): string {
  return `pending-${shard}`;
}

/** Thread ids hold characters Table keys forbid nowhere, but their hash keeps every key short and uniform. */
export function threadKey(threadId: string): string {
  return createHash('sha256').update(threadId).digest('hex').slice(0, 32);
}

function threadPartition(threadId: string): string {
  return `thread-${threadKey(threadId)}`;
}

function shardOf(attachmentId: string): number {
  return (createHash('sha256').update(attachmentId).digest()[0] ?? 0) % PENDING_SHARDS;
}
