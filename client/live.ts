import { WebPubSubClient, type WebPubSubClientOptions } from '@azure/web-pubsub-client';

import { type ChatClient, type Schemas, unwrap } from './index';

/**
 * Live updates for a signed-in user: a receive-only Web PubSub connection (through the official
 * @azure/web-pubsub-client, with its reliable protocol: a short network loss loses nothing) and typed handlers per
 * update type. Updates arrive at least once and in no particular order; each carries what is needed to drop a
 * duplicate or a stale one (see `isNewer`). After a connection had to be replaced (not merely recovered), messages may
 * have been missed: `onResync` is the moment to fetch what is open again.
 */

export type LiveUpdate = Schemas['LiveUpdate'];
export type LiveUpdateType = LiveUpdate['type'];
/** The update(s) whose `type` can be `Type` (one schema covers messageCreated, messageEdited and messageDeleted). */
export type LiveUpdateOf<Type extends LiveUpdateType> = Narrowed<LiveUpdate, Type>;
type Narrowed<Update, Type> = Update extends { type: infer Types }
  ? Type extends Types
    ? Update & { type: Type }
    : never
  : never;
export type LiveMessage = Schemas['LiveMessage'];
export type LiveInbox = Schemas['LiveInbox'];

export type LiveHandlers = { [Type in LiveUpdateType]?: (update: LiveUpdateOf<Type>) => void };

/** `connecting` (first time or after a loss), `live`, or `stopped` (by `stop()` or for good). */
export type LiveState = 'connecting' | 'live' | 'stopped';

export interface LiveOptions {
  client: ChatClient;
  handlers: LiveHandlers;
  /** Every update, after its typed handler (logging, tests). */
  onUpdate?: (update: LiveUpdate) => void;
  onState?: (state: LiveState) => void;
  /** A new connection replaced a lost one: updates sent in between may be missing. Fetch what is shown again. */
  onResync?: () => void;
  /** Options of the underlying WebPubSubClient (retries, keep-alive). */
  webPubSub?: WebPubSubClientOptions;
}

export interface LiveConnection {
  readonly state: LiveState;
  stop(): void;
}

/** The update schema version this client understands; updates of another version are ignored. */
export const LIVE_UPDATE_VERSION = 1;

/**
 * Connects and resolves once live (rejects when no connection can be had: the caller falls back to polling). The URL
 * comes from POST /api/realtime/negotiate, asked again for every new connection.
 */
export async function connectLive(options: LiveOptions): Promise<LiveConnection> {
  let state: LiveState = 'connecting';
  const setState = (next: LiveState): void => {
    if (next === state) return;
    state = next;
    options.onState?.(next);
  };
  const socket = new WebPubSubClient(
    {
      getClientAccessUrl: async () => unwrap(await options.client.api.POST('/realtime/negotiate')).url,
    },
    {
      // Back off to one attempt per 30 s: a client refused for good (signed out, banned) keeps trying, since the
      // SDK's stop() does not end a reconnect loop that has no open socket (@azure/web-pubsub-client 1.x).
      reconnectRetryOptions: { mode: 'Exponential', retryDelayInMs: 1_000, maxRetryDelayInMs: 30_000 },
      ...options.webPubSub,
    },
  );
  let connections = 0;
  socket.on('connected', () => {
    connections += 1;
    setState('live');
    if (connections > 1) options.onResync?.();
  });
  socket.on('disconnected', () => {
    if (state !== 'stopped') setState('connecting');
  });
  socket.on('stopped', () => setState('stopped'));
  socket.on('server-message', (event) => {
    const update = asLiveUpdate(event.message.data);
    if (!update) return;
    dispatch(options.handlers, update);
    options.onUpdate?.(update);
  });
  try {
    await socket.start();
  } catch (error) {
    setState('stopped');
    throw error;
  }
  return {
    get state() {
      return state;
    },
    stop: () => {
      setState('stopped');
      socket.stop();
    },
  };
}

function dispatch(handlers: LiveHandlers, update: LiveUpdate): void {
  const handler = handlers[update.type] as ((update: LiveUpdate) => void) | undefined;
  handler?.(update);
}

/** A server message that is a live update of the version this client knows; anything else is ignored. */
function asLiveUpdate(data: unknown): LiveUpdate | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const candidate = data as { v?: unknown; type?: unknown; threadId?: unknown };
  if (candidate.v !== LIVE_UPDATE_VERSION) return undefined;
  if (typeof candidate.type !== 'string' || typeof candidate.threadId !== 'string') return undefined;
  return data as LiveUpdate;
}

/**
 * Whether `next` should replace `current` (the same message): a deletion is final, otherwise the higher version wins.
 * Versions are ACS's: milliseconds since the epoch of the last change, as decimal strings.
 */
export function isNewer(current: Pick<LiveMessage, 'version' | 'deletedOn'> | undefined, next: LiveMessage): boolean {
  if (!current) return true;
  if (current.deletedOn) return false;
  if (next.deletedOn) return true;
  return BigInt(next.version) > BigInt(current.version);
}
