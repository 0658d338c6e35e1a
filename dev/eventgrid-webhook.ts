import type http from 'node:http';

import type { InvocationContext } from '@azure/functions';

import type { EventGridFunctionDefinition } from '../src/functions/definition';

/**
 * `POST /runtime/webhooks/eventgrid?functionName={name}` as the Functions host's Event Grid extension answers it
 * (`HttpRequestProcessor.cs` and `EventGridExtensionConfigProvider.cs` of the extension, see
 * emulator/contract/eventgrid/WIRE-NOTES.md): 404 for a missing or unknown function; by `aeg-event-type`,
 * `SubscriptionValidation` → 200 `{"validationResponse": <code>}`, `Notification` → each event of the array (or the
 * single object) invoked on its own, 202 when all succeeded and 500 when any failed, `Unsubscribe` → 202, anything
 * else → 400.
 */

export interface EventGridTarget {
  definition: EventGridFunctionDefinition;
  createContext(): InvocationContext;
}

export async function serveEventGridWebhook(
  request: http.IncomingMessage,
  body: Buffer,
  response: http.ServerResponse,
  target: EventGridTarget | undefined,
): Promise<void> {
  if ((request.method ?? '').toUpperCase() !== 'POST') {
    response.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  if (!target) {
    response.writeHead(404).end();
    return;
  }
  const eventType = String(request.headers['aeg-event-type'] ?? '').toLowerCase();
  let events: unknown[];
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    events = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    response.writeHead(400).end();
    return;
  }
  switch (eventType) {
    case 'subscriptionvalidation': {
      const data = (events[0] as { data?: { validationCode?: unknown } } | undefined)?.data;
      const payload = JSON.stringify({ validationResponse: data?.validationCode });
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(payload);
      return;
    }
    case 'notification': {
      let failed = false;
      for (const event of events) {
        const context = target.createContext();
        try {
          await target.definition.handler(event as Parameters<EventGridFunctionDefinition['handler']>[0], context);
        } catch (error) {
          failed = true;
          context.error('function threw', error instanceof Error ? error.message : String(error));
        }
      }
      response.writeHead(failed ? 500 : 202).end();
      return;
    }
    case 'unsubscribe':
      response.writeHead(202).end();
      return;
    default:
      response.writeHead(400).end();
  }
}
