import { createHash } from 'node:crypto';

import type { ChatParticipant, ChatThreadProperties } from '@azure/communication-chat';
import type { InvocationContext } from '@azure/functions';

import type { DetailCode } from '../error-codes';
import { NotFoundError, ValidationError } from '../errors';
import { describeError } from '../logging';
import type { ThreadRecord } from '../storage/thread-repository';
import { fromUpstream, rethrowAs } from '../upstream-errors';
import { type CallScope, type ChatDependencies, ThreadAccess } from './chat-context';
import { fromThreadCall, notOwner, threadNotFound } from './errors';
import { pageAs, pageSize } from './paging';
import type { CreateThreadBody, PageQuery, UpdateThreadBody } from './schemas';
import { type Page, type Thread, type ThreadSummary, threadSummaryView, threadView } from './views';

export interface InvalidParticipant {
  userId: string;
  code: DetailCode;
  message: string;
}

export interface CreatedThread {
  thread: Thread;
  invalidParticipants: InvalidParticipant[];
}

/**
 * Threads: the service identity creates each one (with all participants, in one ACS call) and stays in it, so the
 * backend can always manage and delete what it created. Our record in Tables names the owner and tracks activity.
 */
export class ThreadService {
  private readonly access: ThreadAccess;

  constructor(
    private readonly deps: ChatDependencies,
    private readonly options: { maxThreadAgeDays?: number } = {},
  ) {
    this.access = new ThreadAccess(deps);
  }

  async create(scope: CallScope, body: CreateThreadBody, idempotencyKey: string | undefined): Promise<CreatedThread> {
    const { caller, context } = scope;
    const others = dedupeParticipants(body.participants ?? [], caller.userId);
    const ownerAcsUserId = await this.access.callerAcsUserId(scope);
    const resolved = await Promise.all(
      others.map(async (participant) => ({
        ...participant,
        acsUserId: await this.deps.people.acsUserIdFor(participant.userId, context),
      })),
    );
    const participants: ChatParticipant[] = [
      {
        id: { communicationUserId: ownerAcsUserId },
        ...(caller.displayName ? { displayName: caller.displayName } : {}),
      },
      ...resolved.map((participant) => ({
        id: { communicationUserId: participant.acsUserId },
        ...(participant.displayName ? { displayName: participant.displayName } : {}),
      })),
    ];
    const maxAge = this.options.maxThreadAgeDays;
    const result = await this.deps.acs
      .asService(async (client, serviceAcsUserId) => {
        return client.createChatThread(
          { topic: body.topic },
          {
            participants: [{ id: { communicationUserId: serviceAcsUserId } }, ...participants],
            ...(body.metadata ? { metadata: body.metadata } : {}),
            ...(maxAge !== undefined
              ? { retentionPolicy: { kind: 'threadCreationDate', deleteThreadAfterDays: Math.ceil(maxAge) } }
              : {}),
            ...(idempotencyKey ? { idempotencyToken: repeatabilityId(caller.userId, idempotencyKey) } : {}),
          },
        );
      }, context)
      .catch(rethrowAs(fromUpstream));
    const properties = result.chatThread;
    if (!properties) throw fromUpstream(new Error('ACS created no thread'));
    const record = await this.deps.threads
      .create({ threadId: properties.id, ownerUserId: caller.userId, createdOn: properties.createdOn })
      .catch(async (error: unknown) => {
        // Tables failed after ACS created the thread. With an Idempotency-Key the client's retry gets the same thread
        // from ACS and records it; without one nobody could ever find it again, so it is deleted now.
        if (!idempotencyKey) await this.discardUnrecorded(properties.id, context);
        throw fromUpstream(error);
      });
    const userIdByAcs = new Map(resolved.map((participant) => [participant.acsUserId, participant.userId]));
    const invalidParticipants = (result.invalidParticipants ?? []).map((error) => ({
      userId: (error.target && userIdByAcs.get(error.target)) ?? error.target ?? 'unknown',
      code: 'ParticipantRejected' as const,
      message: error.message || 'ACS refused this participant.',
    }));
    context?.log('thread created', {
      threadId: properties.id,
      participants: participants.length,
      invalid: invalidParticipants.length,
    });
    return { thread: threadView(properties, record), invalidParticipants };
  }

  /** The caller's live threads, straight from ACS (so threads they left or that were deleted never show). */
  async list(scope: CallScope, query: PageQuery): Promise<Page<ThreadSummary>> {
    const acsUserId = await this.deps.people.findAcsUserId(scope.caller.userId);
    if (!acsUserId) return { items: [] };
    const page = await pageAs(
      this.deps,
      acsUserId,
      { list: 'threads', threadId: '', userId: scope.caller.userId },
      query.continuationToken,
      (client) => client.listChatThreads(pageSize(query.maxPageSize)),
    );
    return { ...page, items: page.items.filter((item) => !item.deletedOn).map(threadSummaryView) };
  }

  /** One Tables read and one ACS call (as the caller, so ACS confirms they are a participant). */
  async get(scope: CallScope, threadId: string): Promise<Thread> {
    const [record, properties] = await Promise.all([
      this.access.record(threadId),
      this.propertiesAsCaller(scope, threadId),
    ]);
    return threadView(properties, record);
  }

  async update(scope: CallScope, threadId: string, body: UpdateThreadBody): Promise<Thread> {
    const record = await this.access.record(threadId);
    await this.requireOwner(scope, record);
    const properties = await this.deps.acs
      .asService(async (client) => {
        const thread = client.getChatThreadClient(threadId);
        await thread.updateProperties({
          ...(body.topic !== undefined ? { topic: body.topic } : {}),
          ...(body.metadata ? { metadata: body.metadata } : {}),
        });
        return thread.getProperties();
      }, scope.context)
      .catch(rethrowAs(fromThreadCall));
    return threadView(properties, record);
  }

  /** Owner or admin. Deletes in ACS first, then our records (see ThreadRepository.remove for the order). */
  async delete(scope: CallScope, threadId: string): Promise<void> {
    const record = await this.access.record(threadId);
    if (!scope.caller.isAdmin) await this.requireOwner(scope, record);
    await this.purge(threadId, record.indexedActivityOn, scope.context);
  }

  /** Removes a thread everywhere; a thread already gone from ACS just has its records cleaned. */
  async purge(threadId: string, indexedActivityOn: Date | undefined, context?: InvocationContext): Promise<void> {
    await this.deps.acs
      .asService((client) => client.deleteChatThread(threadId), context)
      .catch((error: unknown) => {
        const mapped = fromThreadCall(error);
        if (!(mapped instanceof NotFoundError)) throw mapped;
      });
    await this.deps.threads.remove(threadId, indexedActivityOn).catch(rethrowAs(fromUpstream));
    context?.log('thread deleted', { threadId });
  }

  private async discardUnrecorded(threadId: string, context?: InvocationContext): Promise<void> {
    await this.deps.acs
      .asService((client) => client.deleteChatThread(threadId), context)
      .catch((error: unknown) =>
        context?.warn('could not delete a thread whose records failed', { threadId, error: describeError(error) }),
      );
  }

  private async requireOwner(scope: CallScope, record: ThreadRecord): Promise<void> {
    if (record.ownerUserId === scope.caller.userId) return;
    // Not the owner: a participant learns they may not (403); anyone else learns nothing (404).
    await this.access.assertParticipant(scope, record.threadId);
    throw notOwner();
  }

  private async propertiesAsCaller(scope: CallScope, threadId: string): Promise<ChatThreadProperties> {
    const acsUserId = await this.access.callerAcsUserId(scope);
    const properties = await this.deps.acs
      .asUser(acsUserId, (client) => client.getChatThreadClient(threadId).getProperties())
      .catch(rethrowAs(fromThreadCall));
    if (properties.deletedOn) throw threadNotFound();
    return properties;
  }
}

function dedupeParticipants(
  participants: NonNullable<CreateThreadBody['participants']>,
  ownerUserId: string,
): NonNullable<CreateThreadBody['participants']> {
  const seen = new Set<string>([ownerUserId]);
  const unique = participants.filter((participant) => !seen.has(participant.userId) && seen.add(participant.userId));
  if (unique.length + 2 > 250)
    throw new ValidationError(
      'A thread can have at most 248 participants besides its owner.',
      undefined,
      'TooManyParticipants',
    );
  return unique;
}

/**
 * ACS repeatability ids are UUIDs; derive one from the caller and their Idempotency-Key so keys never collide across
 * users.
 */
export function repeatabilityId(userId: string, idempotencyKey: string): string {
  const hash = createHash('sha256').update(`${userId}\n${idempotencyKey}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
