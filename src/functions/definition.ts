import type { HttpHandler, HttpMethod, TimerHandler } from '@azure/functions';

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
}

export interface TimerFunctionDefinition {
  kind: 'timer';
  name: string;
  /** NCRONTAB (six fields). */
  schedule: string;
  handler: TimerHandler;
}

export type FunctionDefinition = HttpFunctionDefinition | TimerFunctionDefinition;
