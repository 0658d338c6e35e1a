import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ClientConnection } from './client-connection';
import { ClientEndpoint } from './client-endpoint';
import { createControl, type WebPubSubControl } from './control';
import { HubRegistry } from './hub-state';
import { handleRest } from './rest-routes';
import { WebPubSubStats } from './stats';

/**
 * Azure Web PubSub emulator (dev/test tool; never imported by src/): the data-plane REST API and the client WebSocket
 * endpoint on plain HTTP on loopback, as Microsoft's own emulator serves them.
 */

export type { ConnectionInfo, WebPubSubControl } from './control';
export { SUPPORTED_API_VERSIONS } from './rest-routes';

export interface WebPubSubEmulatorOptions {
  /** 0 or undefined = a free port. */
  port?: number;
  /** The access key of the connection string (any text; default: random base64). */
  accessKey?: string;
  /** How long a dropped reliable connection can be recovered (default 30 s, the service's minimum). */
  recoveryWindowMs?: number;
}

export interface RunningWebPubSubEmulator {
  /** `http://127.0.0.1:<port>/` */
  endpoint: string;
  /** `Endpoint=http://127.0.0.1:<port>;AccessKey=<key>;Version=1.0;` */
  connectionString: string;
  accessKey: string;
  port: number;
  control: WebPubSubControl;
  close(): Promise<void>;
}

export async function startWebPubSubEmulator(
  options: WebPubSubEmulatorOptions = {},
): Promise<RunningWebPubSubEmulator> {
  const accessKey = options.accessKey ?? randomBytes(32).toString('base64');
  const registry = new HubRegistry();
  const stats = new WebPubSubStats();
  const recovering = new Map<string, ClientConnection>();
  const delay = { ms: 0 };
  const outage = { untilMs: 0 };
  const now = (): number => Date.now();
  let endpoint = '';

  const server = createServer((req, res) => {
    handleRest({ registry, accessKey, endpoint, stats, now }, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const clientEndpoint = new ClientEndpoint({
    registry,
    stats,
    recovering,
    accessKey,
    get endpoint() {
      return endpoint;
    },
    now,
    deliveryDelayMs: () => delay.ms,
    outageUntilMs: () => outage.untilMs,
    recoveryWindowMs: options.recoveryWindowMs ?? 30_000,
  });
  server.on('upgrade', (req, socket, head: Buffer) => {
    clientEndpoint.handleUpgrade(req, socket, head).catch(() => socket.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  endpoint = `http://127.0.0.1:${port}/`;

  return {
    endpoint,
    connectionString: `Endpoint=http://127.0.0.1:${port};AccessKey=${accessKey};Version=1.0;`,
    accessKey,
    port,
    control: createControl({ registry, recovering, stats, delay, outage }),
    close: async () => {
      // Ended first, so that terminating their sockets leaves nothing waiting for recovery.
      for (const connection of [...registry.connections(), ...recovering.values()]) connection.close(undefined);
      clientEndpoint.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      registry.clear();
    },
  };
}
