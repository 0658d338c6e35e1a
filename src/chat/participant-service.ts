import type { ChatParticipant } from '@azure/communication-chat';

import { NotFoundError, ValidationError } from '../errors';
import { describeError } from '../logging';
import { rethrowAs } from '../upstream-errors';
import { type CallScope, type ChatDependencies, ThreadAccess } from './chat-context';
import { fromThreadCall, notOwner } from './errors';
import { pageAs, pageSize } from './paging';
import { rawId } from './people';
import type { AddParticipantsBody, PageQuery } from './schemas';
import { type AddParticipantsResult, type Page, type ParticipantView, participantView } from './views';

export type { AddParticipantsResult } from './views';

/** ACS allows 250 participants in a thread. */
export const MAX_PARTICIPANTS_PER_THREAD = 250;

/**
 * Participants, named by app user id. Listing is done as the caller; adding and removing are done by the service
 * identity (users hold chat.join.limited tokens, which cannot change participants), after the backend's own checks.
 */
export class ParticipantService {
  private readonly access: ThreadAccess;

  constructor(private readonly deps: ChatDependencies) {
    this.access = new ThreadAccess(deps);
  }

  async list(scope: CallScope, threadId: string, query: PageQuery): Promise<Page<ParticipantView>> {
    const acsUserId = await this.access.callerAcsUserId(scope);
    const page = await pageAs(
      this.deps,
      acsUserId,
      { list: 'participants', threadId, userId: scope.caller.userId },
      query.continuationToken,
      (client) => client.getChatThreadClient(threadId).listParticipants(pageSize(query.maxPageSize)),
    );
    const lookup = await this.deps.people.lookup(
      page.items.map((participant) => rawId(participant.id)),
      scope.context,
    );
    const items = page.items
      .map((participant) => participantView(participant, lookup))
      .filter((item): item is ParticipantView => item !== undefined);
    return { ...page, items };
  }

  /**
   * Any participant may add people. Everything that can be checked is checked before anything is spent: membership
   * and the thread's current participants (one paged ACS listing, as the caller), ACS's 250-participant thread limit,
   * and the caller's fair use of identities created for people who never signed in. People already in the thread are
   * reported and left exactly as they are; per-user failures are reported, not thrown.
   */
  async add(scope: CallScope, threadId: string, body: AddParticipantsBody): Promise<AddParticipantsResult> {
    const [, present] = await Promise.all([this.access.record(threadId), this.currentParticipants(scope, threadId)]);
    const unique = [...new Map(body.participants.map((participant) => [participant.userId, participant])).values()];
    const known = await Promise.all(unique.map((participant) => this.deps.people.findAcsUserId(participant.userId)));
    const alreadyParticipants = unique.filter((_, index) => present.has(known[index] ?? '')).map((p) => p.userId);
    const newcomers = unique.filter((_, index) => !present.has(known[index] ?? ''));
    if (present.size + newcomers.length > MAX_PARTICIPANTS_PER_THREAD) {
      throw new ValidationError(
        `A thread can have at most ${MAX_PARTICIPANTS_PER_THREAD} participants (the backend's own identity included); ` +
          `it has ${present.size}.`,
        undefined,
        'TooManyParticipants',
      );
    }
    if (newcomers.length === 0) return { added: [], failed: [], alreadyParticipants };
    const neverSignedIn = newcomers.filter((participant) => known[unique.indexOf(participant)] === undefined).length;
    await this.deps.fairUse.spend(scope.caller.userId, { threads: 0, identities: neverSignedIn }, scope.context);

    const failed: AddParticipantsResult['failed'] = [];
    const resolved = await Promise.all(
      newcomers.map(async (participant) => {
        try {
          return { ...participant, acsUserId: await this.deps.people.acsUserIdFor(participant.userId, scope.context) };
        } catch (error) {
          scope.context?.warn('could not resolve a participant', { error: describeError(error) });
          failed.push({
            userId: participant.userId,
            error: { code: 'IdentityUnavailable', message: 'The user could not be given a chat identity.' },
          });
          return undefined;
        }
      }),
    );
    const toAdd = resolved.filter((participant) => participant !== undefined);
    if (toAdd.length === 0) return { added: [], failed, alreadyParticipants };
    const participants: ChatParticipant[] = toAdd.map((participant) => ({
      id: { communicationUserId: participant.acsUserId },
      ...(participant.displayName ? { displayName: participant.displayName } : {}),
      ...(participant.shareHistoryTime ? { shareHistoryTime: participant.shareHistoryTime } : {}),
    }));
    const result = await this.deps.acs
      .asService((client) => client.getChatThreadClient(threadId).addParticipants({ participants }), scope.context)
      .catch(rethrowAs(fromThreadCall));
    const rejected = new Map((result.invalidParticipants ?? []).map((error) => [error.target ?? '', error]));
    for (const participant of toAdd) {
      const error = rejected.get(participant.acsUserId);
      if (error)
        failed.push({
          userId: participant.userId,
          error: { code: 'ParticipantRejected', message: error.message || 'ACS refused this participant.' },
        });
    }
    return {
      added: toAdd
        .filter((participant) => !rejected.has(participant.acsUserId))
        .map((participant) => participant.userId),
      failed,
      alreadyParticipants,
    };
  }

  /** Everyone in the thread (ACS ids, the service identity included), listed as the caller (403/404: not in it). */
  private async currentParticipants(scope: CallScope, threadId: string): Promise<Set<string>> {
    const acsUserId = await this.access.callerAcsUserId(scope);
    return this.deps.acs
      .asUser(acsUserId, async (client) => {
        const ids = new Set<string>();
        const pages = client.getChatThreadClient(threadId).listParticipants({ maxPageSize: 200 }).byPage();
        for await (const page of pages) for (const participant of page) ids.add(rawId(participant.id) ?? '');
        return ids;
      })
      .catch(rethrowAs(fromThreadCall));
  }

  /** Yourself (leave), or anyone if you own the thread or are an admin. */
  async remove(scope: CallScope, threadId: string, targetUserId: string): Promise<void> {
    const record = await this.access.record(threadId);
    const isSelf = targetUserId === scope.caller.userId;
    if (!scope.caller.isAdmin) {
      await this.access.assertParticipant(scope, threadId);
      if (!isSelf && record.ownerUserId !== scope.caller.userId) throw notOwner();
    }
    const targetAcsUserId = await this.deps.people.findAcsUserId(targetUserId);
    if (!targetAcsUserId)
      throw new NotFoundError('That user is not a participant of this thread.', 'ParticipantNotFound');
    await this.deps.acs
      .asService(
        (client) => client.getChatThreadClient(threadId).removeParticipant({ communicationUserId: targetAcsUserId }),
        scope.context,
      )
      .catch(rethrowAs(fromThreadCall));
  }
}
