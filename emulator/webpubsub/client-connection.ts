import { randomBytes } from 'node:crypto';

import type { RawData, WebSocket } from 'ws';

import {
  ackFrame,
  type ClientProtocol,
  type ClientRequest,
  messageFrame,
  parseClientRequest,
  payloadFromClient,
} from './client-protocol';
import type { HubConnection, HubRegistry, MessageSource, Payload } from './hub-state';
import type { WebPubSubStats } from './stats';

/** What every connection shares: the registry, counters and the delivery knobs of the control API. */
export interface ConnectionEnvironment {
  registry: HubRegistry;
  stats: WebPubSubStats;
  /** Extra latency before a frame is written to a socket (control API). */
  deliveryDelayMs(): number;
  /** How long a dropped reliable connection keeps its state and queue (the service keeps it ≥ 30 s). */
  recoveryWindowMs: number;
  /** Reliable connections waiting for a client to come back, by connection id. */
  recovering: Map<string, ClientConnection>;
}

/** The service closes a reliable connection whose unacknowledged queue exceeds 1000 messages (client spec 3.2). */
const MAX_UNACKED_MESSAGES = 1000;

/** The close code ws reports when the transport ended without a close frame (RFC 6455 7.1.5). */
const ABNORMAL_CLOSURE = 1006;

export interface ClientIdentity {
  connectionId: string;
  hub: string;
  userId: string | undefined;
  roles: string[];
  protocol: ClientProtocol;
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
}

export class ClientConnection implements HubConnection {
  readonly connectionId: string;
  readonly hub: string;
  readonly userId: string | undefined;
  readonly roles: Set<string>;
  readonly groups = new Set<string>();
  readonly protocol: ClientProtocol;
  readonly reconnectionToken = randomBytes(24).toString('base64url');
  private socket: WebSocket | undefined;
  private lastSequenceId = 0;
  private readonly unacked: { sequenceId: number; frame: string }[] = [];
  private readonly seenAckIds = new Set<number>();
  private recoveryTimer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    identity: ClientIdentity,
    private readonly env: ConnectionEnvironment,
  ) {
    this.connectionId = identity.connectionId;
    this.hub = identity.hub;
    this.userId = identity.userId;
    this.roles = new Set(identity.roles);
    this.protocol = identity.protocol;
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** Binds a (new or recovering) socket: sends `connected`, then whatever the client has not acknowledged yet. */
  attach(socket: WebSocket): void {
    if (this.recoveryTimer) clearTimeout(this.recoveryTimer);
    this.recoveryTimer = undefined;
    this.env.recovering.delete(this.connectionId);
    this.socket = socket;
    socket.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    socket.on('close', (code) => this.onSocketGone(socket, code === ABNORMAL_CLOSURE));
    socket.on('error', () => this.onSocketGone(socket, true));
    if (this.protocol !== 'none') {
      const connected: Record<string, unknown> = {
        type: 'system',
        event: 'connected',
        connectionId: this.connectionId,
      };
      if (this.userId !== undefined) connected['userId'] = this.userId;
      if (this.protocol === 'reliable') connected['reconnectionToken'] = this.reconnectionToken;
      this.write(JSON.stringify(connected), false);
    }
    for (const message of this.unacked) this.write(message.frame, true);
  }

  deliver(payload: Payload, source: MessageSource): void {
    if (this.ended) return;
    if (this.protocol === 'none') {
      const frame = payload.dataType === 'binary' ? payload.data : payload.data.toString('utf8');
      this.write(frame, true);
      return;
    }
    const sequenceId = this.protocol === 'reliable' ? ++this.lastSequenceId : undefined;
    const frame = JSON.stringify(messageFrame(payload, source, sequenceId));
    if (sequenceId !== undefined) {
      this.unacked.push({ sequenceId, frame });
      if (this.unacked.length > MAX_UNACKED_MESSAGES) {
        this.end(1008, 'Too many unacknowledged messages.');
        return;
      }
    }
    this.write(frame, true);
  }

  close(reason: string | undefined): void {
    if (this.ended) return;
    if (this.protocol !== 'none') {
      const disconnected: Record<string, unknown> = { type: 'system', event: 'disconnected' };
      if (reason !== undefined) disconnected['message'] = reason;
      this.write(JSON.stringify(disconnected), false);
    }
    this.end(1000, reason ?? '');
  }

  /** A network loss: the TCP socket is destroyed without a close frame (control API). */
  drop(): void {
    this.socket?.terminate();
  }

  private end(code: number, reason: string): void {
    this.ended = true;
    this.forget();
    const socket = this.socket;
    this.socket = undefined;
    // Frames already queued behind a delivery delay go out before the close frame.
    setTimeout(() => socket?.close(code, reason), this.env.deliveryDelayMs());
  }

  private forget(): void {
    if (this.recoveryTimer) clearTimeout(this.recoveryTimer);
    this.env.recovering.delete(this.connectionId);
    this.env.registry.remove(this.hub, this.connectionId);
  }

  /** A client that closed with a close frame left for good; only a lost transport leaves the connection recoverable. */
  private onSocketGone(socket: WebSocket, lost: boolean): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    if (this.ended) return;
    if (this.protocol !== 'reliable' || !lost) {
      this.ended = true;
      this.forget();
      return;
    }
    this.env.recovering.set(this.connectionId, this);
    this.recoveryTimer = setTimeout(() => {
      this.ended = true;
      this.forget();
    }, this.env.recoveryWindowMs);
    this.recoveryTimer.unref();
  }

  private write(frame: string | Buffer, isMessage: boolean): void {
    const socket = this.socket;
    if (!socket) return;
    const send = (): void => {
      if (socket.readyState !== socket.OPEN) return;
      socket.send(frame);
      if (isMessage) this.env.stats.messagesDelivered++;
    };
    const delayMs = this.env.deliveryDelayMs();
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  }

  private ack(request: ClientRequest, error?: Parameters<typeof ackFrame>[1]): void {
    if (request.ackId !== undefined) this.write(JSON.stringify(ackFrame(request.ackId, error)), false);
  }

  private hasRole(permission: 'joinLeaveGroup' | 'sendToGroup', group: string): boolean {
    return this.roles.has(`webpubsub.${permission}`) || this.roles.has(`webpubsub.${permission}.${group}`);
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.protocol === 'none' || isBinary) return;
    const request = parseClientRequest(rawText(data));
    if (!request) return;
    if (request.type === 'sequenceAck') {
      const acked = request.sequenceId ?? 0;
      while (this.unacked.length > 0 && (this.unacked[0]?.sequenceId ?? Infinity) <= acked) this.unacked.shift();
      return;
    }
    if (request.type === 'ping') {
      this.write(JSON.stringify({ type: 'pong' }), false);
      return;
    }
    if (request.ackId !== undefined) {
      if (this.seenAckIds.has(request.ackId)) {
        this.ack(request, { name: 'Duplicate', message: `Message with ackId ${request.ackId} was already processed.` });
        return;
      }
      this.seenAckIds.add(request.ackId);
    }
    this.handleRequest(request);
  }

  private handleRequest(request: ClientRequest): void {
    const group = request.group;
    switch (request.type) {
      case 'joinGroup':
      case 'leaveGroup': {
        if (group === undefined) return this.ack(request, { name: 'BadRequest', message: 'group is required.' });
        if (!this.hasRole('joinLeaveGroup', group)) {
          return this.ack(request, { name: 'Forbidden', message: `No permission to join or leave group '${group}'.` });
        }
        if (request.type === 'joinGroup') this.groups.add(group);
        else this.groups.delete(group);
        return this.ack(request);
      }
      case 'sendToGroup': {
        if (group === undefined) return this.ack(request, { name: 'BadRequest', message: 'group is required.' });
        if (!this.hasRole('sendToGroup', group)) {
          return this.ack(request, { name: 'Forbidden', message: `No permission to send to group '${group}'.` });
        }
        const payload = payloadFromClient(request.dataType, request.data);
        if (!payload) return this.ack(request, { name: 'BadRequest', message: 'data does not match dataType.' });
        const source: MessageSource = { from: 'group', group, fromUserId: this.userId };
        for (const member of this.env.registry.groupConnections(this.hub, group)) {
          if (request.noEcho === true && member === this) continue;
          member.deliver(payload, source);
        }
        return this.ack(request);
      }
      case 'event':
        // No upstream event handler is emulated: events are accepted and go nowhere.
        return this.ack(request);
      default:
        return;
    }
  }
}
