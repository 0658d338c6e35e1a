import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  type Cookie,
  HttpRequest,
  HttpResponse,
  type HttpResponseInit,
  InvocationContext,
  type LogLevel,
  type Timer,
} from '@azure/functions';

import type {
  EventGridFunctionDefinition,
  FunctionDefinition,
  HttpFunctionDefinition,
  TimerFunctionDefinition,
} from '../src/functions/definition';
import { applyCors } from './cors';
import { serveEventGridWebhook } from './eventgrid-webhook';
import { RouteTemplate } from './route-template';

/**
 * A local stand-in for the Azure Functions host that serves our route table over real HTTP:
 * the same `HttpRequest`/`InvocationContext` objects from @azure/functions, the `/api` route prefix,
 * 404/405, `POST /admin/functions/{name}` to run a timer function now, and Event Grid triggers at
 * `POST /runtime/webhooks/eventgrid?functionName={name}` (all as Core Tools does).
 */

export interface LogRecord {
  level: LogLevel;
  functionName: string;
  invocationId: string;
  args: unknown[];
}

export type LogSink = (record: LogRecord) => void;

/** A non-function handler mounted beside the functions (the dev issuer uses one). Return false to pass. */
export type Mount = (request: http.IncomingMessage, response: http.ServerResponse) => boolean | Promise<boolean>;

export interface DevHostOptions {
  functions: FunctionDefinition[];
  host?: string;
  port?: number;
  routePrefix?: string;
  log?: LogSink;
  mounts?: Mount[];
  /** The Functions host caps request bodies at 100 MB; handlers enforce their own, smaller limits. */
  maxRequestBytes?: number;
  /** Origins allowed to call the API from a browser (`*` for any), like `Host.CORS` for `func start`. */
  corsOrigins?: string[];
}

export interface DevHost {
  /** e.g. http://127.0.0.1:7071 */
  origin: string;
  /** e.g. http://127.0.0.1:7071/api */
  apiBaseUrl: string;
  /** Adds a non-function handler (e.g. the dev issuer, whose URLs depend on the port this host got). */
  mount(handler: Mount): void;
  /** Replaces the route table (the dev stack builds it once it knows the host's own URL). */
  setFunctions(functions: FunctionDefinition[]): void;
  close(): Promise<void>;
}

interface CompiledRoute {
  definition: HttpFunctionDefinition;
  template: RouteTemplate;
}

export async function startDevHost(options: DevHostOptions): Promise<DevHost> {
  const prefix = `/${(options.routePrefix ?? 'api').replace(/^\/|\/$/g, '')}`;
  const log = options.log ?? consoleSink;
  const maxRequestBytes = options.maxRequestBytes ?? 100 * 1024 * 1024;
  const mounts = [...(options.mounts ?? [])];
  let routes: CompiledRoute[] = [];
  let timers = new Map<string, TimerFunctionDefinition>();
  let eventGridFunctions = new Map<string, EventGridFunctionDefinition>();
  const setFunctions = (functions: FunctionDefinition[]): void => {
    routes = functions
      .filter((definition): definition is HttpFunctionDefinition => definition.kind === 'http')
      .map((definition) => ({ definition, template: new RouteTemplate(definition.route) }))
      .sort((a, b) => b.template.precedence - a.template.precedence);
    timers = new Map(
      functions
        .filter((definition): definition is TimerFunctionDefinition => definition.kind === 'timer')
        .map((definition) => [definition.name.toLowerCase(), definition]),
    );
    eventGridFunctions = new Map(
      functions
        .filter((definition): definition is EventGridFunctionDefinition => definition.kind === 'eventGrid')
        .map((definition) => [definition.name.toLowerCase(), definition]),
    );
  };
  setFunctions(options.functions);

  let ownOrigins: string[] = [];
  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log({ level: 'error', functionName: 'host', invocationId: '-', args: ['host failure', String(error)] });
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  server.keepAliveTimeout = 5_000;

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
    const adminMatch = /^\/admin\/functions\/([^/]+)\/?$/i.exec(url.pathname);
    // The admin API is for the developer's own tools, never for a web page: no CORS, and a browser request from any
    // other origin (a page the developer happens to visit) is refused before it can run anything.
    if (adminMatch) {
      const origin = request.headers.origin;
      if (origin !== undefined && !ownOrigins.includes(origin)) {
        return sendStatus(response, 403, 'Forbidden', 'The admin API does not accept cross-origin requests.');
      }
      return invokeAdmin(decodeURIComponent(adminMatch[1] ?? ''), request, response);
    }
    if (applyCors(options.corsOrigins ?? [], request, response)) return;
    for (const mount of mounts) {
      if (await mount(request, response)) return;
    }
    if (/^\/runtime\/webhooks\/eventgrid\/?$/i.test(url.pathname)) {
      const name = url.searchParams.get('functionName') ?? '';
      const definition = eventGridFunctions.get(name.toLowerCase());
      const body = await readBody(request, maxRequestBytes);
      if (body === undefined) return sendStatus(response, 413, 'PayloadTooLarge', 'The request body is too large.');
      return serveEventGridWebhook(
        request,
        body,
        response,
        definition && { definition, createContext: () => createContext(definition.name, log) },
      );
    }

    if (url.pathname.toLowerCase() !== prefix && !url.pathname.toLowerCase().startsWith(`${prefix}/`)) {
      return sendStatus(response, 404, 'NotFound', 'No function matches this route.');
    }
    const path = url.pathname.slice(prefix.length);
    const matches = routes
      .map((route) => ({ route, params: route.template.match(path) }))
      .filter(
        (candidate): candidate is { route: CompiledRoute; params: Record<string, string> } =>
          candidate.params !== undefined,
      );
    if (matches.length === 0) return sendStatus(response, 404, 'NotFound', 'No function matches this route.');
    const method = (request.method ?? 'GET').toUpperCase();
    const match = matches.find(({ route }) => route.definition.methods.includes(method as never));
    if (!match) {
      const allowed = [...new Set(matches.flatMap(({ route }) => route.definition.methods))];
      response.setHeader('Allow', allowed.join(', '));
      return sendStatus(response, 405, 'MethodNotAllowed', `Method ${method} is not allowed on this route.`);
    }

    const body = await readBody(request, maxRequestBytes);
    if (body === undefined) return sendStatus(response, 413, 'PayloadTooLarge', 'The request body is too large.');
    const functionRequest = new HttpRequest({
      method,
      url: url.toString(),
      headers: joinHeaders(request.headers),
      query: Object.fromEntries(url.searchParams),
      params: match.params,
      ...(body.length > 0 ? { body: { bytes: body } } : {}),
    });
    const context = createContext(match.route.definition.name, log);
    let result: HttpResponseInit | HttpResponse | void;
    try {
      result = await match.route.definition.handler(functionRequest, context);
    } catch (error) {
      // The Functions host answers an unhandled exception with an empty 500.
      context.error('function threw', error instanceof Error ? error.message : String(error));
      response.writeHead(500).end();
      return;
    }
    await writeFunctionResponse(response, result ?? {});
  }

  async function invokeAdmin(
    name: string,
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    await readBody(request, 1024 * 1024);
    if ((request.method ?? '').toUpperCase() !== 'POST') {
      response.setHeader('Allow', 'POST');
      return sendStatus(response, 405, 'MethodNotAllowed', 'Use POST to invoke a function.');
    }
    const timer = timers.get(name.toLowerCase());
    if (!timer) return sendStatus(response, 404, 'NotFound', `No timer function named ${name}.`);
    const context = createContext(timer.name, log);
    const now = new Date().toISOString();
    const timerInput: Timer = {
      isPastDue: false,
      schedule: { adjustForDST: true },
      scheduleStatus: { last: now, next: now, lastUpdated: now },
    };
    // Unlike Core Tools (which answers 202 at once), we answer when the run has finished, so scripts and
    // tests can rely on its effects; a failing run is logged and still answered 202, as Core Tools would.
    try {
      await timer.handler(timerInput, context);
    } catch (error) {
      context.error('timer function failed', error instanceof Error ? error.message : String(error));
    }
    response.writeHead(202).end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7071, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const origin = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  ownOrigins = [origin, `http://localhost:${address.port}`, `http://127.0.0.1:${address.port}`];
  return {
    origin,
    apiBaseUrl: `${origin}${prefix}`,
    mount: (handler) => mounts.push(handler),
    setFunctions,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function createContext(functionName: string, log: LogSink): InvocationContext {
  const invocationId = randomUUID();
  return new InvocationContext({
    invocationId,
    functionName,
    logHandler: (level, ...args) => log({ level, functionName, invocationId, args }),
  });
}

export const consoleSink: LogSink = ({ level, functionName, invocationId, args }) => {
  const text = args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
  const line = `[${new Date().toISOString()}] ${level.padEnd(11)} ${functionName} (${invocationId.slice(0, 8)}) ${text}`;
  // Straight to the streams: console.log's formatting cost more than the line itself (one per request).
  if (level === 'error' || level === 'critical') process.stderr.write(`${line}\n`);
  else if (level !== 'trace' && level !== 'debug') process.stdout.write(`${line}\n`);
};

function joinHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) joined[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return joined;
}

async function readBody(request: http.IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) tooLarge = true;
    else chunks.push(buffer);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

async function writeFunctionResponse(
  response: http.ServerResponse,
  result: HttpResponseInit | HttpResponse,
): Promise<void> {
  if (!(result instanceof HttpResponse) && isPlainJsonResponse(result)) return writeJsonResponse(response, result);
  const functionResponse = result instanceof HttpResponse ? result : new HttpResponse(result);
  const headers: Record<string, string | string[]> = {};
  functionResponse.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = functionResponse.cookies.map(serializeCookie);
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const body = Buffer.from(await functionResponse.arrayBuffer());
  response.writeHead(functionResponse.status, headers);
  response.end(body);
}

/** Statuses that carry no body (the fetch Response that HttpResponse wraps refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** What every API route returns: a status, plain headers and a JSON body or none, no cookies. */
function isPlainJsonResponse(init: HttpResponseInit): init is HttpResponseInit & { headers?: Record<string, string> } {
  const plainHeaders =
    init.headers === undefined || (!(init.headers instanceof Headers) && !Array.isArray(init.headers));
  return init.body === undefined && !init.cookies?.length && plainHeaders;
}

/**
 * The answer HttpResponse would give for such a response (status 200 by default, `content-type: application/json`
 * unless set, JSON.stringify of the body, no body on 204 and its kind), without building and reading back a fetch
 * Response: that round trip was the dev host's largest per-request cost in a profile.
 */
function writeJsonResponse(
  response: http.ServerResponse,
  init: HttpResponseInit & { headers?: Record<string, string> },
) {
  const status = init.status ?? 200;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
  if (init.jsonBody === undefined || init.jsonBody === null || NULL_BODY_STATUSES.has(status)) {
    response.writeHead(status, headers).end();
    return;
  }
  headers['content-type'] ??= 'application/json';
  response.writeHead(status, headers).end(JSON.stringify(init.jsonBody));
}

function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}

function sendStatus(response: http.ServerResponse, status: number, code: string, message: string): void {
  const requestId = randomUUID();
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId });
  response.end(JSON.stringify({ error: { code, message, requestId } }));
}
