import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import { WebSocketServer } from 'ws';

import { ClientConnection, type ConnectionEnvironment } from './client-connection';
import { JSON_SUBPROTOCOL, protocolOf, RELIABLE_JSON_SUBPROTOCOL } from './client-protocol';
import { stringListClaim, verifyHs256 } from './jwt';

/**
 * The client endpoint: `ws://<host>/client/hubs/{hub}?access_token=...` (or `/client?hub={hub}`), the token checked
 * as the service checks it at connect (HS256 with the access key, `aud` = `<endpoint>client/hubs/<hub>`, `exp`), and
 * reliable-connection recovery with `awps_connection_id` + `awps_reconnection_token` (client spec 1.4).
 */

export interface ClientEndpointContext extends ConnectionEnvironment {
  accessKey: string;
  /** `http://127.0.0.1:<port>/` */
  endpoint: string;
  now(): number;
  /** Until when client handshakes are refused (a simulated network outage); epoch ms. */
  outageUntilMs(): number;
}

const SUPPORTED_SUBPROTOCOLS = [RELIABLE_JSON_SUBPROTOCOL, JSON_SUBPROTOCOL];

function hubOf(url: URL): string | undefined {
  const match = /^\/client\/hubs\/([^/]+)\/?$/.exec(url.pathname);
  if (match?.[1]) return decodeURIComponent(match[1]);
  if (url.pathname === '/client' || url.pathname === '/client/') return url.searchParams.get('hub') ?? undefined;
  return undefined;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  const texts: Record<number, string> = { 401: 'Unauthorized', 404: 'Not Found', 502: 'Bad Gateway' };
  const text = texts[status] ?? 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}`);
}

export class ClientEndpoint {
  private readonly wss: WebSocketServer;

  constructor(private readonly ctx: ClientEndpointContext) {
    this.wss = new WebSocketServer({
      noServer: true,
      // One of the predefined subprotocols when offered; otherwise a "simple WebSocket client" (no subprotocol).
      handleProtocols: (offered) => SUPPORTED_SUBPROTOCOLS.find((name) => offered.has(name)) ?? false,
    });
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (Date.now() < this.ctx.outageUntilMs()) return refuse(socket, 502, 'Simulated network outage.');
    const url = new URL(req.url ?? '/', this.ctx.endpoint);
    const hub = hubOf(url);
    if (hub === undefined) return refuse(socket, 404, 'Unknown path.');
    const recoveringId = url.searchParams.get('awps_connection_id');
    if (recoveringId !== null) return this.recover(req, socket, head, hub, url);
    const token = url.searchParams.get('access_token');
    if (!token) return refuse(socket, 401, 'access_token is required.');
    const audience = `${this.ctx.endpoint}client/hubs/${hub}`;
    const check = await verifyHs256(token, this.ctx.accessKey, [audience], this.ctx.now());
    if (!check.ok) return refuse(socket, 401, check.reason);
    const sub = check.claims['sub'];
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new ClientConnection(
        {
          connectionId: randomUUID(),
          hub,
          userId: typeof sub === 'string' && sub !== '' ? sub : undefined,
          roles: stringListClaim(check.claims, 'role'),
          protocol: protocolOf(ws.protocol),
        },
        this.ctx,
      );
      this.ctx.registry.add(connection, stringListClaim(check.claims, 'webpubsub.group'));
      connection.attach(ws);
    });
  }

  private recover(req: IncomingMessage, socket: Duplex, head: Buffer, hub: string, url: URL): void {
    const connection = this.ctx.recovering.get(url.searchParams.get('awps_connection_id') ?? '');
    const token = url.searchParams.get('awps_reconnection_token');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const recoverable =
        connection !== undefined &&
        connection.hub === hub &&
        token === connection.reconnectionToken &&
        ws.protocol === RELIABLE_JSON_SUBPROTOCOL;
      if (!recoverable) {
        ws.close(1008, 'The connection cannot be recovered.');
        return;
      }
      connection.attach(ws);
    });
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}
