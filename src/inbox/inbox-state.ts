/**
 * One user's inbox entry for one thread, and how each change moves it. Event Grid delivers at least once and in any
 * order, so every change here is idempotent and commutes with the others:
 * - per-message facts are sets keyed by message id (`others`: text/html messages from other people, `deleted`), kept
 *   only above the read mark; the unread count is derived from them (|others \ deleted|), never incremented;
 * - the read mark, the last activity and the deleted flag only move forward (max / sticky);
 * - membership and topic are last-writer-wins on the time ACS stamped (a removal wins a tie);
 * - the newest RECENT_MESSAGES messages are kept with their preview (edits win on version, deletes are sticky), so
 *   that deleting the last message shows the one before it.
 */

/** How many of the newest messages an entry keeps to show the last one after deletes. */
export const RECENT_MESSAGES = 20;

export interface MessageSummary {
  id: string;
  /** `text` or `html`. */
  type: string;
  preview: string;
  senderAcsUserId?: string;
  /** The sender's app user id; null when the identity is not one of ours; absent for the service identity. */
  senderUserId?: string | null;
  senderDisplayName?: string;
  createdOn: number;
  version: number;
  deleted?: true;
}

export interface InboxState {
  member?: { in: boolean; at: number };
  threadDeleted?: true;
  topic?: { text: string; at: number };
  /** The newest message id the user marked read (through our read-receipts endpoint). */
  readUpTo?: string;
  /** Ids above `readUpTo` of text/html messages from other people, sorted. */
  others: string[];
  /** Ids above `readUpTo` (or among `recent`) known to be deleted, sorted. */
  deleted: string[];
  /** The newest messages by id, newest first, deleted ones kept as tombstones. */
  recent: MessageSummary[];
  lastActivityOn: number;
  /** How many times the entry was written (absent on entries written before live updates existed). */
  revision?: number;
}

export type InboxChange =
  | { kind: 'message'; message: MessageSummary; fromOther: boolean }
  | { kind: 'messageDeleted'; messageId: string; createdOn?: number }
  | { kind: 'joined'; at: number; topic?: string }
  | { kind: 'left'; at: number }
  | { kind: 'topic'; text: string; at: number }
  | { kind: 'threadDeleted' }
  | { kind: 'read'; upTo: string };

export const emptyInboxState = (): InboxState => ({ others: [], deleted: [], recent: [], lastActivityOn: 0 });

/** ACS message ids are decimal numbers that grow with time; compared as numbers of any length. */
export function compareMessageIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

const COUNTED_TYPES = new Set(['text', 'html']);
export const isCountedType = (type: string): boolean => COUNTED_TYPES.has(type.toLowerCase());

export function applyInboxChange(state: InboxState, change: InboxChange): InboxState {
  if (state.threadDeleted) return state;
  switch (change.kind) {
    case 'message': {
      const { message } = change;
      if (!isCountedType(message.type)) return state;
      const unread = change.fromOther && isAboveReadMark(state, message.id);
      return {
        ...state,
        others: unread ? addId(state.others, message.id) : state.others,
        recent: upsertRecent(state.recent, { ...message, type: message.type.toLowerCase() }),
        lastActivityOn: Math.max(state.lastActivityOn, message.createdOn),
      };
    }
    case 'messageDeleted': {
      const known = state.recent.find((m) => m.id === change.messageId);
      const keepFact = isAboveReadMark(state, change.messageId) || isWithinRecent(state.recent, change.messageId);
      return {
        ...state,
        deleted: keepFact ? addId(state.deleted, change.messageId) : state.deleted,
        recent: known ? state.recent.map((m) => (m.id === change.messageId ? tombstone(m) : m)) : state.recent,
      };
    }
    case 'joined':
      return {
        ...withMembership(state, { in: true, at: change.at }),
        ...(change.topic !== undefined
          ? { topic: newerTopic(state.topic, { text: change.topic, at: change.at }) }
          : {}),
        lastActivityOn: Math.max(state.lastActivityOn, change.at),
      };
    case 'left':
      return withMembership(state, { in: false, at: change.at });
    case 'topic':
      return { ...state, topic: newerTopic(state.topic, { text: change.text, at: change.at }) };
    case 'threadDeleted':
      // Sticky: nothing later changes a deleted thread's entry, so its facts are no longer needed.
      return { ...emptyInboxState(), threadDeleted: true };
    case 'read': {
      if (!isAboveReadMark(state, change.upTo)) return state;
      const above = (id: string) => compareMessageIds(id, change.upTo) > 0;
      return {
        ...state,
        readUpTo: change.upTo,
        others: state.others.filter(above),
        deleted: state.deleted.filter((id) => above(id) || isWithinRecent(state.recent, id)),
      };
    }
  }
}

export function unreadCount(state: InboxState): number {
  const deleted = new Set(state.deleted);
  return state.others.filter((id) => !deleted.has(id)).length;
}

export function lastMessage(state: InboxState): MessageSummary | undefined {
  const deleted = new Set(state.deleted);
  return state.recent.find((m) => !m.deleted && !deleted.has(m.id));
}

export const isPresent = (state: InboxState): boolean => !state.threadDeleted && state.member?.in === true;

function isAboveReadMark(state: InboxState, id: string): boolean {
  return state.readUpTo === undefined || compareMessageIds(id, state.readUpTo) > 0;
}

function isWithinRecent(recent: MessageSummary[], id: string): boolean {
  const oldest = recent[recent.length - 1];
  return recent.length < RECENT_MESSAGES || (oldest !== undefined && compareMessageIds(id, oldest.id) >= 0);
}

function addId(ids: string[], id: string): string[] {
  if (ids.includes(id)) return ids;
  return [...ids, id].sort(compareMessageIds);
}

/**
 * What an entry keeps of a deleted message: that it existed and when, not who wrote it or what it said (a deletion,
 * or a sender's erasure, leaves no copy in other people's inboxes).
 */
function tombstone(message: MessageSummary): MessageSummary {
  return {
    id: message.id,
    type: message.type,
    preview: '',
    createdOn: message.createdOn,
    version: message.version,
    deleted: true,
  };
}

function upsertRecent(recent: MessageSummary[], message: MessageSummary): MessageSummary[] {
  const existing = recent.find((m) => m.id === message.id);
  let next: MessageSummary[];
  if (existing) {
    const newer = message.version > existing.version ? message : existing;
    const merged = existing.deleted || message.deleted ? tombstone(newer) : newer;
    next = recent.map((m) => (m.id === message.id ? merged : m));
  } else {
    next = [...recent, message].sort((a, b) => compareMessageIds(b.id, a.id));
  }
  return next.slice(0, RECENT_MESSAGES);
}

function withMembership(state: InboxState, member: { in: boolean; at: number }): InboxState {
  const current = state.member;
  if (current && (current.at > member.at || (current.at === member.at && !current.in))) return state;
  return { ...state, member };
}

function newerTopic(current: InboxState['topic'], candidate: { text: string; at: number }): InboxState['topic'] {
  if (!current) return candidate;
  if (candidate.at > current.at || (candidate.at === current.at && candidate.text > current.text)) return candidate;
  return current;
}
