import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { EventGridEvent } from '../../emulator';

/** What an Event Grid subscriber saw of one delivery request. */
export interface Delivery {
  eventType: string | undefined;
  deliveryCount: string | undefined;
  events: EventGridEvent[];
  /** What the sink answered. */
  status: number;
}

/**
 * A webhook that Event Grid (here: the emulator) delivers to: answers the validation handshake, records every
 * Notification, and answers with the statuses queued by `failNext` (then 200).
 */
export class EventSink {
  readonly deliveries: Delivery[] = [];
  private statuses: number[] = [];
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    private readonly onDelivery?: (delivery: Delivery) => void,
  ) {}

  /** `onDelivery` sees each Notification as it arrives (benchmarks time them). */
  static async start(onDelivery?: (delivery: Delivery) => void): Promise<EventSink> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sink = new EventSink(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, onDelivery);
    server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => sink.answer(request, Buffer.concat(chunks).toString('utf8'), response));
    });
    return sink;
  }

  /** The next requests are answered with these statuses, in order. */
  failNext(...statuses: number[]): void {
    this.statuses.push(...statuses);
  }

  /** Events of the deliveries the sink acknowledged. */
  events(): EventGridEvent[] {
    return this.deliveries.filter((delivery) => delivery.status < 300).flatMap((delivery) => delivery.events);
  }

  clear(): void {
    this.deliveries.length = 0;
    this.statuses = [];
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private answer(request: http.IncomingMessage, body: string, response: http.ServerResponse): void {
    const eventType = request.headers['aeg-event-type'] as string | undefined;
    const events = JSON.parse(body) as EventGridEvent[];
    if (eventType === 'SubscriptionValidation') {
      const code = (events[0]?.data as { validationCode?: string }).validationCode;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ validationResponse: code }));
      return;
    }
    const status = this.statuses.shift() ?? 200;
    const delivery = { eventType, deliveryCount: request.headers['aeg-delivery-count'] as string, events, status };
    this.deliveries.push(delivery);
    this.onDelivery?.(delivery);
    response.writeHead(status).end();
  }
}
