import { type ChatClient, pages, type Schemas } from '../../client';
import type { LiveInbox } from '../../client/live';
import type { FeedState, LiveFeed } from './live-feed';
import { Poller } from './poller';

/** The left-hand list: the caller's inbox, newest activity first, with unread counts. */
export interface Conversation {
  threadId: string;
  topic: string;
  lastActivityOn?: string;
  unread?: number;
  preview?: string;
}

function conversationOf(entry: Schemas['InboxEntry']): Conversation {
  return {
    threadId: entry.threadId,
    topic: entry.topic,
    lastActivityOn: entry.lastActivityOn,
    unread: entry.unreadCount,
    ...(entry.lastMessage ? { preview: entry.lastMessage.preview } : {}),
  };
}

/**
 * The inbox as the page shows it: fetched once (`GET /api/inbox`), then kept by the entries live updates carry (each
 * with a revision: an older or repeated one is dropped); fetched again only after a lost connection was replaced, and
 * polled only while there is no socket.
 */
export class Conversations {
  private readonly byThread = new Map<string, Conversation>();
  /** Each entry's revision from its last live update; none after a fetch (the next update, of any revision, wins). */
  private readonly revisions = new Map<string, number>();
  private readonly poller = new Poller(() => this.refresh(), 2000, 20_000);
  private readonly stopListening: () => void;
  /** While the inbox is being fetched: the live updates that arrived meanwhile. */
  private arrivedDuringFetch: LiveInbox[] | undefined;

  constructor(
    private readonly client: ChatClient,
    private readonly feed: LiveFeed,
    private readonly onChange: () => void,
  ) {
    this.stopListening = feed.listen({
      update: (update) => {
        if ('inbox' in update && update.inbox) this.apply(update.inbox);
      },
      resync: () => void this.refresh(),
      state: (state) => this.onFeedState(state),
    });
  }

  list(): Conversation[] {
    return [...this.byThread.values()].sort((a, b) => (b.lastActivityOn ?? '').localeCompare(a.lastActivityOn ?? ''));
  }

  /** Call once the feed has started: live, one fetch; without a socket, polling (which fetches at once). */
  async start(): Promise<void> {
    if (this.feed.state === 'polling') this.poller.start();
    else await this.refresh();
  }

  stop(): void {
    this.poller.stop();
    this.stopListening();
  }

  /** After the user changed something the list shows: without a socket, poll now (live, the update is on its way). */
  nudge(): void {
    if (!this.feed.live) this.poller.nudge();
  }

  private onFeedState(state: FeedState): void {
    if (state === 'polling') this.poller.start();
    else this.poller.stop();
  }

  private async refresh(): Promise<boolean> {
    // Updates that arrive while the inbox is fetched may be newer than what the fetch returns: kept and applied again.
    const arrived: LiveInbox[] = [];
    this.arrivedDuringFetch = arrived;
    const next = new Map<string, Conversation>();
    try {
      for await (const page of pages((continuationToken) =>
        this.client.api.GET('/inbox', { params: { query: continuationToken ? { continuationToken } : {} } }),
      ))
        for (const entry of page) next.set(entry.threadId, conversationOf(entry));
    } finally {
      if (this.arrivedDuringFetch === arrived) this.arrivedDuringFetch = undefined;
    }
    const before = JSON.stringify([...this.byThread]);
    this.byThread.clear();
    this.revisions.clear();
    for (const [threadId, conversation] of next) this.byThread.set(threadId, conversation);
    for (const inbox of arrived) this.apply(inbox, false);
    const changed = JSON.stringify([...this.byThread]) !== before;
    if (changed) this.onChange();
    return changed;
  }

  private apply(inbox: LiveInbox, render = true): void {
    this.arrivedDuringFetch?.push(inbox);
    const known = this.revisions.get(inbox.threadId);
    if (known !== undefined && known >= inbox.revision) return;
    this.revisions.set(inbox.threadId, inbox.revision);
    if (inbox.entry) this.byThread.set(inbox.threadId, conversationOf(inbox.entry));
    else this.byThread.delete(inbox.threadId);
    if (render) this.onChange();
  }
}
