import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

import { createTlsServer, readBody, sendJson as send } from '../common/http';
import { MAX_REQUEST_BYTES as EMAIL_MAX_REQUEST_BYTES } from '../email/limits';
import { emailHandlers } from '../email/routes';
import { messageHandlers } from './chat-message-routes';
import { participantHandlers } from './chat-participant-routes';
import { threadHandlers } from './chat-thread-routes';
import type { EmulatorState, Handler, RequestContext } from './context';
import { handleControl, type InProcessControl } from './control';
import { ApiError, badRequest, notFound } from './errors';
import { faultResponse } from './faults';
import { identityHandlers } from './identity-routes';
import { matchRoute, pathSegments } from './router';
import type { TlsMaterial } from './tls';

/** The HTTPS front door: routing, request counting, fault injection, error mapping. */

/** Called with every ACS response the emulator sends (not control API ones); used by the contract tests. */
export type ResponseRecorder = (operation: string, status: number, body: unknown) => void;

const HANDLERS: Record<string, Handler> = {
  ...identityHandlers,
  ...threadHandlers,
  ...messageHandlers,
  ...participantHandlers,
  ...emailHandlers,
};
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function createEmulatorServer(
  tls: TlsMaterial,
  st: EmulatorState,
  control: InProcessControl,
  onResponse?: ResponseRecorder,
): Server {
  const reply = (
    res: ServerResponse,
    operation: string | undefined,
    status: number,
    body: unknown,
    headers?: Record<string, string>,
  ): void => {
    if (operation && onResponse) onResponse(operation, status, body);
    send(res, status, body, headers);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const qi = target.indexOf('?');
    const rawPath = qi < 0 ? target : target.slice(0, qi);
    let operation: string | undefined;
    let ctx: RequestContext | undefined;
    try {
      const segments = pathSegments(rawPath);
      if (!segments) throw badRequest('The request path is not valid percent-encoding.');
      // Learn's Email size limit: 10 MB per send request, attachments included.
      const body = await readBody(req, segments[0] === 'emails:send' ? EMAIL_MAX_REQUEST_BYTES : MAX_BODY_BYTES);
      ctx = {
        operation: '',
        method,
        target,
        query: new URLSearchParams(qi < 0 ? '' : target.slice(qi + 1)),
        params: [],
        headers: req.headers,
        body,
        baseUrl: `https://${req.headers.host ?? '127.0.0.1'}`,
      };
      if (segments[0] === '_emulator') {
        const r = await handleControl(ctx, segments.slice(1), control, st);
        send(res, r.status, r.body);
        return;
      }
      const m = matchRoute(method, segments);
      if (m === undefined) throw notFound(`There is no ACS operation at ${method} ${rawPath}.`);
      if (m === 'method') throw new ApiError(405, 'MethodNotAllowed', `${method} is not allowed on ${rawPath}.`);
      operation = ctx.operation = m.operation;
      ctx.params = m.params;
      st.counts.set(operation, (st.counts.get(operation) ?? 0) + 1);
      const fault = st.faults.size > 0 ? st.faults.decide(operation) : undefined;
      if (fault) {
        if (fault.latencyMs > 0) await sleep(fault.latencyMs);
        if (fault.drop) {
          req.socket.destroy();
          return;
        }
        if (fault.fault) {
          const r = faultResponse(fault.fault);
          reply(res, operation, r.status, r.body, r.headers);
          return;
        }
      }
      const handler = HANDLERS[operation] as Handler;
      const result = await handler(ctx, st);
      // A handler may rename the operation for the recorder (the Email preview api-version has its own contract).
      reply(res, ctx.operation, result.status, result.body, result.headers);
    } catch (e) {
      if (res.headersSent || res.destroyed) return;
      if (operation && ctx?.operation) operation = ctx.operation;
      if (e instanceof ApiError) reply(res, operation, e.status, e.body(), e.headers);
      else
        reply(res, operation, 500, {
          error: { code: 'InternalServerError', message: 'The emulator failed to process the request.' },
        });
    }
  }

  return createTlsServer(tls, handle);
}
