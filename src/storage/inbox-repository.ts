import type { TableClient } from '@azure/data-tables';

import {
  emptyInboxState,
  type InboxState,
  isPresent,
  lastMessage,
  type MessageSummary,
  unreadCount,
} from '../inbox/inbox-state';
import { afterRace, MAX_WRITE_ATTEMPTS } from './contention';
import { isConflict, isNotFound, isPreconditionFailed } from './errors';
import { deleteUnchanged, type ExpiredPage, type ExpiredRow, expiredRowOf, odataDate, queryPage } from './expiry';
import { odataString } from './keys';

/**
 * Inbox entries (table `<prefix>Inbox`): one partition per ACS user, one row per thread (RowKey = thread id). A row
 * holds the entry's whole state (JSON, split over string properties under Tables' 64 KiB limit) and the columns the
 * API reads, derived from that state on every write: `present`, `topic`, `unreadCount`, `lastActivityOn`,
 * `lastMessage`. A change is one read and one write conditional on the ETag read (or an insert), retried on a race.
 * Thread topics as ACS last stamped them live in partition `thread|<threadId>` for people who are added later (the
 * event telling them carries no topic). `writtenOn` (the backend's clock at the write) dates an entry that is no longer
 * present, for retention.
 */

const STATE_CHUNK_CHARS = 30_000;
/** 15 chunks of 30,000 UTF-16 characters stay under Tables' 1 MiB entity limit. */
const MAX_STATE_CHUNKS = 15;
const TOPIC_ROW = 'topic';

export interface InboxRow {
  threadId: string;
  topic: string;
  unreadCount: number;
  lastActivityOn: Date;
  lastMessage?: MessageSummary;
}

interface EntryEntity {
  partitionKey: string;
  rowKey: string;
  present: boolean;
  topic: string;
  unreadCount: number;
  lastActivityOn: Date;
  lastMessage?: string;
  stateChunks: number;
  writtenOn?: Date;
  [chunk: `state${number}`]: string;
}

interface TopicEntity {
  partitionKey: string;
  rowKey: string;
  text: string;
  at: number;
}

export class InboxStateTooLargeError extends Error {
  constructor(threadId: string) {
    super(`inbox state of thread ${threadId} exceeds the Tables entity limit`);
  }
}

export type InboxWrite = 'written' | 'unchanged';

/** What an update did, and the entry as it now stands (live updates show it to its user). */
export interface InboxUpdateResult {
  outcome: InboxWrite;
  state: InboxState;
  /** The entry as it was before this write (absent when it did not exist). */
  previous?: InboxState;
}

/** An inbox row retention may delete: an entry no longer present, or a thread's topic row. */
export type InboxLeftover = ExpiredRow &
  ({ kind: 'entry'; writtenOn?: number } | { kind: 'topic'; threadId: string; at: number });

export class InboxRepository {
  constructor(
    private readonly table: TableClient,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Applies `change` to an entry: one read and at most one write (conditional on the ETag, or an insert when the entry
   * is new). A concurrent writer makes it read and apply again. `likelyNew` tries the insert first (one operation
   * when the entry is new; an existing entry then costs that failed insert more).
   */
  async update(
    acsUserId: string,
    threadId: string,
    change: (state: InboxState) => InboxState,
    options: { likelyNew?: boolean } = {},
  ): Promise<InboxUpdateResult> {
    if (options.likelyNew) {
      // One insert instead of a read and a write when the entry does not exist yet (someone added to a thread).
      try {
        const state = revised(emptyInboxState(), change(emptyInboxState()));
        await this.table.createEntity(toEntity(acsUserId, threadId, state, this.now()));
        return { outcome: 'written', state };
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.read(acsUserId, threadId);
      const before = current?.state ?? emptyInboxState();
      const changed = change(before);
      if (current && JSON.stringify(changed) === JSON.stringify(before)) return { outcome: 'unchanged', state: before };
      const after = revised(before, changed);
      const entity = toEntity(acsUserId, threadId, after, this.now());
      try {
        if (current) await this.table.updateEntity(entity, 'Replace', { etag: current.etag });
        else await this.table.createEntity(entity);
        return { outcome: 'written', state: after, ...(current ? { previous: before } : {}) };
      } catch (error) {
        const raced = isPreconditionFailed(error) || isConflict(error) || isNotFound(error);
        if (!raced || attempt >= MAX_WRITE_ATTEMPTS) throw error;
        await afterRace(attempt);
      }
    }
  }

  /** One Tables read. */
  async get(acsUserId: string, threadId: string): Promise<InboxState | undefined> {
    return (await this.read(acsUserId, threadId))?.state;
  }

  /** The user's present entries, in no particular order: one partition query reading only the API's columns. */
  async list(acsUserId: string): Promise<InboxRow[]> {
    const rows: InboxRow[] = [];
    const entities = this.table.listEntities<EntryEntity>({
      queryOptions: {
        filter: `PartitionKey eq ${odataString(acsUserId)} and present eq true`,
        select: ['RowKey', 'topic', 'unreadCount', 'lastActivityOn', 'lastMessage'],
      },
    });
    for await (const entity of entities) {
      rows.push({
        threadId: entity.rowKey,
        topic: entity.topic,
        unreadCount: entity.unreadCount,
        lastActivityOn: new Date(entity.lastActivityOn),
        ...(entity.lastMessage ? { lastMessage: JSON.parse(entity.lastMessage) as MessageSummary } : {}),
      });
    }
    return rows;
  }

  /** Totals over the user's present entries with unread messages: one partition query, one column. */
  async unreadTotals(acsUserId: string): Promise<{ unreadCount: number; threadsWithUnread: number }> {
    let unread = 0;
    let threads = 0;
    const entities = this.table.listEntities<Pick<EntryEntity, 'unreadCount'>>({
      queryOptions: {
        filter: `PartitionKey eq ${odataString(acsUserId)} and present eq true and unreadCount gt 0`,
        select: ['unreadCount'],
      },
    });
    for await (const entity of entities) {
      unread += entity.unreadCount;
      threads += 1;
    }
    return { unreadCount: unread, threadsWithUnread: threads };
  }

  /**
   * A page of entries no longer present and of topic rows, last written (by Tables' clock) before `before`, for
   * retention. Partitions are users and threads, so this is a filtered scan, resumable from `continuation`.
   */
  async leftoversBefore(
    before: number,
    maxPageSize: number,
    continuation?: string,
  ): Promise<ExpiredPage<InboxLeftover>> {
    const page = await queryPage<Partial<EntryEntity & TopicEntity>>(
      this.table,
      `(present eq false or RowKey eq '${TOPIC_ROW}') and Timestamp lt ${odataDate(before)}`,
      ['PartitionKey', 'RowKey', 'writtenOn', 'at'],
      maxPageSize,
      continuation,
    );
    const rows = page.entities.map((entity): InboxLeftover => {
      const row = expiredRowOf(entity);
      if (row.rowKey === TOPIC_ROW && row.partitionKey.startsWith(TOPIC_PREFIX))
        return {
          ...row,
          kind: 'topic',
          threadId: row.partitionKey.slice(TOPIC_PREFIX.length),
          at: Number(entity.at ?? 0),
        };
      return {
        ...row,
        kind: 'entry',
        ...(entity.writtenOn ? { writtenOn: new Date(entity.writtenOn).getTime() } : {}),
      };
    });
    return { rows, ...(page.continuation ? { continuation: page.continuation } : {}) };
  }

  async deleteExpired(row: ExpiredRow): Promise<boolean> {
    return deleteUnchanged(this.table, row);
  }

  /** One Tables read. */
  async topic(threadId: string): Promise<{ text: string; at: number } | undefined> {
    try {
      const entity = await this.table.getEntity<TopicEntity>(topicPartition(threadId), TOPIC_ROW);
      return { text: entity.text, at: entity.at };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Keeps the newest topic ACS stamped: one read and at most one conditional write. */
  async recordTopic(threadId: string, topic: { text: string; at: number }): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      let etag: string | undefined;
      try {
        const entity = await this.table.getEntity<TopicEntity>(topicPartition(threadId), TOPIC_ROW);
        if (entity.at > topic.at || (entity.at === topic.at && entity.text >= topic.text)) return;
        etag = entity.etag;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      const entity: TopicEntity = { partitionKey: topicPartition(threadId), rowKey: TOPIC_ROW, ...topic };
      try {
        if (etag) await this.table.updateEntity(entity, 'Replace', { etag });
        else await this.table.createEntity(entity);
        return;
      } catch (error) {
        const raced = isPreconditionFailed(error) || isConflict(error) || isNotFound(error);
        if (!raced || attempt >= MAX_WRITE_ATTEMPTS) throw error;
        await afterRace(attempt);
      }
    }
  }

  private async read(acsUserId: string, threadId: string): Promise<{ state: InboxState; etag: string } | undefined> {
    try {
      const entity = await this.table.getEntity<EntryEntity>(acsUserId, threadId);
      let json = '';
      for (let chunk = 0; chunk < entity.stateChunks; chunk += 1) json += entity[`state${chunk}`] ?? '';
      return { state: JSON.parse(json) as InboxState, etag: entity.etag };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

/**
 * Every write moves the revision on by one. Writes are conditional on the ETag, so revisions of one entry never repeat:
 * a client that receives entries out of order keeps the one with the highest.
 */
function revised(before: InboxState, after: InboxState): InboxState {
  return { ...after, revision: (before.revision ?? 0) + 1 };
}

function toEntity(acsUserId: string, threadId: string, state: InboxState, now: number): EntryEntity {
  const pieces = chunksOf(JSON.stringify(state));
  if (pieces.length > MAX_STATE_CHUNKS) throw new InboxStateTooLargeError(threadId);
  const last = lastMessage(state);
  const entity: EntryEntity = {
    partitionKey: acsUserId,
    rowKey: threadId,
    present: isPresent(state),
    topic: state.topic?.text ?? '',
    unreadCount: unreadCount(state),
    lastActivityOn: new Date(state.lastActivityOn),
    ...(last ? { lastMessage: JSON.stringify(last) } : {}),
    stateChunks: pieces.length,
    writtenOn: new Date(now),
  };
  pieces.forEach((piece, chunk) => (entity[`state${chunk}`] = piece));
  return entity;
}

/** Pieces of at most STATE_CHUNK_CHARS UTF-16 units that never split a surrogate pair. */
function chunksOf(json: string): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < json.length || pieces.length === 0;) {
    let end = Math.min(start + STATE_CHUNK_CHARS, json.length);
    if (end < json.length && /[\uD800-\uDBFF]/.test(json.charAt(end - 1))) end -= 1;
    pieces.push(json.slice(start, end));
    start = end;
  }
  return pieces;
}

const TOPIC_PREFIX = 'thread|';

function topicPartition(threadId: string): string {
  return `${TOPIC_PREFIX}${threadId}`;
}
