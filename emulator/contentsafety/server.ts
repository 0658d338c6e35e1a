import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

import type { RequestContext } from '../acs/context';
import { ApiError, badRequest } from '../acs/errors';
import { faultResponse } from '../acs/faults';
import { requireApiVersion } from '../acs/request';
import type { TlsMaterial } from '../acs/tls';
import { createTlsServer, readBody, sendJson } from '../common/http';
import { authenticate } from './auth';
import type { ContentSafetyControl } from './control';
import { handleControl } from './control-routes';
import { resourceNotFound, serverBusy } from './errors';
import { API_VERSIONS } from './limits';
import { matchRoute } from './routes';
import type { ContentSafetyState } from './state';

/**
 * The HTTPS front door: per request, in this order, counting, outage, injected faults, delay, authentication,
 * api-version, rate limiting (text:analyze) and the operation; errors carry `x-ms-error-code` as the contract says.
 */

const MAX_BODY_BYTES = 1024 * 1024;

/** `{endpoint}/contentsafety` from an endpoint that ends in `/` gives `//contentsafety`; the path means the same. */
const normalPath = (rawPath: string): string => rawPath.replace(/\/{2,}/g, '/');

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  sendJson(res, status, body, typeof code === 'string' ? { ...headers, 'x-ms-error-code': code } : headers);
}

async function dataPlane(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  path: string,
  st: ContentSafetyState,
): Promise<void> {
  const m = matchRoute(ctx.method, path);
  if (m === undefined) throw resourceNotFound(`There is no Content Safety operation at ${ctx.method} ${path}.`);
  if (m === 'method') throw new ApiError(405, 'MethodNotAllowed', `${ctx.method} is not allowed on ${path}.`);
  ctx.operation = m.operation;
  ctx.params = m.params;
  st.counts.set(m.operation, (st.counts.get(m.operation) ?? 0) + 1);
  const outageLeftMs = st.outage.untilMs - Date.now();
  if (outageLeftMs > 0)
    throw serverBusy(Number.isFinite(outageLeftMs) ? Math.max(1, Math.ceil(outageLeftMs / 1000)) : 1);
  const fault = st.faults.size > 0 ? st.faults.decide(m.operation) : undefined;
  if (fault && fault.latencyMs > 0) await sleep(fault.latencyMs);
  if (fault?.drop) {
    req.socket.destroy();
    return;
  }
  if (fault?.fault) {
    const r = faultResponse(fault.fault);
    reply(res, r.status, r.body, r.headers);
    return;
  }
  if (st.delay.ms > 0) await sleep(st.delay.ms);
  authenticate(ctx.headers, st.key, Date.now());
  const apiVersion = requireApiVersion(ctx, API_VERSIONS);
  st.rateLimit.limiter.check(m.operation, Date.now());
  const result = m.handle(ctx, st, apiVersion);
  reply(res, result.status, result.body, result.headers);
}

export function createContentSafetyServer(
  tls: TlsMaterial,
  st: ContentSafetyState,
  control: ContentSafetyControl,
): Server {
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const qi = target.indexOf('?');
    let path: string;
    try {
      path = normalPath(decodeURIComponent(qi < 0 ? target : target.slice(0, qi)));
    } catch {
      reply(res, 400, badRequest('The request path is not valid percent-encoding.').body());
      return;
    }
    try {
      const ctx: RequestContext = {
        operation: '',
        method: req.method ?? 'GET',
        target,
        query: new URLSearchParams(qi < 0 ? '' : target.slice(qi + 1)),
        params: [],
        headers: req.headers,
        body: await readBody(req, MAX_BODY_BYTES),
        baseUrl: `https://${req.headers.host ?? '127.0.0.1'}`,
      };
      if (path.startsWith('/_emulator/')) {
        const r = handleControl(ctx, path.slice('/_emulator/'.length), st.key, control);
        sendJson(res, r.status, r.body);
        return;
      }
      await dataPlane(req, res, ctx, path, st);
    } catch (e) {
      if (res.headersSent || res.destroyed) return;
      if (e instanceof ApiError) reply(res, e.status, e.body(), e.headers);
      else
        reply(res, 500, { error: { code: 'InternalError', message: 'The emulator failed to process the request.' } });
    }
  }

  return createTlsServer(tls, handle);
}
