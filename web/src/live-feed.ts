import { type ChatClient } from '../../client';
import { connectLive, type LiveConnection, type LiveState, type LiveUpdate } from '../../client/live';

/** What the page shows about its connection: `live`, `connecting` (a loss being recovered) or `polling` (no socket). */
export type FeedState = LiveState | 'polling';

export interface FeedListener {
  update?(update: LiveUpdate): void;
  /** Updates may have been missed (a new connection replaced a lost one, or polling took over): fetch again. */
  resync?(): void;
  state?(state: FeedState): void;
}

/** How long the page polls before it tries again to get a socket. */
const RETRY_LIVE_MS = 30_000;

/**
 * The page's one live connection, shared by the inbox list and the open thread. When no socket can be had (negotiate
 * refused, Web PubSub unreachable, or the client gave up for good) the page polls and tries for a socket again now and
 * then; while live, nothing polls.
 */
export class LiveFeed {
  private readonly listeners = new Set<FeedListener>();
  private connection: LiveConnection | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private current: FeedState = 'connecting';

  constructor(private readonly client: ChatClient) {}

  get state(): FeedState {
    return this.current;
  }

  get live(): boolean {
    return this.current === 'live' || this.current === 'connecting';
  }

  listen(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.closed) return;
    try {
      this.connection = await connectLive({
        client: this.client,
        handlers: {},
        onUpdate: (update) => this.emit((listener) => listener.update?.(update)),
        onResync: () => this.emit((listener) => listener.resync?.()),
        onState: (state) => {
          if (state === 'stopped') this.fallBack();
          else this.setState(state);
        },
      });
      this.setState('live');
    } catch {
      this.fallBack();
    }
  }

  stop(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.connection?.stop();
  }

  private fallBack(): void {
    if (this.closed) return;
    this.connection = undefined;
    // Listeners start polling at once, and a first poll fetches what a lost connection missed.
    this.setState('polling');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.start(), RETRY_LIVE_MS);
  }

  private setState(state: FeedState): void {
    if (state === this.current) return;
    const wasPolling = this.current === 'polling';
    this.current = state;
    this.emit((listener) => listener.state?.(state));
    // Back from polling: what changed between the last poll and the socket's start is fetched once.
    if (wasPolling && state === 'live') this.emit((listener) => listener.resync?.());
  }

  private emit(call: (listener: FeedListener) => void): void {
    for (const listener of [...this.listeners]) call(listener);
  }
}
