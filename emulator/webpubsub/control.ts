import { ClientConnection } from './client-connection';
import type { HubRegistry } from './hub-state';
import type { WebPubSubStats } from './stats';

/** In-process control handle of the Web PubSub emulator (tests, the dev stack). */

export interface ConnectionInfo {
  connectionId: string;
  hub: string;
  userId?: string;
  protocol: 'json' | 'reliable' | 'none';
  groups: string[];
  roles: string[];
  /** false while a dropped reliable connection waits for its client to recover it. */
  connected: boolean;
}

export interface WebPubSubControl {
  listConnections(hub?: string): ConnectionInfo[];
  /** Simulates a network loss: the socket is destroyed without a close frame; reliable clients may recover. */
  dropConnection(connectionId: string): boolean;
  /**
   * Drops every socket; with `forMs`, client handshakes are also refused (502, which clients retry) for that long, as
   * when the network is out. REST calls keep working: messages sent meanwhile queue for reliable connections.
   */
  dropAllConnections(options?: { forMs?: number }): number;
  /** Holds every frame this long before writing it to its socket (order is kept); 0 = immediate. */
  setDeliveryDelay(ms: number): void;
  restCallCounts(): Record<string, number>;
  /** Data messages written to client sockets (system messages and acks not counted). */
  messagesDelivered(): number;
  resetCounts(): void;
}

export interface ControlState {
  registry: HubRegistry;
  recovering: Map<string, ClientConnection>;
  stats: WebPubSubStats;
  delay: { ms: number };
  /** Client handshakes are refused until this instant (epoch ms). */
  outage: { untilMs: number };
}

export function createControl(state: ControlState): WebPubSubControl {
  const clientConnections = (hub?: string): ClientConnection[] => {
    const live = state.registry.connections(hub).filter((c): c is ClientConnection => c instanceof ClientConnection);
    return live.filter((c) => hub === undefined || c.hub.toLowerCase() === hub.toLowerCase());
  };
  return {
    listConnections: (hub) =>
      clientConnections(hub).map((c) => ({
        connectionId: c.connectionId,
        hub: c.hub,
        ...(c.userId === undefined ? {} : { userId: c.userId }),
        protocol: c.protocol,
        groups: [...c.groups],
        roles: [...c.roles],
        connected: c.connected,
      })),
    dropConnection: (connectionId) => {
      const connection = clientConnections().find((c) => c.connectionId === connectionId && c.connected);
      connection?.drop();
      return connection !== undefined;
    },
    dropAllConnections: (options = {}) => {
      if (options.forMs !== undefined) state.outage.untilMs = Date.now() + options.forMs;
      const connected = clientConnections().filter((c) => c.connected);
      for (const connection of connected) connection.drop();
      return connected.length;
    },
    setDeliveryDelay: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('delay must be a non-negative number of ms');
      state.delay.ms = ms;
    },
    restCallCounts: () => state.stats.restCallCounts(),
    messagesDelivered: () => state.stats.messagesDelivered,
    resetCounts: () => state.stats.reset(),
  };
}
