import type { TableClient } from '@azure/data-tables';

import { afterRace, MAX_WRITE_ATTEMPTS } from './contention';
import { isNotFound, isPreconditionFailed } from './errors';

/**
 * Thread records (table `<prefix>Threads`, one partition per thread) and the activity index
 * (table `<prefix>Activity`). The index lets pruning find idle threads by reading only the entries whose recorded
 * activity is older than the cut-off: it is sharded by thread, ordered by time inside each shard
 * (RowKey `<ISO time>|<threadId>`), and a range query per shard returns exactly the expired entries.
 *
 * Message sends update only the thread record (at most one write); the index entry keeps the activity time it
 * was written with, and pruning re-indexes a thread whose record (or, failing that, ACS) shows it still active.
 */

/** What `recordActivity` did. */
export type ActivityRecording = 'recorded' | 'recent' | 'unknownThread';

export const ACTIVITY_SHARDS = 8;

export interface ThreadRecord {
  threadId: string;
  ownerUserId: string;
  /** The owner's ACS identity, which created the thread in ACS; absent on threads the service identity created. */
  ownerAcsUserId?: string;
  createdOn: Date;
  lastActivityOn: Date;
  /** The activity time of this thread's index entry (locates the entry for moves and deletes). */
  indexedActivityOn: Date;
}

export interface ActivityEntry {
  threadId: string;
  activityOn: Date;
  /** Carried in the index so that pruning can delete a thread as its owner without reading the record. */
  ownerAcsUserId?: string;
}

interface ThreadEntity {
  partitionKey: string;
  rowKey: string;
  ownerUserId: string;
  ownerAcsUserId?: string;
  createdOn: Date;
  lastActivityOn: Date;
  indexedActivityOn: Date;
}

interface ActivityEntity {
  partitionKey: string;
  rowKey: string;
  threadId: string;
  ownerAcsUserId?: string;
}

const THREAD_ROW = 'thread';

export class ThreadRepository {
  constructor(
    private readonly threads: TableClient,
    private readonly activity: TableClient,
  ) {}

  /** One Tables read. */
  async get(threadId: string): Promise<ThreadRecord | undefined> {
    try {
      const entity = await this.threads.getEntity<ThreadEntity>(threadId, THREAD_ROW);
      return fromEntity(threadId, entity);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Records a new thread: two writes (record and index entry), both upserts, so a retried create with the same
   * ACS thread id is harmless. The index entry goes first: an entry without a record is cleaned up by pruning,
   * whereas a record without an entry would never be pruned.
   */
  async create(
    record: Pick<ThreadRecord, 'threadId' | 'ownerUserId' | 'ownerAcsUserId' | 'createdOn'>,
  ): Promise<ThreadRecord> {
    const full: ThreadRecord = { ...record, lastActivityOn: record.createdOn, indexedActivityOn: record.createdOn };
    await this.activity.upsertEntity<ActivityEntity>(
      activityEntity({
        threadId: record.threadId,
        activityOn: record.createdOn,
        ownerAcsUserId: record.ownerAcsUserId,
      }),
      'Replace',
    );
    await this.threads.upsertEntity<ThreadEntity>(
      {
        partitionKey: record.threadId,
        rowKey: THREAD_ROW,
        ownerUserId: full.ownerUserId,
        ...(full.ownerAcsUserId ? { ownerAcsUserId: full.ownerAcsUserId } : {}),
        createdOn: full.createdOn,
        lastActivityOn: full.lastActivityOn,
        indexedActivityOn: full.indexedActivityOn,
      },
      'Merge',
    );
    return full;
  }

  /** One write, no read; a thread deleted meanwhile is left alone. */
  async touch(threadId: string, activityOn: Date): Promise<void> {
    try {
      await this.threads.updateEntity(
        { partitionKey: threadId, rowKey: THREAD_ROW, lastActivityOn: activityOn },
        'Merge',
        { etag: '*' },
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /**
   * Moves the record's last activity forward to `activityOn`, unless it already shows activity within `precisionMs`
   * before it (or later: an event delivered late never moves activity back). One read and at most one write, each
   * write conditional on the record read: a deleted thread is never recreated, and a concurrent writer (another
   * instance handling a newer or older event) makes this one read again and decide afresh, so no event's activity is
   * lost to a race.
   */
  async recordActivity(threadId: string, activityOn: Date, precisionMs: number): Promise<ActivityRecording> {
    for (let attempt = 1; ; attempt += 1) {
      let entity: ThreadEntity & { etag: string };
      try {
        entity = await this.threads.getEntity<ThreadEntity>(threadId, THREAD_ROW);
      } catch (error) {
        if (isNotFound(error)) return 'unknownThread';
        throw error;
      }
      if (new Date(entity.lastActivityOn).getTime() >= activityOn.getTime() - precisionMs) return 'recent';
      try {
        await this.threads.updateEntity(
          { partitionKey: threadId, rowKey: THREAD_ROW, lastActivityOn: activityOn },
          'Merge',
          {
            etag: entity.etag,
          },
        );
        return 'recorded';
      } catch (error) {
        if (isNotFound(error)) return 'unknownThread';
        if (!isPreconditionFailed(error) || attempt >= MAX_WRITE_ATTEMPTS) throw error;
        await afterRace(attempt);
      }
    }
  }

  /** Index entries whose activity is older than `cutoff`, oldest first per shard; reads only those entries. */
  async *expired(cutoff: Date, pageSize = 100): AsyncIterable<ActivityEntry> {
    const upper = cutoff.toISOString();
    for (let shard = 0; shard < ACTIVITY_SHARDS; shard += 1) {
      const filter = `PartitionKey eq '${shardKey(shard)}' and RowKey lt '${upper}'`;
      const pages = this.activity
        .listEntities<ActivityEntity>({ queryOptions: { filter, select: ['RowKey', 'threadId', 'ownerAcsUserId'] } })
        .byPage({ maxPageSize: pageSize });
      for await (const page of pages) {
        for (const entity of page) {
          const activityOn = new Date(entity.rowKey.slice(0, entity.rowKey.indexOf('|')));
          yield {
            threadId: entity.threadId,
            activityOn,
            ...(entity.ownerAcsUserId ? { ownerAcsUserId: entity.ownerAcsUserId } : {}),
          };
        }
      }
    }
  }

  /**
   * Moves a thread's index entry to its real last activity (pruning found it still active) and records that activity.
   */
  async reindex(entry: ActivityEntry, activityOn: Date): Promise<void> {
    await this.activity.upsertEntity<ActivityEntity>(activityEntity({ ...entry, activityOn }), 'Replace');
    try {
      await this.threads.updateEntity(
        { partitionKey: entry.threadId, rowKey: THREAD_ROW, lastActivityOn: activityOn, indexedActivityOn: activityOn },
        'Merge',
        { etag: '*' },
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    await this.deleteEntry(entry);
  }

  /**
   * Removes a thread's records: the record first, the index entry last, so that an interrupted removal always
   * leaves an index entry behind for the next pruning run to finish, never a record that nothing points at.
   */
  async remove(threadId: string, indexedActivityOn?: Date): Promise<void> {
    const record = indexedActivityOn ? undefined : await this.get(threadId);
    try {
      await this.threads.deleteEntity(threadId, THREAD_ROW);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const indexed = indexedActivityOn ?? record?.indexedActivityOn;
    if (indexed) await this.deleteEntry({ threadId, activityOn: indexed });
  }

  /**
   * Erasure: the thread passes to the backend. Its owner becomes `ownerUserId` (a marker no caller's user id equals,
   * so only an admin can delete it) and its index entry no longer carries the former owner's ACS identity (pruning
   * then deletes it as the service identity). Two upserts, both repeatable.
   */
  async handOver(threadId: string, indexedActivityOn: Date, ownerUserId: string): Promise<void> {
    await this.activity.upsertEntity<ActivityEntity>(
      activityEntity({ threadId, activityOn: indexedActivityOn }),
      'Replace',
    );
    const entity = await this.threads.getEntity<ThreadEntity>(threadId, THREAD_ROW).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (!entity) return;
    await this.threads.updateEntity<ThreadEntity>(
      {
        partitionKey: threadId,
        rowKey: THREAD_ROW,
        ownerUserId,
        createdOn: entity.createdOn,
        lastActivityOn: entity.lastActivityOn,
        indexedActivityOn: entity.indexedActivityOn,
      },
      'Replace',
      { etag: entity.etag },
    );
  }

  async deleteEntry(entry: ActivityEntry): Promise<void> {
    const entity = activityEntity(entry);
    try {
      await this.activity.deleteEntity(entity.partitionKey, entity.rowKey);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

function fromEntity(threadId: string, entity: ThreadEntity): ThreadRecord {
  return {
    threadId,
    ownerUserId: entity.ownerUserId,
    ...(entity.ownerAcsUserId ? { ownerAcsUserId: entity.ownerAcsUserId } : {}),
    createdOn: new Date(entity.createdOn),
    lastActivityOn: new Date(entity.lastActivityOn),
    indexedActivityOn: new Date(entity.indexedActivityOn),
  };
}

function activityEntity({ threadId, activityOn, ownerAcsUserId }: ActivityEntry): ActivityEntity {
  return {
    partitionKey: shardKey(shardOf(threadId)),
    rowKey: `${activityOn.toISOString()}|${threadId}`,
    threadId,
    ...(ownerAcsUserId ? { ownerAcsUserId } : {}),
  };
}

function shardKey(shard: number): string {
  return `s${shard}`;
}

function shardOf(threadId: string): number {
  let hash = 0;
  for (const char of threadId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % ACTIVITY_SHARDS;
}
