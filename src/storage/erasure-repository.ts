import type { TableClient } from '@azure/data-tables';

import { isConflict, isNotFound } from './errors';
import { deleteUnchanged, expiredKeysPage, type ExpiredPage, type ExpiredRow, odataDate } from './expiry';
import { odataString } from './keys';

/**
 * Erasures (table `<prefix>Erasures`): one row per erased user (partition `erasure-<user hash>`), and while it runs an
 * entry in a queue partition (RowKey `<requested ISO>|<user hash>`) that the timer drains oldest first. While running,
 * the row holds the user's ids (`subject`) and the progress; once finished it keeps only the hash, when, who asked and
 * the counts.
 */

export interface ErasureSubject {
  userId: string;
  acsUserId?: string;
}

export interface ErasureRecord {
  erasureId: string;
  userHash: string;
  requestedBy: 'self' | 'admin';
  requestedOn: Date;
  deleteMessages: boolean;
  /** Present while running. */
  subject?: ErasureSubject;
  /** Steps done, in order. */
  done: string[];
  counts: Record<string, number>;
  /** Where the current step stopped (a step's own cursor), while running. */
  cursor?: string;
  /** No work before this (ms): a 429's Retry-After. */
  notBefore?: number;
  /** Another run holds it until then (ms). */
  leaseUntil?: number;
  finishedOn?: Date;
}

interface ErasureEntity {
  partitionKey: string;
  rowKey: string;
  erasureId: string;
  userHash: string;
  requestedBy: string;
  requestedOn: Date;
  deleteMessages: boolean;
  subject?: string;
  done: string;
  counts: string;
  cursor?: string;
  notBefore?: number;
  leaseUntil?: number;
  finishedOn?: Date;
}

const ROW = 'erasure';
const QUEUE = 'queue';

export class ErasureRepository {
  constructor(private readonly table: TableClient) {}

  /** Finished erasure records older than `before` (ms), for retention: a resumable cross-partition query. */
  async finishedBefore(before: number, maxPageSize: number, continuation?: string): Promise<ExpiredPage> {
    return expiredKeysPage(
      this.table,
      `RowKey eq '${ROW}' and finishedOn lt ${odataDate(before)}`,
      maxPageSize,
      continuation,
    );
  }

  async deleteExpired(row: ExpiredRow): Promise<boolean> {
    return deleteUnchanged(this.table, row);
  }

  async get(userHash: string): Promise<{ record: ErasureRecord; etag: string } | undefined> {
    try {
      const entity = await this.table.getEntity<ErasureEntity>(partition(userHash), ROW);
      return { record: fromEntity(entity), etag: entity.etag };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Records a new erasure and queues it: the queue entry first (an entry without its record is dropped by the timer),
   * then the record, inserted, or replacing a finished one (`etag`). 'lost' when another request recorded one first.
   */
  async start(record: ErasureRecord, replacing?: string): Promise<'started' | 'lost'> {
    await this.table.upsertEntity({ ...queueKey(record), userHash: record.userHash }, 'Replace');
    try {
      if (replacing) await this.table.updateEntity(toEntity(record), 'Replace', { etag: replacing });
      else await this.table.createEntity(toEntity(record));
      return 'started';
    } catch (error) {
      if (isConflict(error) || isStatusPrecondition(error)) return 'lost';
      throw error;
    }
  }

  /** Replaces the record if unchanged since `etag`; the new etag, or undefined when someone else changed it. */
  async save(record: ErasureRecord, etag: string): Promise<string | undefined> {
    try {
      const response = await this.table.updateEntity(toEntity(record), 'Replace', { etag });
      return response.etag;
    } catch (error) {
      if (isStatusPrecondition(error)) return undefined;
      throw error;
    }
  }

  /** The user hashes of up to `limit` queued erasures, oldest request first. */
  async queued(limit: number): Promise<string[]> {
    const page = await this.table
      .listEntities<{ userHash: string }>({ queryOptions: { filter: `PartitionKey eq ${odataString(QUEUE)}` } })
      .byPage({ maxPageSize: limit })
      .next();
    return page.done ? [] : page.value.map((entity) => entity.userHash);
  }

  async dequeue(record: Pick<ErasureRecord, 'requestedOn' | 'userHash'>): Promise<void> {
    const key = queueKey(record);
    await this.table.deleteEntity(key.partitionKey, key.rowKey).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }
}

function isStatusPrecondition(error: unknown): boolean {
  return (error as { statusCode?: number } | undefined)?.statusCode === 412;
}

function partition(userHash: string): string {
  return `erasure-${userHash}`;
}

function queueKey(record: Pick<ErasureRecord, 'requestedOn' | 'userHash'>): { partitionKey: string; rowKey: string } {
  return { partitionKey: QUEUE, rowKey: `${record.requestedOn.toISOString()}|${record.userHash}` };
}

function toEntity(record: ErasureRecord): ErasureEntity {
  return {
    partitionKey: partition(record.userHash),
    rowKey: ROW,
    erasureId: record.erasureId,
    userHash: record.userHash,
    requestedBy: record.requestedBy,
    requestedOn: record.requestedOn,
    deleteMessages: record.deleteMessages,
    ...(record.subject ? { subject: JSON.stringify(record.subject) } : {}),
    done: JSON.stringify(record.done),
    counts: JSON.stringify(record.counts),
    ...(record.cursor !== undefined ? { cursor: record.cursor } : {}),
    ...(record.notBefore !== undefined ? { notBefore: record.notBefore } : {}),
    ...(record.leaseUntil !== undefined ? { leaseUntil: record.leaseUntil } : {}),
    ...(record.finishedOn ? { finishedOn: record.finishedOn } : {}),
  };
}

function fromEntity(entity: ErasureEntity): ErasureRecord {
  return {
    erasureId: entity.erasureId,
    userHash: entity.userHash,
    requestedBy: entity.requestedBy === 'admin' ? 'admin' : 'self',
    requestedOn: new Date(entity.requestedOn),
    deleteMessages: Boolean(entity.deleteMessages),
    ...(entity.subject ? { subject: JSON.parse(entity.subject) as ErasureSubject } : {}),
    done: JSON.parse(entity.done) as string[],
    counts: JSON.parse(entity.counts) as Record<string, number>,
    ...(entity.cursor !== undefined ? { cursor: entity.cursor } : {}),
    ...(entity.notBefore !== undefined ? { notBefore: Number(entity.notBefore) } : {}),
    ...(entity.leaseUntil !== undefined ? { leaseUntil: Number(entity.leaseUntil) } : {}),
    ...(entity.finishedOn ? { finishedOn: new Date(entity.finishedOn) } : {}),
  };
}
