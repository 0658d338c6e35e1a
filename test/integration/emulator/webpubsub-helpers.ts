import { WebPubSubServiceClient } from '@azure/web-pubsub';
import { WebPubSubClient, type WebPubSubClientOptions } from '@azure/web-pubsub-client';
import { WebSocket } from 'ws';

import { type RunningWebPubSubEmulator, startWebPubSubEmulator } from '../../../emulator/webpubsub';

/** Each Web PubSub test file starts its own emulator; clients started through it are stopped after each test. */

export const HUB = 'chat';

export interface ReceivedMessage {
  from: 'server' | 'group';
  group?: string;
  data: unknown;
}

export interface TestClient {
  client: WebPubSubClient;
  received: ReceivedMessage[];
  connectionId: string;
  userId: string | undefined;
}

export interface WebPubSubTestEnv {
  emu: RunningWebPubSubEmulator;
  service: WebPubSubServiceClient;
  connect(
    userId?: string,
    options?: { roles?: string[]; groups?: string[]; client?: WebPubSubClientOptions },
  ): Promise<TestClient>;
}

export function useWebPubSubEmulator(): () => WebPubSubTestEnv {
  let env: WebPubSubTestEnv | undefined;
  const clients: WebPubSubClient[] = [];

  beforeAll(async () => {
    const emu = await startWebPubSubEmulator();
    const service = new WebPubSubServiceClient(emu.connectionString, HUB, {
      retryOptions: { maxRetries: 0 },
      // The SDK refuses plain HTTP unless told; the emulator is HTTP on loopback like Microsoft's.
      allowInsecureConnection: true,
    });
    env = {
      emu,
      service,
      async connect(userId, { client: clientOptions, ...tokenOptions } = {}) {
        const { url } = await service.getClientAccessToken({ userId, ...tokenOptions });
        const client = new WebPubSubClient(url, {
          keepAliveIntervalInMs: 0,
          keepAliveTimeoutInMs: 0,
          ...clientOptions,
        });
        const received: ReceivedMessage[] = [];
        client.on('server-message', (e) => received.push({ from: 'server', data: e.message.data }));
        client.on('group-message', (e) =>
          received.push({ from: 'group', group: e.message.group, data: e.message.data }),
        );
        const connected = new Promise<{ connectionId: string; userId: string | undefined }>((resolve) =>
          client.on('connected', (e) => resolve({ connectionId: e.connectionId, userId: e.userId })),
        );
        clients.push(client);
        await client.start();
        const identity = await connected;
        return { client, received, ...identity };
      },
    };
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.stop();
  });

  afterAll(async () => {
    await env?.emu.close();
    // WebPubSubClient's sequence-ack loop (reliable protocol) ends only after its current 1 s sleep, stop() or not.
    await delay(1_100);
  });

  return () => {
    if (!env) throw new Error('the Web PubSub emulator is not started');
    return env;
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Opens a raw socket; resolves with the HTTP status when the service refuses the handshake. */
export function rawConnect(
  url: string,
  subprotocol = 'json.webpubsub.azure.v1',
): Promise<{ socket: WebSocket; frames: Record<string, unknown>[] } | { refusedWith: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, subprotocol);
    const frames: Record<string, unknown>[] = [];
    socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>));
    socket.on('open', () => resolve({ socket, frames }));
    socket.on('unexpected-response', (_req, res) => resolve({ refusedWith: res.statusCode ?? 0 }));
    socket.on('error', reject);
  });
}
