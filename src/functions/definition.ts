import type { EventGridHandler, HttpHandler, HttpMethod, TimerHandler } from '@azure/functions';
import type { z } from 'zod';

/**
 * The route table: one list of function definitions. src/index.ts registers it with the Functions host;
 * the local dev host (dev/host.ts) serves the very same list.
 */
export interface HttpFunctionDefinition {
  kind: 'http';
  name: string;
  methods: HttpMethod[];
  /** Route template relative to the `/api` prefix, with `{param}` segments as in Azure Functions. */
  route: string;
  handler: HttpHandler;
  /** What the public API description (GET /api/openapi.json) says about this operation. */
  doc: OperationDoc;
}

export interface OperationDoc {
  summary: string;
  /** Anonymous operations need no bearer token. */
  anonymous?: boolean;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Success and notable error statuses with a one-line meaning. */
  responses: Record<number, string>;
  /** The JSON body of a status, when it is not the error body: a view schema with an id (`.meta({ id })`). */
  responseBodies?: Partial<Record<number, z.ZodType>>;
  /** Statuses answered with an HTML page for a person (not JSON): the unsubscribe link's. */
  htmlPages?: number[];
  /** The operation takes an optional `Idempotency-Key` header. */
  idempotencyKey?: boolean;
}

export interface TimerFunctionDefinition {
  kind: 'timer';
  name: string;
  /** NCRONTAB (six fields). */
  schedule: string;
  handler: TimerHandler;
}

/** An Event Grid trigger: one event per invocation; a thrown error makes Event Grid deliver the event again. */
export interface EventGridFunctionDefinition {
  kind: 'eventGrid';
  name: string;
  /** The event types the handler acts on (others are acknowledged); infra subscribes exactly these. */
  eventTypes: readonly string[];
  handler: EventGridHandler;
}

export type FunctionDefinition = HttpFunctionDefinition | TimerFunctionDefinition | EventGridFunctionDefinition;
