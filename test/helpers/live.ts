import { createChatClient } from '../../client';
import {
  connectLive,
  type LiveConnection,
  type LiveUpdate,
  type LiveUpdateOf,
  type LiveUpdateType,
} from '../../client/live';
import type { ApiUser } from './api';
import type { TestStack } from './stack';
import { waitForValue } from './wait';

/** One connected client (a browser tab) of a user, through the typed client, recording every live update. */
export interface LiveTab {
  userId: string;
  updates: LiveUpdate[];
  connection: LiveConnection;
  resyncs: number;
  /** The first update of `type` matching `where`, waiting for it. */
  next<Type extends LiveUpdateType>(
    type: Type,
    where?: (update: LiveUpdateOf<Type>) => boolean,
  ): Promise<LiveUpdateOf<Type>>;
  of<Type extends LiveUpdateType>(type: Type): Array<LiveUpdateOf<Type>>;
}

/** `autoReconnect: false` for a tab the server closes for good (the SDK's stop() cannot end a reconnect loop). */
export async function openLiveTab(
  stack: TestStack,
  user: ApiUser,
  options: { autoReconnect?: boolean } = {},
): Promise<LiveTab> {
  const updates: LiveUpdate[] = [];
  let resyncs = 0;
  const client = createChatClient({ baseUrl: stack.apiBaseUrl, token: () => user.token, maxRetries: 0 });
  const connection = await connectLive({
    client,
    handlers: {},
    onUpdate: (update) => updates.push(update),
    onResync: () => (resyncs += 1),
    webPubSub: {
      keepAliveIntervalInMs: 0,
      keepAliveTimeoutInMs: 0,
      ...(options.autoReconnect === false ? { autoReconnect: false } : {}),
    },
  });
  const of = <Type extends LiveUpdateType>(type: Type) =>
    updates.filter((update): update is LiveUpdateOf<Type> => update.type === type);
  return {
    userId: user.userId,
    updates,
    connection,
    get resyncs() {
      return resyncs;
    },
    of,
    next: (type, where = () => true) => waitForValue(() => of(type).find(where), 15_000),
  };
}
