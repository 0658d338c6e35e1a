import { createHmac, randomUUID } from 'node:crypto';

import type { ChatClient } from '@azure/communication-chat';
import type { CommunicationIdentityClient } from '@azure/communication-identity';
import type { InvocationContext } from '@azure/functions';

import type { BlobFiles } from '../attachments/blob-files';
import type { AcsChat } from '../chat/acs-chat';
import { onePage } from '../chat/paging';
import { rawId } from '../chat/people';
import type { ThreadService } from '../chat/thread-service';
import { ThrottledError } from '../errors';
import type { ActingTokens } from '../identity/acting-tokens';
import type { IdentityService } from '../identity/identity-service';
import type { InboxState } from '../inbox/inbox-state';
import { describeError } from '../logging';
import { type AttachmentRepository, threadKey } from '../storage/attachment-repository';
import { deleteWhere, partitionPrefix } from '../storage/bulk-delete';
import type { ErasureRecord, ErasureRepository } from '../storage/erasure-repository';
import { isStatus } from '../storage/errors';
import type { IdempotencyRepository } from '../storage/idempotency-repository';
import { forgetUserRows } from '../storage/identity-repository';
import type { InboxRepository } from '../storage/inbox-repository';
import { odataString, userKey } from '../storage/keys';
import type { ModerationRepository, ReportRepository } from '../storage/moderation-repository';
import { forgetNotifications } from '../storage/notification-repository';
import type { TableClients } from '../storage/table-clients';
import type { ThreadRepository } from '../storage/thread-repository';
import { count } from '../telemetry/instruments';
import type { ThrottledRestError } from '../upstream-throttling';
import { type ErasureView, type Step, STEPS } from './erasure-schemas';

/** The owner of threads handed to the backend: no caller's user id is empty, so only an admin can delete them. */
export const BACKEND_OWNER = '';
/** What a kept report says instead of its erased reporter. */
export const ERASED_REPORTER = '';

export interface ErasureDependencies {
  erasures: ErasureRepository;
  /** The key that hashes user ids in erasure records (so that the record does not name the user). */
  hashKey: () => Promise<Buffer>;
  identity: IdentityService;
  identityClient: CommunicationIdentityClient;
  actingTokens: ActingTokens;
  acs: AcsChat;
  threadRecords: ThreadRepository;
  threads: ThreadService;
  tables: Pick<TableClients, 'identities' | 'inbox' | 'usage' | 'notifications'>;
  requests: IdempotencyRepository;
  attachments: AttachmentRepository;
  files?: BlobFiles;
  reports: ReportRepository;
  moderation: ModerationRepository;
  /** The other participants' inbox entries, from which the erased user's name and ids are removed. */
  inboxes: InboxRepository;
  /**
   * Shuts the user out while their erasure runs (a ban row, not audited: every route refuses them, their tokens are
   * revoked, their live connections closed); the erasure's last step deletes that row.
   */
  shutOut?: (userId: string, reason: string) => Promise<void>;
  now: () => number;
}

export interface ErasureLimits {
  /** ACS calls one erasure may make per run. */
  acsCallsPerRun: number;
  /** Tables rows one step deletes per call. */
  rowsPerCall: number;
  /** How long a run holds an erasure (ms) before another run may take it over. */
  leaseMs: number;
}

const DEFAULT_LIMITS: ErasureLimits = { acsCallsPerRun: 200, rowsPerCall: 200, leaseMs: 5 * 60_000 };

/** This run's work on an erasure ends here (budget spent, or ACS asked us to wait); the next run goes on. */
class Pause extends Error {
  constructor(readonly retryAfterMs?: number) {
    super('paused');
  }
}

interface Run {
  record: ErasureRecord;
  etag: string;
  acsCalls: number;
  context?: InvocationContext;
}

/**
 * Erasure of a user: recorded by the request, then driven step by step by the `continueErasures` timer (and a first
 * short run right after the request). Every step is repeatable and its progress is saved after each piece of work, so
 * a failure anywhere resumes on a later run where it stopped. See README "Erasure".
 */
export class ErasureService {
  constructor(
    private readonly deps: ErasureDependencies,
    private readonly limits: ErasureLimits = DEFAULT_LIMITS,
  ) {}

  /** Records an erasure of `userId`, or joins the one already running. */
  async request(
    userId: string,
    options: { requestedBy: 'self' | 'admin'; deleteMessages: boolean },
  ): Promise<{ erasureId: string; userHash: string }> {
    const userHash = await this.hash(userId);
    for (;;) {
      const existing = await this.deps.erasures.get(userHash);
      if (existing && !existing.record.finishedOn) return { erasureId: existing.record.erasureId, userHash };
      const acsUserId = await this.deps.identity.findAcsUserId(userId);
      const record: ErasureRecord = {
        erasureId: randomUUID(),
        userHash,
        requestedBy: options.requestedBy,
        requestedOn: new Date(this.deps.now()),
        deleteMessages: options.deleteMessages,
        subject: { userId, ...(acsUserId ? { acsUserId } : {}) },
        done: [],
        counts: {},
      };
      if ((await this.deps.erasures.start(record, existing?.etag)) === 'started') {
        // Nothing new may be made while the erasure runs; the timer finishes it even if this fails.
        await this.deps.shutOut?.(userId, 'Your account is being erased.');
        count('erasures', { 'chat.erasure.step': 'requested' });
        return { erasureId: record.erasureId, userHash };
      }
    }
  }

  async status(userId: string): Promise<ErasureView | undefined> {
    const found = await this.deps.erasures.get(await this.hash(userId));
    return found ? view(found.record) : undefined;
  }

  /** Works on queued erasures, oldest first, each within its budget; one erasure's trouble never stops the others. */
  async continueAll(context?: InvocationContext, maxErasures = 20): Promise<{ worked: number; finished: number }> {
    let worked = 0;
    let finished = 0;
    for (const userHash of await this.deps.erasures.queued(maxErasures)) {
      try {
        const outcome = await this.continueOne(userHash, context);
        if (outcome !== 'skipped') worked += 1;
        if (outcome === 'finished') finished += 1;
      } catch (error) {
        context?.warn('erasure stopped for this run', { error: describeError(error) });
      }
    }
    return { worked, finished };
  }

  /** One run on one erasure. */
  async continueOne(
    userHash: string,
    context?: InvocationContext,
    acsCallsPerRun = this.limits.acsCallsPerRun,
  ): Promise<'finished' | 'paused' | 'skipped'> {
    const found = await this.deps.erasures.get(userHash);
    if (!found) return 'skipped';
    const now = this.deps.now();
    const { record } = found;
    if (record.finishedOn) {
      await this.deps.erasures.dequeue(record);
      return 'skipped';
    }
    if ((record.notBefore ?? 0) > now || (record.leaseUntil ?? 0) > now) return 'skipped';
    const etag = await this.deps.erasures.save({ ...record, leaseUntil: now + this.limits.leaseMs }, found.etag);
    if (!etag) return 'skipped';
    const run: Run = {
      record: { ...record, leaseUntil: now + this.limits.leaseMs },
      etag,
      acsCalls: acsCallsPerRun,
      ...(context ? { context } : {}),
    };
    try {
      for (const step of STEPS) {
        if (run.record.done.includes(step)) continue;
        await this.step(run, step);
        run.record = { ...run.record, done: [...run.record.done, step] };
        delete run.record.cursor;
        await this.save(run);
      }
    } catch (error) {
      const pause = asPause(error);
      if (!pause) {
        await this.release(run).catch(() => undefined);
        throw error;
      }
      if (pause.retryAfterMs !== undefined) run.record.notBefore = this.deps.now() + pause.retryAfterMs;
      await this.release(run);
      context?.log('erasure paused', { erasureId: run.record.erasureId, done: run.record.done.length });
      return 'paused';
    }
    await this.finish(run);
    count('erasures', { 'chat.erasure.step': 'completed' });
    context?.log('user erased', { erasureId: run.record.erasureId, counts: run.record.counts });
    return 'finished';
  }

  private async step(run: Run, step: Step): Promise<void> {
    const subject = run.record.subject;
    if (!subject) return;
    const { userId, acsUserId } = subject;
    const limit = this.limits.rowsPerCall;
    switch (step) {
      case 'messages':
        if (run.record.deleteMessages && acsUserId) await this.deleteMessages(run, acsUserId);
        return;
      case 'threads':
        if (acsUserId) await this.leaveThreads(run, userId, acsUserId);
        return;
      case 'attachments':
        for (;;) {
          const uploads = await this.deps.attachments.uploadsBy(userId, limit);
          for (const upload of uploads) {
            await this.deps.files?.delete(`${threadKey(upload.threadId)}/${upload.attachmentId}`);
            await this.deps.attachments.remove(upload);
            await this.count(run, 'attachments', 1);
          }
          if (uploads.length < limit) return;
        }
      case 'reports':
        for (;;) {
          const ids = await this.deps.reports.filedBy(userId, limit);
          for (const reportId of ids) {
            await this.deps.reports.forgetReporter(reportId, userId, ERASED_REPORTER);
            await this.count(run, 'reports', 1);
          }
          if (ids.length < limit) return;
        }
      case 'acsIdentity':
        if (!acsUserId) return;
        this.spend(run);
        await this.deps.identityClient
          .deleteUser({ communicationUserId: acsUserId })
          .catch((error: unknown) => {
            if (!isStatus(error, 404)) throw error;
          })
          .finally(() => this.deps.actingTokens.forget(acsUserId));
        return;
      case 'identityMapping':
        await forgetUserRows(this.deps.tables.identities, userId, acsUserId);
        return;
      case 'inbox':
        if (acsUserId)
          await this.deleteAll(run, 'inboxRows', () =>
            deleteWhere(this.deps.tables.inbox, `PartitionKey eq ${odataString(acsUserId)}`, limit),
          );
        return;
      case 'notifications':
        await this.deleteAll(run, 'notificationRows', () =>
          forgetNotifications(this.deps.tables.notifications, userId, limit),
        );
        return;
      case 'usage':
        await this.deleteAll(run, 'usageRows', () =>
          deleteWhere(this.deps.tables.usage, partitionPrefix(`${userKey(userId)}|`), limit),
        );
        return;
      case 'requests':
        await this.forgetRequests(run, [userId, ...(acsUserId ? [acsUserId] : [])]);
        return;
      case 'ban':
        await this.deps.moderation.deleteBan(userId);
        return;
    }
  }

  /** Their own messages, thread by thread, as themselves; listing again skips what is deleted already. */
  private async deleteMessages(run: Run, acsUserId: string): Promise<void> {
    let pageToken = run.record.cursor || undefined;
    for (;;) {
      const page = await this.threadsPage(run, acsUserId, pageToken);
      for (const threadId of page.threadIds) await this.deleteMessagesIn(run, acsUserId, threadId);
      if (!page.nextLink) return;
      pageToken = page.nextLink;
      run.record.cursor = pageToken;
      await this.save(run);
    }
  }

  private async deleteMessagesIn(run: Run, acsUserId: string, threadId: string): Promise<void> {
    this.spend(run);
    const mine = await this.asUser(acsUserId, async (client) => {
      const ids: string[] = [];
      for await (const message of client.getChatThreadClient(threadId).listMessages({ maxPageSize: 200 }))
        if (
          !message.deletedOn &&
          (message.type === 'text' || message.type === 'html') &&
          rawId(message.sender) === acsUserId
        )
          ids.push(message.id);
      return ids;
    });
    for (const messageId of mine) {
      this.spend(run);
      await this.asUser(acsUserId, (client) => client.getChatThreadClient(threadId).deleteMessage(messageId)).catch(
        (error: unknown) => {
          if (!isStatus(error, 404)) throw error;
        },
      );
      await this.count(run, 'messagesDeleted', 1);
    }
  }

  /**
   * Every thread they are in, from ACS as themselves: the threads they own with nobody else left are deleted, the
   * other threads they own pass to the backend, and they leave each. A thread done no longer lists, so every run
   * starts from the top.
   */
  private async leaveThreads(run: Run, userId: string, acsUserId: string): Promise<void> {
    const serviceAcsUserId = await this.deps.identity.serviceAcsUserId(run.context);
    // The list shrinks as they leave, so a continuation would skip threads: list from the start again until only
    // threads already handled in this run (if any could not be left) remain, following on past those.
    const handled = new Set<string>();
    let pageToken: string | undefined;
    for (;;) {
      const page = await this.threadsPage(run, acsUserId, pageToken);
      const fresh = page.threadIds.filter((threadId) => !handled.has(threadId));
      for (const threadId of fresh) {
        await this.leaveThread(run, userId, acsUserId, serviceAcsUserId, threadId);
        handled.add(threadId);
      }
      if (fresh.length > 0) pageToken = undefined;
      else if (page.nextLink) pageToken = page.nextLink;
      else return;
    }
  }

  private async leaveThread(
    run: Run,
    userId: string,
    acsUserId: string,
    serviceAcsUserId: string,
    threadId: string,
  ): Promise<void> {
    const record = await this.deps.threadRecords.get(threadId);
    this.spend(run);
    const others = await this.asUser(acsUserId, async (client) => {
      const found: string[] = [];
      for await (const participant of client.getChatThreadClient(threadId).listParticipants({ maxPageSize: 200 })) {
        const id = rawId(participant.id);
        if (id && id !== acsUserId && id !== serviceAcsUserId) found.push(id);
      }
      return found;
    });
    // Their name and ids leave the others' inbox entries too (the summaries of messages they sent there).
    for (const other of others)
      await this.deps.inboxes.update(other, threadId, (state) => withoutSender(state, acsUserId));
    if (record?.ownerUserId === userId) {
      if (others.length === 0) {
        this.spend(run);
        await this.deps.threads.purge(
          {
            threadId,
            activityOn: record.indexedActivityOn,
            ...(record.ownerAcsUserId ? { ownerAcsUserId: record.ownerAcsUserId } : {}),
          },
          run.context,
        );
        await this.count(run, 'threadsDeleted', 1);
        return;
      }
      await this.deps.threadRecords.handOver(threadId, record.indexedActivityOn, BACKEND_OWNER);
      await this.count(run, 'threadsHandedOver', 1);
    }
    this.spend(run);
    await this.asUser(
      acsUserId,
      (client) => client.getChatThreadClient(threadId).removeParticipant({ communicationUserId: acsUserId }),
      'chat',
    ).catch((error: unknown) => {
      if (!isStatus(error, 404)) throw error;
    });
    await this.count(run, 'threadsLeft', 1);
  }

  /** Idempotency-Key rows whose answer names them, a page per call, from where the last call stopped. */
  private async forgetRequests(run: Run, ids: string[]): Promise<void> {
    let continuation = run.record.cursor || undefined;
    for (;;) {
      const page = await this.deps.requests.forgetNaming(ids, this.limits.rowsPerCall, continuation);
      run.record.counts.requestRows = (run.record.counts.requestRows ?? 0) + page.deleted;
      if (!page.continuation) return;
      continuation = page.continuation;
      run.record.cursor = continuation;
      await this.save(run);
    }
  }

  /** One page of the threads they are in (not deleted ones), listed by ACS as themselves. */
  private async threadsPage(
    run: Run,
    acsUserId: string,
    nextLink: string | undefined,
  ): Promise<{ threadIds: string[]; nextLink?: string }> {
    this.spend(run);
    const page = await this.asUser(acsUserId, (client) =>
      onePage(client.listChatThreads({ maxPageSize: 50 }), nextLink),
    );
    return {
      threadIds: page.items.filter((thread) => !thread.deletedOn).map((thread) => thread.id),
      ...(page.nextLink ? { nextLink: page.nextLink } : {}),
    };
  }

  private async deleteAll(
    run: Run,
    counter: string,
    batch: () => Promise<{ deleted: number; more: boolean }>,
  ): Promise<void> {
    for (;;) {
      const result = await batch();
      await this.count(run, counter, result.deleted);
      if (!result.more) return;
    }
  }

  private asUser<T>(
    acsUserId: string,
    operation: (client: ChatClient) => Promise<T>,
    scope: 'chat' | 'chat.join.limited' = 'chat.join.limited',
  ): Promise<T> {
    return this.deps.acs.asUser(acsUserId, operation, scope, 'backendTask');
  }

  /** One ACS call of this run's budget; none left: pause until the next run. */
  private spend(run: Run): void {
    if (run.acsCalls <= 0) throw new Pause();
    run.acsCalls -= 1;
  }

  /** Counts work done and saves the progress with it, so that a later run neither repeats nor miscounts it. */
  private async count(run: Run, counter: string, amount: number): Promise<void> {
    if (amount === 0) return;
    run.record.counts[counter] = (run.record.counts[counter] ?? 0) + amount;
    await this.save(run);
  }

  private async save(run: Run): Promise<void> {
    const etag = await this.deps.erasures.save(run.record, run.etag);
    // Someone else took it over (an expired lease): leave it to them.
    if (!etag) throw new Pause();
    run.etag = etag;
  }

  private async release(run: Run): Promise<void> {
    const { leaseUntil: _lease, ...rest } = run.record;
    run.record = rest;
    await this.save(run);
  }

  /** The minimal record stays: the hash, when, who asked, the counts. */
  private async finish(run: Run): Promise<void> {
    if (run.record.subject) this.deps.identity.forgetUser(run.record.subject.userId);
    const { subject: _subject, cursor: _cursor, leaseUntil: _lease, notBefore: _notBefore, ...kept } = run.record;
    run.record = { ...kept, finishedOn: new Date(this.deps.now()) };
    await this.save(run);
    await this.deps.erasures.dequeue(run.record);
  }

  private async hash(userId: string): Promise<string> {
    return createHmac('sha256', await this.deps.hashKey())
      .update(userId)
      .digest('base64url');
  }
}

function asPause(error: unknown): Pause | undefined {
  if (error instanceof Pause) return error;
  if (error instanceof ThrottledError) return new Pause(error.retryAfterSeconds * 1000);
  if (isStatus(error, 429)) return new Pause(((error as ThrottledRestError).retryAfterSeconds ?? 1) * 1000);
  return undefined;
}

export function view(record: ErasureRecord): ErasureView {
  return {
    erasureId: record.erasureId,
    status: record.finishedOn ? 'finished' : 'running',
    requestedBy: record.requestedBy,
    requestedOn: record.requestedOn.toISOString(),
    deleteMessages: record.deleteMessages,
    stepsDone: STEPS.filter((step) => record.done.includes(step)),
    stepsPending: STEPS.filter((step) => !record.done.includes(step)),
    counts: record.counts,
    ...(record.finishedOn ? { finishedOn: record.finishedOn.toISOString() } : {}),
  };
}

/** An inbox entry with no summary naming `acsUserId` as its sender (the message stays, its sender unnamed). */
function withoutSender(state: InboxState, acsUserId: string): InboxState {
  if (!state.recent.some((message) => message.senderAcsUserId === acsUserId)) return state;
  return {
    ...state,
    recent: state.recent.map((message) => {
      if (message.senderAcsUserId !== acsUserId) return message;
      const { senderAcsUserId: _acs, senderUserId: _user, senderDisplayName: _name, ...rest } = message;
      return { ...rest, senderUserId: null };
    }),
  };
}
