/** Connections, groups and user memberships of every hub, and who a message is routed to. */

export type DataType = 'json' | 'text' | 'binary';

/** A message body as the service received it (REST body bytes or a client's `data`). */
export interface Payload {
  dataType: DataType;
  data: Buffer;
}

/** Where a message delivered to a connection comes from, as the subprotocols tell the client. */
export type MessageSource = { from: 'server' } | { from: 'group'; group: string; fromUserId?: string };

export interface HubConnection {
  readonly connectionId: string;
  readonly hub: string;
  readonly userId: string | undefined;
  readonly roles: Set<string>;
  readonly groups: Set<string>;
  /** Queues the message for the client (sent now, later after a delay, or on recovery). */
  deliver(payload: Payload, source: MessageSource): void;
  /** Ends the connection as the service does on a REST close: a `disconnected` message, then a close frame. */
  close(reason: string | undefined): void;
}

interface Hub {
  connections: Map<string, HubConnection>;
  /** user → groups the user was added to (kept for connections the user opens later, as the service does). */
  userGroups: Map<string, Set<string>>;
}

export class HubRegistry {
  private readonly hubs = new Map<string, Hub>();

  private hub(name: string): Hub {
    const key = name.toLowerCase();
    let hub = this.hubs.get(key);
    if (!hub) {
      hub = { connections: new Map(), userGroups: new Map() };
      this.hubs.set(key, hub);
    }
    return hub;
  }

  add(connection: HubConnection, initialGroups: string[]): void {
    const hub = this.hub(connection.hub);
    hub.connections.set(connection.connectionId, connection);
    for (const group of initialGroups) connection.groups.add(group);
    if (connection.userId !== undefined) {
      for (const group of hub.userGroups.get(connection.userId) ?? []) connection.groups.add(group);
    }
  }

  remove(hubName: string, connectionId: string): void {
    this.hub(hubName).connections.delete(connectionId);
  }

  connection(hubName: string, connectionId: string): HubConnection | undefined {
    return this.hub(hubName).connections.get(connectionId);
  }

  connections(hubName?: string): HubConnection[] {
    const hubs = hubName === undefined ? [...this.hubs.values()] : [this.hub(hubName)];
    return hubs.flatMap((hub) => [...hub.connections.values()]);
  }

  userConnections(hubName: string, userId: string): HubConnection[] {
    return this.connections(hubName).filter((connection) => connection.userId === userId);
  }

  groupConnections(hubName: string, group: string): HubConnection[] {
    return this.connections(hubName).filter((connection) => connection.groups.has(group));
  }

  addUserToGroup(hubName: string, userId: string, group: string): void {
    const hub = this.hub(hubName);
    let groups = hub.userGroups.get(userId);
    if (!groups) {
      groups = new Set();
      hub.userGroups.set(userId, groups);
    }
    groups.add(group);
    for (const connection of this.userConnections(hubName, userId)) connection.groups.add(group);
  }

  removeUserFromGroup(hubName: string, userId: string, group: string): void {
    this.hub(hubName).userGroups.get(userId)?.delete(group);
    for (const connection of this.userConnections(hubName, userId)) connection.groups.delete(group);
  }

  removeUserFromAllGroups(hubName: string, userId: string): void {
    this.hub(hubName).userGroups.delete(userId);
    for (const connection of this.userConnections(hubName, userId)) connection.groups.clear();
  }

  clear(): void {
    this.hubs.clear();
  }
}
