import type { LiveUpdate } from '../../client/live';
import type { LiveFeed } from './live-feed';
import { categoryName } from './refusals';

/**
 * `messageRejected` live updates: sent only to the sender's own clients when moderation deleted a message they sent
 * straight to ACS (or one that was accepted for a later check). The deletion itself arrives as the usual
 * `messageDeleted`, through an event of its own and often after this update: the thread view shows a rejected message
 * as removed from the rejection on. The update is read here on its own terms rather than through the generated
 * `LiveUpdate` type, so the page handles it whether or not the server's schema lists it yet. Expected entry in
 * live-update-schemas.ts:
 * `{ v: 1, id, threadId, type: 'messageRejected', messageId: string, categories: string[], on: datetime }`.
 */
export interface MessageRejection {
  threadId: string;
  messageId: string;
  /** Readable harm category names (Hate, Self-harm, Blocked term…), never the matched words. */
  categories: string[];
}

/**
 * Whether `update` is a messageRejected. Past the check, the other update types remain: a switch over them stays
 * exhaustive once the generated `LiveUpdate` lists messageRejected too.
 */
export function isMessageRejection(update: LiveUpdate): update is Extract<LiveUpdate, { type: 'messageRejected' }> {
  return asMessageRejection(update) !== undefined;
}

export function asMessageRejection(update: object): MessageRejection | undefined {
  const candidate = update as Record<string, unknown>;
  const { type, threadId, messageId, categories } = candidate;
  if (type !== 'messageRejected' || typeof threadId !== 'string' || typeof messageId !== 'string') return undefined;
  const named = Array.isArray(categories) ? categories.filter((item): item is string => typeof item === 'string') : [];
  return { threadId, messageId, categories: named.map(categoryName) };
}

/**
 * Every rejection heard since the page loaded, by thread and message: a thread opened after its rejection still says
 * what happened to the message. Listens before anything else on the feed, so a thread view that hears the same update
 * finds it here already.
 */
export class MessageRejections {
  private readonly byThread = new Map<string, Map<string, MessageRejection & { told: boolean }>>();
  private readonly stopListening: () => void;

  constructor(feed: LiveFeed) {
    this.stopListening = feed.listen({
      update: (update) => {
        const rejection = asMessageRejection(update);
        if (!rejection) return;
        const thread = this.byThread.get(rejection.threadId) ?? new Map<string, MessageRejection & { told: boolean }>();
        if (!thread.has(rejection.messageId)) thread.set(rejection.messageId, { ...rejection, told: false });
        this.byThread.set(rejection.threadId, thread);
      },
    });
  }

  of(threadId: string, messageId: string): MessageRejection | undefined {
    return this.byThread.get(threadId)?.get(messageId);
  }

  /** The thread's rejections the user has not been told of yet (a redelivered update is not news). */
  untold(threadId: string): MessageRejection[] {
    const untold = [...(this.byThread.get(threadId)?.values() ?? [])].filter((rejection) => !rejection.told);
    for (const rejection of untold) rejection.told = true;
    return untold;
  }

  stop(): void {
    this.stopListening();
  }
}
