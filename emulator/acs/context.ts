import type { IncomingHttpHeaders } from 'node:http';

import type { EmailState } from '../email/state';
import type { ChatEventBuilder } from '../eventgrid/chat-events';
import type { EventDelivery } from '../eventgrid/delivery';
import type { Clock } from './clock';
import type { FaultInjector } from './faults';
import type { RateLimiter } from './ratelimit';
import type { Store } from './store';
import type { TokenService } from './tokens';

/** Everything a route handler may touch. */
export interface EmulatorState {
  store: Store;
  tokens: TokenService;
  clock: Clock;
  faults: FaultInjector;
  rateLimiter: RateLimiter;
  accessKey: string;
  resourceId: string;
  counts: Map<string, number>;
  /** Publishes the chat events of each change (route handlers call it after the change is made). */
  events: ChatEventBuilder;
  delivery: EventDelivery;
  /** The Email data plane (emulator/email/): operations, mailbox, sending limits. */
  email: EmailState;
}

export interface RequestContext {
  operation: string;
  method: string;
  /** The request target as received (path + query). */
  target: string;
  query: URLSearchParams;
  /** Decoded path parameters, in order of appearance. */
  params: string[];
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** `https://<Host header>`: where nextLink and Location point. */
  baseUrl: string;
}

export interface HandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RequestContext, st: EmulatorState) => HandlerResult | Promise<HandlerResult>;
