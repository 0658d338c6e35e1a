import type { IncomingMessage, ServerResponse } from 'node:http';

import type { HubConnection, HubRegistry, Payload } from './hub-state';
import { type JwtClaims, signHs256 } from './jwt';
import { checkRestBearer } from './rest-auth';
import type { WebPubSubStats } from './stats';

/**
 * The data-plane REST API (`/api/...`). Paths, parameters and status codes as `@azure/web-pubsub` 1.2's generated
 * operation specs expect them (202 for sends, 200/404 for HEAD checks, 200 for PUTs, 204 for DELETEs and closes);
 * see emulator/contract/webpubsub/README.md.
 */

/** Stable data-plane api-versions of the published specs; anything else is refused as the service does. */
export const SUPPORTED_API_VERSIONS = ['2021-10-01', '2022-11-01', '2023-07-01', '2024-01-01', '2024-12-01'];

export interface RestContext {
  registry: HubRegistry;
  accessKey: string;
  /** `http://127.0.0.1:<port>/` */
  endpoint: string;
  stats: WebPubSubStats;
  now(): number;
}

interface RouteRequest {
  hub: string;
  params: string[];
  query: URLSearchParams;
  body: Buffer;
  contentType: string;
}

type RouteResult = { status: number; json?: unknown; error?: { code: string; message: string } };

interface Route {
  operation: string;
  method: string;
  pattern: RegExp;
  handle(ctx: RestContext, request: RouteRequest): RouteResult | Promise<RouteResult>;
}

const HUB = '([A-Za-z][A-Za-z0-9_`,.[\\]]{0,127})';
const SEGMENT = '([^/]+)';

function route(operation: string, method: string, path: string, handle: Route['handle']): Route {
  return { operation, method, pattern: new RegExp(`^/api/hubs/${HUB}${path}$`), handle };
}

function badRequest(message: string): RouteResult {
  return { status: 400, error: { code: 'BadRequest', message } };
}

function payloadOf(request: RouteRequest): Payload | RouteResult {
  const mediaType = request.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/json') {
    try {
      JSON.parse(request.body.toString('utf8'));
    } catch {
      return badRequest('The request body is not valid JSON.');
    }
    return { dataType: 'json', data: request.body };
  }
  if (mediaType === 'text/plain') return { dataType: 'text', data: request.body };
  if (mediaType === 'application/octet-stream') return { dataType: 'binary', data: request.body };
  return {
    status: 415,
    error: { code: 'UnsupportedMediaType', message: `Content-Type '${mediaType}' not supported.` },
  };
}

/** Sends to the targets; an OData `filter` is not emulated and refused, so that nothing relies on it silently. */
function send(ctx: RestContext, request: RouteRequest, targets: HubConnection[], group?: string): RouteResult {
  if (request.query.has('filter')) return badRequest('The emulator does not evaluate OData filters.');
  const payload = payloadOf(request);
  if (!('dataType' in payload)) return payload;
  const excluded = new Set(request.query.getAll('excluded'));
  for (const connection of targets) {
    if (excluded.has(connection.connectionId)) continue;
    connection.deliver(payload, group === undefined ? { from: 'server' } : { from: 'group', group });
  }
  return { status: 202 };
}

function closeAll(request: RouteRequest, targets: HubConnection[]): RouteResult {
  const excluded = new Set(request.query.getAll('excluded'));
  const reason = request.query.get('reason') ?? undefined;
  for (const connection of targets) if (!excluded.has(connection.connectionId)) connection.close(reason);
  return { status: 204 };
}

function exists(found: boolean): RouteResult {
  return { status: found ? 200 : 404 };
}

function groupsBody(request: RouteRequest): string[] | RouteResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8'));
  } catch {
    return badRequest('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null) return badRequest('The request body must be an object.');
  const { groups, filter } = parsed as { groups?: unknown; filter?: unknown };
  if (filter !== undefined && filter !== null && filter !== '') {
    return badRequest('The emulator does not evaluate OData filters.');
  }
  if (!Array.isArray(groups) || !groups.every((group): group is string => typeof group === 'string')) {
    return badRequest('groups must be an array of strings.');
  }
  return groups;
}

function permissionRole(permission: string, targetName: string | null): string | undefined {
  if (permission !== 'joinLeaveGroup' && permission !== 'sendToGroup') return undefined;
  return targetName ? `webpubsub.${permission}.${targetName}` : `webpubsub.${permission}`;
}

async function generateToken(ctx: RestContext, request: RouteRequest): Promise<RouteResult> {
  const minutesText = request.query.get('minutesToExpire');
  const minutes = minutesText === null ? 60 : Number(minutesText);
  if (!Number.isInteger(minutes) || minutes < 1) return badRequest('minutesToExpire must be an integer ≥ 1.');
  const nowSeconds = Math.floor(ctx.now() / 1000);
  const claims: JwtClaims = {
    aud: `${ctx.endpoint}client/hubs/${request.hub}`,
    iat: nowSeconds,
    exp: nowSeconds + minutes * 60,
  };
  const userId = request.query.get('userId');
  if (userId) claims['sub'] = userId;
  const roles = request.query.getAll('role');
  if (roles.length > 0) claims['role'] = roles;
  const groups = request.query.getAll('group');
  if (groups.length > 0) claims['webpubsub.group'] = groups;
  return { status: 200, json: { token: await signHs256(claims, ctx.accessKey) } };
}

const ROUTES: Route[] = [
  route('sendToAll', 'POST', '/:send', (ctx, r) => send(ctx, r, ctx.registry.connections(r.hub))),
  route('closeAllConnections', 'POST', '/:closeConnections', (ctx, r) => closeAll(r, ctx.registry.connections(r.hub))),
  route('generateClientToken', 'POST', '/:generateToken', generateToken),
  route('addConnectionsToGroups', 'POST', '/:addToGroups', (ctx, r) => {
    const groups = groupsBody(r);
    if (!Array.isArray(groups)) return groups;
    for (const connection of ctx.registry.connections(r.hub)) for (const group of groups) connection.groups.add(group);
    return { status: 200 };
  }),
  route('removeConnectionsFromGroups', 'POST', '/:removeFromGroups', (ctx, r) => {
    const groups = groupsBody(r);
    if (!Array.isArray(groups)) return groups;
    for (const connection of ctx.registry.connections(r.hub))
      for (const group of groups) connection.groups.delete(group);
    return { status: 200 };
  }),
  route('closeConnection', 'DELETE', `/connections/${SEGMENT}`, (ctx, r) => {
    ctx.registry.connection(r.hub, r.params[0] ?? '')?.close(r.query.get('reason') ?? undefined);
    return { status: 204 };
  }),
  route('connectionExists', 'HEAD', `/connections/${SEGMENT}`, (ctx, r) =>
    exists(ctx.registry.connection(r.hub, r.params[0] ?? '') !== undefined),
  ),
  route('sendToConnection', 'POST', `/connections/${SEGMENT}/:send`, (ctx, r) => {
    const connection = ctx.registry.connection(r.hub, r.params[0] ?? '');
    return send(ctx, r, connection ? [connection] : []);
  }),
  route('removeConnectionFromAllGroups', 'DELETE', `/connections/${SEGMENT}/groups`, (ctx, r) => {
    ctx.registry.connection(r.hub, r.params[0] ?? '')?.groups.clear();
    return { status: 204 };
  }),
  route('groupExists', 'HEAD', `/groups/${SEGMENT}`, (ctx, r) =>
    exists(ctx.registry.groupConnections(r.hub, r.params[0] ?? '').length > 0),
  ),
  route('closeGroupConnections', 'POST', `/groups/${SEGMENT}/:closeConnections`, (ctx, r) =>
    closeAll(r, ctx.registry.groupConnections(r.hub, r.params[0] ?? '')),
  ),
  route('sendToGroup', 'POST', `/groups/${SEGMENT}/:send`, (ctx, r) => {
    const group = r.params[0] ?? '';
    return send(ctx, r, ctx.registry.groupConnections(r.hub, group), group);
  }),
  route('listConnectionsInGroup', 'GET', `/groups/${SEGMENT}/connections`, (ctx, r) => ({
    status: 200,
    json: {
      value: ctx.registry
        .groupConnections(r.hub, r.params[0] ?? '')
        .map((c) =>
          c.userId === undefined
            ? { connectionId: c.connectionId }
            : { connectionId: c.connectionId, userId: c.userId },
        ),
    },
  })),
  route('addConnectionToGroup', 'PUT', `/groups/${SEGMENT}/connections/${SEGMENT}`, (ctx, r) => {
    const connection = ctx.registry.connection(r.hub, r.params[1] ?? '');
    if (!connection) return { status: 404, error: { code: 'NotFound', message: 'The connection does not exist.' } };
    connection.groups.add(r.params[0] ?? '');
    return { status: 200 };
  }),
  route('removeConnectionFromGroup', 'DELETE', `/groups/${SEGMENT}/connections/${SEGMENT}`, (ctx, r) => {
    ctx.registry.connection(r.hub, r.params[1] ?? '')?.groups.delete(r.params[0] ?? '');
    return { status: 204 };
  }),
  ...(['PUT', 'DELETE', 'HEAD'] as const).map((method) =>
    route(`${method.toLowerCase()}Permission`, method, `/permissions/${SEGMENT}/connections/${SEGMENT}`, (ctx, r) => {
      const role = permissionRole(r.params[0] ?? '', r.query.get('targetName'));
      if (!role) return badRequest('permission must be joinLeaveGroup or sendToGroup.');
      const connection = ctx.registry.connection(r.hub, r.params[1] ?? '');
      if (method === 'HEAD') return exists(connection?.roles.has(role) ?? false);
      if (!connection) return { status: 404, error: { code: 'NotFound', message: 'The connection does not exist.' } };
      if (method === 'PUT') connection.roles.add(role);
      else connection.roles.delete(role);
      return { status: method === 'PUT' ? 200 : 204 };
    }),
  ),
  route('userExists', 'HEAD', `/users/${SEGMENT}`, (ctx, r) =>
    exists(ctx.registry.userConnections(r.hub, r.params[0] ?? '').length > 0),
  ),
  route('closeUserConnections', 'POST', `/users/${SEGMENT}/:closeConnections`, (ctx, r) =>
    closeAll(r, ctx.registry.userConnections(r.hub, r.params[0] ?? '')),
  ),
  route('sendToUser', 'POST', `/users/${SEGMENT}/:send`, (ctx, r) =>
    send(ctx, r, ctx.registry.userConnections(r.hub, r.params[0] ?? '')),
  ),
  route('removeUserFromAllGroups', 'DELETE', `/users/${SEGMENT}/groups`, (ctx, r) => {
    ctx.registry.removeUserFromAllGroups(r.hub, r.params[0] ?? '');
    return { status: 204 };
  }),
  route('addUserToGroup', 'PUT', `/users/${SEGMENT}/groups/${SEGMENT}`, (ctx, r) => {
    ctx.registry.addUserToGroup(r.hub, r.params[0] ?? '', r.params[1] ?? '');
    return { status: 200 };
  }),
  route('removeUserFromGroup', 'DELETE', `/users/${SEGMENT}/groups/${SEGMENT}`, (ctx, r) => {
    ctx.registry.removeUserFromGroup(r.hub, r.params[0] ?? '', r.params[1] ?? '');
    return { status: 204 };
  }),
];

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function respond(res: ServerResponse, result: RouteResult, head: boolean): void {
  if (result.error) {
    res.setHeader('x-ms-error-code', result.error.code);
    if (!head) {
      res.writeHead(result.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: result.error }));
      return;
    }
  }
  if (result.json !== undefined && !head) {
    res.writeHead(result.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result.json));
    return;
  }
  res.writeHead(result.status);
  res.end();
}

export async function handleRest(ctx: RestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', ctx.endpoint);
  const method = req.method ?? 'GET';
  const head = method === 'HEAD';
  const body = await readBody(req);
  const apiVersion = url.searchParams.get('api-version');
  if (url.pathname === '/api/health' && method === 'HEAD') return respond(res, { status: 200 }, head);
  // Path segments arrive percent-encoded (`%3Asend` for `:send` by some clients, user ids with `@`).
  const path = decodeURIComponent(url.pathname);
  const matched = ROUTES.map((r) => ({ r, match: r.method === method ? r.pattern.exec(path) : null })).find(
    (candidate) => candidate.match !== null,
  );
  if (!matched?.match) {
    ctx.stats.countRest('unknown');
    return respond(res, { status: 404, error: { code: 'NotFound', message: `No route for ${method} ${path}` } }, head);
  }
  ctx.stats.countRest(matched.r.operation);
  const auth = await checkRestBearer(req, ctx.accessKey, ctx.now());
  if (!auth.ok) return respond(res, { status: 401, error: { code: 'Unauthorized', message: auth.reason } }, head);
  if (apiVersion === null || !SUPPORTED_API_VERSIONS.includes(apiVersion)) {
    return respond(res, badRequest(`Unsupported api-version '${apiVersion ?? ''}'.`), head);
  }
  const [, hub = '', ...params] = matched.match;
  const request: RouteRequest = {
    hub,
    params,
    query: url.searchParams,
    body,
    contentType: req.headers['content-type'] ?? '',
  };
  respond(res, await matched.r.handle(ctx, request), head);
}
