import type { TokenCredential } from '@azure/core-auth';
import type { CommonClientOptions } from '@azure/core-client';
import { WebPubSubServiceClient } from '@azure/web-pubsub';

import type { WebPubSubConfig } from '../config';
import { count } from '../telemetry/instruments';
import type { LiveUpdate } from './live-update-schemas';

/** What live updates need from Web PubSub: push to one user's connections, hand out client URLs, check health. */
export interface LiveChannel {
  /** Every connection of `userId` (all their tabs and devices) receives `update` as JSON. */
  sendToUser(userId: string, update: LiveUpdate): Promise<void>;
  /** A client URL for `userId` with no roles (receive-only: it can neither join groups nor send). */
  clientUrl(userId: string, minutes: number): Promise<string>;
  /** Throws when the service does not answer (one HEAD request). */
  probe(): Promise<void>;
  /** Whether `userId` has any connection now (one HEAD request). */
  isConnected(userId: string): Promise<boolean>;
  /** Closes every connection of `userId` for good (no recovery): a new one needs a new client URL. */
  closeUser(userId: string, reason: string): Promise<void>;
}

/** Web PubSub through its official SDK: managed identity in Azure (client URLs from `:generateToken`), or a key. */
export function createWebPubSubChannel(
  config: WebPubSubConfig,
  credential: () => TokenCredential,
  options: CommonClientOptions,
): LiveChannel {
  const endpoint = webPubSubEndpoint(config);
  // Plain http only ever reaches a loopback emulator: config validation refuses it anywhere else.
  const clientOptions = { ...options, allowInsecureConnection: endpoint.startsWith('http:') };
  const client =
    config.kind === 'connectionString'
      ? new WebPubSubServiceClient(config.connectionString, config.hub, clientOptions)
      : new WebPubSubServiceClient(config.endpoint, credential(), config.hub, clientOptions);
  return {
    sendToUser: (userId, update) =>
      client.sendToUser(userId, update).then(
        () => count('pushes', { 'chat.push.target': 'user', 'chat.push.outcome': 'sent' }),
        (error: unknown) => {
          count('pushes', { 'chat.push.target': 'user', 'chat.push.outcome': 'failed' });
          throw error;
        },
      ),
    clientUrl: async (userId, minutes) =>
      (await client.getClientAccessToken({ userId, roles: [], groups: [], expirationTimeInMinutes: minutes })).url,
    probe: async () => {
      await client.userExists(HEALTH_PROBE_USER);
    },
    isConnected: (userId) => client.userExists(userId),
    closeUser: (userId, reason) => client.closeUserConnections(userId, { reason }),
  };
}

/** A user id no client is given (app user ids come from sign-in tokens): asking whether it is connected is harmless. */
const HEALTH_PROBE_USER = '~health-probe';

/** The service's endpoint URL, from either form of configuration. */
export function webPubSubEndpoint(config: WebPubSubConfig): string {
  if (config.kind === 'managedIdentity') return config.endpoint;
  return /(?:^|;)\s*endpoint=([^;]+)/i.exec(config.connectionString)?.[1]?.trim() ?? '';
}
