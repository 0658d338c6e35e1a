import type { InvocationContext } from '@azure/functions';

import type { Caller } from '../http/authenticate';
import type { IdempotencyRepository } from '../storage/idempotency-repository';
import type { ThreadRecord, ThreadRepository } from '../storage/thread-repository';
import { rethrowAs } from '../upstream-errors';
import type { AcsChat } from './acs-chat';
import type { ContinuationCodec } from './continuation';
import { fromThreadCall, threadNotFound } from './errors';
import type { FairUse } from './fair-use';
import type { PeopleDirectory } from './people';

/** What every chat service needs, built once by the composition root. */
export interface ChatDependencies {
  acs: AcsChat;
  people: PeopleDirectory;
  threads: ThreadRepository;
  paging: ContinuationCodec;
  fairUse: FairUse;
  requests: IdempotencyRepository;
  /** Content moderation on the way in (src/moderation/content-gate.ts); absent when Content Safety is not set up. */
  screen?: ContentScreen;
}

/** Judges what users write before it reaches ACS; throws 422 ContentRejected, or 503 when it cannot judge now. */
export interface ContentScreen {
  /** The metadata that marks the message as checked, or `pending`: sent unchecked, to be checked from its event. */
  admitMessage(
    scope: CallScope,
    message: { threadId: string; senderAcsUserId: string; kind?: 'text' | 'html'; content: string },
  ): Promise<{ metadata: Record<string, string> } | { pending: true }>;
  admitTopic(scope: CallScope, topic: string, threadId?: string): Promise<void>;
}

/** One request's view: who is calling, and the ACS identity they act as. */
export interface CallScope {
  caller: Caller;
  context?: InvocationContext;
}

/** Authorization helpers shared by the chat services. */
export class ThreadAccess {
  constructor(private readonly deps: ChatDependencies) {}

  /** The caller's ACS identity, created on first use. */
  callerAcsUserId(scope: CallScope): Promise<string> {
    return this.deps.people.acsUserIdFor(scope.caller.userId, scope.context);
  }

  /** Our record of a thread; a thread we did not create is, to us, not there. One Tables read. */
  async record(threadId: string): Promise<ThreadRecord> {
    const record = await this.deps.threads.get(threadId).catch(rethrowAs(fromThreadCall));
    if (!record) throw threadNotFound();
    return record;
  }

  /** Confirms with ACS, as the caller, that they are a participant (ACS answers 403 otherwise). One ACS call. */
  async assertParticipant(scope: CallScope, threadId: string): Promise<void> {
    const acsUserId = await this.callerAcsUserId(scope);
    await this.deps.acs
      .asUser(acsUserId, (client) => client.getChatThreadClient(threadId).getProperties())
      .catch(rethrowAs(fromThreadCall));
  }
}
