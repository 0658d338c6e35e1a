import { MessageIdSource, newThreadId, newUserId } from './ids';

/** In-memory state of one emulated ACS resource, with the indexes the routes need (no per-request scans). */

export type RetentionPolicy = { kind: 'none' } | { kind: 'threadCreationDate'; deleteThreadAfterDays: number };
export type MessageType = 'text' | 'html' | 'topicUpdated' | 'participantAdded' | 'participantRemoved';
export type Metadata = Record<string, string>;

export interface IdentityRecord {
  id: string;
  createdOn: number;
  deletedOn?: number;
  /** Tokens with `iat` below this (seconds) are revoked. */
  revokedBeforeSec?: number;
}

export interface ParticipantRecord {
  id: string;
  displayName?: string;
  /** ms since epoch; 0 = the whole history. */
  shareHistoryTime: number;
  metadata?: Metadata;
}

export interface MessageRecord {
  id: string;
  type: MessageType;
  sequenceId: number;
  version: string;
  createdOn: number;
  senderId?: string;
  senderDisplayName?: string;
  message?: string;
  topic?: string;
  participants?: ParticipantRecord[];
  initiatorId?: string;
  metadata?: Metadata;
  editedOn?: number;
  deletedOn?: number;
}

export interface ReadReceiptRecord {
  userId: string;
  messageId: string;
  readOn: number;
}

export interface ThreadRecord {
  id: string;
  topic: string;
  createdOn: number;
  createdBy: string;
  deletedOn?: number;
  metadata?: Metadata;
  retentionPolicy?: RetentionPolicy;
  lastMessageReceivedOn: number;
  participants: Map<string, ParticipantRecord>;
  /** In sequence order; message n has sequenceId n + 1. Deleted messages stay (with deletedOn). */
  messages: MessageRecord[];
  messageIndex: Map<string, MessageRecord>;
  /** Latest receipt per user, in the order users first sent one. */
  readReceipts: Map<string, ReadReceiptRecord>;
}

export interface CreateThreadOutcome {
  threadId: string;
  invalidParticipants: { target: string; code: string; message: string }[];
}

interface Snapshot {
  v: 1;
  lastMessageId: string;
  identities: IdentityRecord[];
  threads: (Omit<ThreadRecord, 'participants' | 'messageIndex' | 'readReceipts'> & {
    participants: ParticipantRecord[];
    readReceipts: ReadReceiptRecord[];
  })[];
  repeatability: [string, CreateThreadOutcome][];
}

const DAY_MS = 86_400_000;

export class Store {
  identities = new Map<string, IdentityRecord>();
  threads = new Map<string, ThreadRecord>();
  /** userId -> ids of threads the user currently participates in. */
  userThreads = new Map<string, Set<string>>();
  /** `${callerId}\n${repeatability-request-id}` -> outcome of the first request. */
  repeatability = new Map<string, CreateThreadOutcome>();
  private ids = new MessageIdSource();
  onChange: () => void = () => undefined;
  /** Called when ACS itself deletes a thread (retention policy), so its events can be published. */
  onRetentionDelete: (t: ThreadRecord) => void = () => undefined;

  constructor(readonly resourceId: string) {}

  reset(): void {
    this.identities.clear();
    this.threads.clear();
    this.userThreads.clear();
    this.repeatability.clear();
    this.changed();
  }

  changed(): void {
    this.onChange();
  }

  nextMessageId(now: number): string {
    return this.ids.next(now);
  }

  // ---- identities ----

  createIdentity(now: number): IdentityRecord {
    const rec: IdentityRecord = { id: newUserId(this.resourceId), createdOn: now };
    this.identities.set(rec.id, rec);
    this.changed();
    return rec;
  }

  /** A live identity of this resource, or undefined. */
  liveIdentity(id: string): IdentityRecord | undefined {
    const rec = this.identities.get(id);
    return rec && rec.deletedOn === undefined ? rec : undefined;
  }

  // ---- threads ----

  /** A thread that exists and is not deleted; applies retention lazily. */
  liveThread(id: string, now: number): ThreadRecord | undefined {
    const t = this.threads.get(id);
    if (!t || t.deletedOn !== undefined) return undefined;
    const rp = t.retentionPolicy;
    if (rp?.kind === 'threadCreationDate' && t.createdOn + rp.deleteThreadAfterDays * DAY_MS <= now) {
      this.deleteThread(t, t.createdOn + rp.deleteThreadAfterDays * DAY_MS);
      this.onRetentionDelete(t);
      return undefined;
    }
    return t;
  }

  createThread(
    creator: string,
    topic: string,
    now: number,
    metadata?: Metadata,
    retentionPolicy?: RetentionPolicy,
  ): ThreadRecord {
    const t: ThreadRecord = {
      id: newThreadId(),
      topic,
      createdOn: now,
      createdBy: creator,
      lastMessageReceivedOn: now,
      participants: new Map(),
      messages: [],
      messageIndex: new Map(),
      readReceipts: new Map(),
    };
    if (metadata) t.metadata = metadata;
    if (retentionPolicy) t.retentionPolicy = retentionPolicy;
    this.threads.set(t.id, t);
    this.changed();
    return t;
  }

  deleteThread(t: ThreadRecord, now: number): void {
    t.deletedOn = now;
    for (const p of t.participants.keys()) this.userThreads.get(p)?.delete(t.id);
    this.changed();
  }

  /** Adds or updates participants; returns the ones that were not already there. */
  upsertParticipants(t: ThreadRecord, list: ParticipantRecord[]): ParticipantRecord[] {
    const added: ParticipantRecord[] = [];
    for (const p of list) {
      // The contract (chat-2025-03-15.json, AddChatParticipants): "If participants already exist, no change occurs."
      // Their shareHistoryTime and display name stay as they are.
      if (t.participants.has(p.id)) continue;
      added.push(p);
      t.participants.set(p.id, p);
      let set = this.userThreads.get(p.id);
      if (!set) this.userThreads.set(p.id, (set = new Set()));
      set.add(t.id);
    }
    this.changed();
    return added;
  }

  removeParticipant(t: ThreadRecord, id: string): ParticipantRecord | undefined {
    const p = t.participants.get(id);
    if (!p) return undefined;
    t.participants.delete(id);
    this.userThreads.get(id)?.delete(t.id);
    t.readReceipts.delete(id);
    this.changed();
    return p;
  }

  appendMessage(
    t: ThreadRecord,
    m: Omit<MessageRecord, 'id' | 'sequenceId' | 'version' | 'createdOn'>,
    now: number,
  ): MessageRecord {
    const id = this.nextMessageId(now);
    const rec: MessageRecord = { ...m, id, sequenceId: t.messages.length + 1, version: id, createdOn: now };
    t.messages.push(rec);
    t.messageIndex.set(id, rec);
    t.lastMessageReceivedOn = now;
    this.changed();
    return rec;
  }

  // ---- persistence ----

  snapshot(): Snapshot {
    return {
      v: 1,
      lastMessageId: this.ids.current(),
      identities: [...this.identities.values()],
      threads: [...this.threads.values()].map(({ participants, messageIndex: _index, readReceipts, ...rest }) => ({
        ...rest,
        participants: [...participants.values()],
        readReceipts: [...readReceipts.values()],
      })),
      repeatability: [...this.repeatability.entries()],
    };
  }

  restore(data: unknown): void {
    const s = data as Snapshot;
    if (s?.v !== 1) return;
    this.ids.observe(s.lastMessageId);
    for (const i of s.identities) this.identities.set(i.id, i);
    for (const raw of s.threads) {
      const t: ThreadRecord = {
        ...raw,
        participants: new Map(raw.participants.map((p) => [p.id, p])),
        messageIndex: new Map(raw.messages.map((m) => [m.id, m])),
        readReceipts: new Map(raw.readReceipts.map((r) => [r.userId, r])),
      };
      this.threads.set(t.id, t);
      if (t.deletedOn !== undefined) continue;
      for (const p of t.participants.keys()) {
        let set = this.userThreads.get(p);
        if (!set) this.userThreads.set(p, (set = new Set()));
        set.add(t.id);
      }
    }
    for (const [k, v] of s.repeatability) this.repeatability.set(k, v);
  }
}
