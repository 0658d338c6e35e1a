import type { ChatParticipant, ChatThreadProperties } from '@azure/communication-chat';
import type { InvocationContext } from '@azure/functions';

import { ForbiddenError, NotFoundError, ServiceUnavailableError, UnprocessableError, ValidationError } from '../errors';
import { describeError } from '../logging';
import { isStatus } from '../storage/errors';
import type { IdempotencyRecord } from '../storage/idempotency-repository';
import type { ActivityEntry, ThreadRecord } from '../storage/thread-repository';
import { fromUpstream, rethrowAs } from '../upstream-errors';
import { type CallScope, type ChatDependencies, ThreadAccess } from './chat-context';
import { fromThreadCall, notOwner, threadNotFound } from './errors';
import { hashOf, repeatabilityId } from './idempotency';
import { pageAs, pageSize } from './paging';
import type { CreateThreadBody, PageQuery, UpdateThreadBody } from './schemas';
import {
  type CreatedThread,
  createdThreadSchema,
  type Page,
  type Thread,
  type ThreadSummary,
  threadSummaryView,
  threadView,
} from './views';

export type { CreatedThread, InvalidParticipant } from './views';

/** ACS takes at most 200 participants in one CreateThread request: the owner, the service identity and 198 others. */
export const MAX_OTHERS_AT_CREATION = 198;
const CREATE_OPERATION = 'createThread';

/**
 * Threads are created in ACS as their owner (the caller's own identity, with a server-side `chat` token), so ACS's
 * per-identity limits bound each user rather than the whole deployment. The service identity joins every thread as a
 * participant, so the backend can always manage it and delete it. Our record in Tables names the owner and tracks
 * activity.
 */
export class ThreadService {
  private readonly access: ThreadAccess;

  constructor(
    private readonly deps: ChatDependencies,
    private readonly options: {
      maxThreadAgeDays?: number;
      /** ORPHAN_THREAD_GRACE_SECONDS in ms: after it, a thread without a record may be deleted as an orphan. */
      orphanGraceMs?: number;
      /** The backend's clock, ms since the epoch. */
      now?: () => number;
    } = {},
  ) {
    this.access = new ThreadAccess(deps);
  }

  async create(scope: CallScope, body: CreateThreadBody, idempotencyKey: string | undefined): Promise<CreatedThread> {
    const { caller, context } = scope;
    const others = dedupeParticipants(body.participants ?? [], caller.userId);
    const repeatId = idempotencyKey ? repeatabilityId(caller.userId, idempotencyKey) : undefined;
    const earlier = repeatId ? await this.claimKey(repeatId, body) : undefined;
    // A retry of a create that succeeded gets the original answer, whatever limits the caller has reached since: no
    // limit is consulted and ACS is not asked again.
    const original = earlier?.result === undefined ? undefined : storedResult(earlier.result);
    if (original) {
      context?.log('thread created', { threadId: original.thread.id, replay: true });
      return original;
    }
    // Checked before anything is charged or created: a refused topic costs the caller nothing.
    await this.deps.screen?.admitTopic(scope, body.topic);
    const succeededBefore = earlier?.resultId !== undefined;
    // Fair use is charged before any identity is created or any ACS call is made. A retry of a create that never
    // completed is a new request as far as limits go (its first attempt may have been refused by them); one that
    // succeeded, but whose answer was too large to keep, was charged when it succeeded.
    const newcomers = await this.deps.people.unknownUserIds([caller.userId, ...others.map((p) => p.userId)]);
    if (!succeededBefore) {
      await this.deps.fairUse.spend(
        caller.userId,
        { threads: 1, identities: newcomers.filter((userId) => userId !== caller.userId).length },
        context,
      );
    }
    const ownerAcsUserId = await this.access.callerAcsUserId(scope);
    const resolved = await Promise.all(
      others.map(async (participant) => ({
        ...participant,
        acsUserId: await this.deps.people.acsUserIdFor(participant.userId, context),
      })),
    );
    const serviceAcsUserId = await this.deps.people.serviceAcsUserId(context);
    const participants: ChatParticipant[] = [
      {
        id: { communicationUserId: ownerAcsUserId },
        ...(caller.displayName ? { displayName: caller.displayName } : {}),
      },
      { id: { communicationUserId: serviceAcsUserId } },
      ...resolved.map((participant) => ({
        id: { communicationUserId: participant.acsUserId },
        ...(participant.displayName ? { displayName: participant.displayName } : {}),
      })),
    ];
    const maxAge = this.options.maxThreadAgeDays;
    const result = await this.deps.acs
      .asUser(
        ownerAcsUserId,
        (client) =>
          client.createChatThread(
            { topic: body.topic },
            {
              participants,
              ...(body.metadata ? { metadata: body.metadata } : {}),
              ...(maxAge !== undefined
                ? { retentionPolicy: { kind: 'threadCreationDate', deleteThreadAfterDays: Math.ceil(maxAge) } }
                : {}),
              ...(repeatId ? { idempotencyToken: repeatId } : {}),
            },
          ),
        'chat',
      )
      .catch(rethrowAs(fromUpstream));
    const properties = result.chatThread;
    if (!properties) throw fromUpstream(new Error('ACS created no thread'));
    // A repeat of a create whose thread has since been deleted (e.g. as an orphan nobody recorded) is not revived.
    if (properties.deletedOn) throw threadNotFound();
    const record = await this.deps.threads
      .create({ threadId: properties.id, ownerUserId: caller.userId, ownerAcsUserId, createdOn: properties.createdOn })
      .catch(async (error: unknown) => {
        // Tables failed after ACS created the thread. With an Idempotency-Key the client's retry gets the same thread
        // from ACS and records it; without one nobody could ever find it again, so it is deleted now.
        if (!repeatId) await this.discardUnrecorded(properties.id, ownerAcsUserId, context);
        throw fromUpstream(error);
      });
    await this.confirmNotOrphaned(properties, ownerAcsUserId, context);
    const userIdByAcs = new Map(resolved.map((participant) => [participant.acsUserId, participant.userId]));
    const invalidParticipants = (result.invalidParticipants ?? []).map((error) => ({
      userId: (error.target && userIdByAcs.get(error.target)) ?? error.target ?? 'unknown',
      code: 'ParticipantRejected' as const,
      message: error.message || 'ACS refused this participant.',
    }));
    const created: CreatedThread = { thread: threadView(properties, record), invalidParticipants };
    if (repeatId) {
      await this.deps.requests
        .complete(repeatId, CREATE_OPERATION, properties.id, JSON.stringify(created))
        .catch(rethrowAs(fromUpstream));
    }
    context?.log('thread created', {
      threadId: properties.id,
      participants: participants.length,
      invalid: invalidParticipants.length,
      replay: earlier !== undefined,
    });
    return created;
  }

  /**
   * Claims an Idempotency-Key for this request. Undefined for a key used for the first time; otherwise what the
   * earlier request with the same body left (ACS answers a repeated create with the thread the first one made, if
   * any); a different body is a 422 and a thread deleted since is a 404.
   */
  private async claimKey(repeatId: string, body: CreateThreadBody): Promise<IdempotencyRecord | undefined> {
    const requestHash = hashOf(body);
    const earlier = await this.deps.requests
      .claim(repeatId, CREATE_OPERATION, requestHash)
      .catch(rethrowAs(fromUpstream));
    if (!earlier) return undefined;
    if (earlier.requestHash !== requestHash) {
      throw new UnprocessableError(
        'This Idempotency-Key was already used with a different request body.',
        'IdempotencyKeyReused',
      );
    }
    if (earlier.resultId && !(await this.deps.threads.get(earlier.resultId).catch(rethrowAs(fromUpstream)))) {
      throw threadNotFound();
    }
    return earlier;
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

  /** Owner only, and only while they are a participant: the update is made as the owner, so ACS checks that too. */
  async update(scope: CallScope, threadId: string, body: UpdateThreadBody): Promise<Thread> {
    const record = await this.access.record(threadId);
    await this.requireOwner(scope, record);
    if (body.topic !== undefined) await this.deps.screen?.admitTopic(scope, body.topic, threadId);
    const ownerAcsUserId = await this.access.callerAcsUserId(scope);
    const properties = await this.deps.acs
      .asUser(
        ownerAcsUserId,
        async (client) => {
          const thread = client.getChatThreadClient(threadId);
          await thread.updateProperties({
            ...(body.topic !== undefined ? { topic: body.topic } : {}),
            ...(body.metadata ? { metadata: body.metadata } : {}),
          });
          return thread.getProperties();
        },
        'chat',
      )
      .catch(rethrowAs(fromThreadCall));
    return threadView(properties, record);
  }

  /**
   * Owner (while still a participant) or admin. Deletes in ACS first, then our records (see ThreadRepository.remove
   * for the order). An owner who left is a former participant: 404, like anyone else outside the thread.
   */
  async delete(scope: CallScope, threadId: string): Promise<void> {
    const record = await this.access.record(threadId);
    if (scope.caller.isAdmin) return this.purge({ ...record, activityOn: record.indexedActivityOn }, scope.context);
    await this.requireOwner(scope, record);
    const ownerAcsUserId = await this.access.callerAcsUserId(scope);
    await this.deps.acs
      .asUser(ownerAcsUserId, (client) => client.deleteChatThread(threadId), 'chat')
      .catch(rethrowAs(fromThreadCall));
    await this.deps.threads.remove(threadId, record.indexedActivityOn).catch(rethrowAs(fromUpstream));
    scope.context?.log('thread deleted', { threadId, by: 'owner' });
  }

  /**
   * Removes a thread everywhere (admin delete, pruning); a thread already gone from ACS just has its records cleaned.
   * The delete is made as the thread's owner where possible, so deletions spread over the owners' own ACS limits
   * (10 per 10 s each) instead of all queueing behind the service identity's; the service identity steps in for
   * threads it created itself (before owners created their threads) and for owners who have left.
   */
  async purge(entry: ActivityEntry, context?: InvocationContext): Promise<void> {
    const { threadId, ownerAcsUserId } = entry;
    const deleted = ownerAcsUserId ? await this.deleteAsOwner(threadId, ownerAcsUserId) : false;
    if (!deleted) {
      await this.deps.acs
        .asService((client) => client.deleteChatThread(threadId), context)
        .catch((error: unknown) => {
          const mapped = fromThreadCall(error);
          if (!(mapped instanceof NotFoundError)) throw mapped;
        });
    }
    await this.deps.threads.remove(threadId, entry.activityOn).catch(rethrowAs(fromUpstream));
    context?.log('thread deleted', { threadId, by: deleted ? 'owner identity' : 'service identity' });
  }

  /** True when ACS deleted the thread as its owner (or it was already gone); false when the owner may not. */
  private async deleteAsOwner(threadId: string, ownerAcsUserId: string): Promise<boolean> {
    try {
      // As the owner's everyday token (no extra mint); a banned owner's identity is refused it: the service steps in.
      await this.deps.acs.asUser(ownerAcsUserId, (client) => client.deleteChatThread(threadId), 'chat');
      return true;
    } catch (error) {
      if (isStatus(error, 404)) return true;
      if (isStatus(error, 403, 401) || (error instanceof ForbiddenError && error.code === 'UserBanned')) return false;
      throw fromThreadCall(error);
    }
  }

  /**
   * A record written late (half the orphan grace period or more after ACS created the thread) may have come after the
   * orphan clean-up found none and deleted the thread (chatEvents, ChatThreadCreated). Only then is ACS asked whether
   * the thread still exists; if it does not, its records go too and the create fails as unavailable, so that no
   * client is ever answered with a thread that is gone.
   */
  private async confirmNotOrphaned(
    properties: ChatThreadProperties,
    ownerAcsUserId: string,
    context?: InvocationContext,
  ): Promise<void> {
    const { orphanGraceMs } = this.options;
    const now = (this.options.now ?? Date.now)();
    if (orphanGraceMs === undefined || now - properties.createdOn.getTime() < orphanGraceMs / 2) return;
    const deleted = await this.deps.acs
      .asUser(ownerAcsUserId, (client) => client.getChatThreadClient(properties.id).getProperties(), 'chat')
      .then(
        (current) => Boolean(current.deletedOn),
        (error: unknown) => {
          if (isStatus(error, 404)) return true;
          throw fromThreadCall(error);
        },
      );
    if (!deleted) return;
    await this.deps.threads.remove(properties.id, properties.createdOn).catch(rethrowAs(fromUpstream));
    context?.warn('thread deleted as an orphan before its record was written', { threadId: properties.id });
    throw new ServiceUnavailableError('The thread could not be created in time; try again.', 1);
  }

  private async discardUnrecorded(
    threadId: string,
    ownerAcsUserId: string,
    context?: InvocationContext,
  ): Promise<void> {
    await this.deleteAsOwner(threadId, ownerAcsUserId)
      .then((deleted) =>
        deleted ? undefined : this.deps.acs.asService((client) => client.deleteChatThread(threadId), context),
      )
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

/** A stored answer to a create, or undefined if it no longer reads as one (then the create is replayed through ACS). */
function storedResult(json: string): CreatedThread | undefined {
  try {
    const parsed = createdThreadSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function dedupeParticipants(
  participants: NonNullable<CreateThreadBody['participants']>,
  ownerUserId: string,
): NonNullable<CreateThreadBody['participants']> {
  const seen = new Set<string>([ownerUserId]);
  const unique = participants.filter((participant) => !seen.has(participant.userId) && seen.add(participant.userId));
  if (unique.length > MAX_OTHERS_AT_CREATION)
    throw new ValidationError(
      `A thread can be created with at most ${MAX_OTHERS_AT_CREATION} participants besides its owner ` +
        '(ACS takes 200 per request, the owner and the backend included); add the rest afterwards.',
      undefined,
      'TooManyParticipants',
    );
  return unique;
}
