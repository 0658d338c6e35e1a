import type { RequestContext } from '../acs/context';
import { badRequest, notFound } from '../acs/errors';
import { jsonBody } from '../acs/request';
import type { EventDelivery } from './delivery';

/** `/_emulator/eventgrid/…`: subscriptions, flush, delivery statistics, dead letters, delivery settings and faults. */
export async function handleEventGridControl(
  ctx: RequestContext,
  segments: readonly string[],
  delivery: EventDelivery,
): Promise<{ status: number; body?: unknown }> {
  const [a, b] = segments;
  const route = `${ctx.method} ${a ?? ''}${b === undefined ? '' : '/*'}`;
  switch (route) {
    case 'POST subscriptions':
      return { status: 201, body: await delivery.subscribe(jsonBody(ctx)) };
    case 'GET subscriptions': {
      const value = delivery.listSubscriptions();
      return { status: 200, body: { value, count: value.length } };
    }
    case 'DELETE subscriptions/*':
      if (!delivery.unsubscribe(b ?? '')) throw notFound(`Event subscription '${b ?? ''}' does not exist.`);
      return { status: 204 };
    case 'POST flush': {
      const body = jsonBody(ctx) as { timeoutMs?: unknown } | undefined;
      const timeoutMs = body?.timeoutMs ?? 60_000;
      if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0 && timeoutMs <= 600_000))
        throw badRequest("'timeoutMs' must be a number in 0..600000.");
      return { status: 200, body: await delivery.flush(timeoutMs) };
    }
    case 'GET stats':
      return { status: 200, body: delivery.stats() };
    case 'GET dead-letters': {
      const value = delivery.listDeadLetters();
      return { status: 200, body: { value, count: value.length } };
    }
    case 'DELETE dead-letters':
      delivery.clearDeadLetters();
      return { status: 204 };
    case 'GET delivery':
      return { status: 200, body: delivery.getSettings() };
    case 'PUT delivery':
      return { status: 200, body: delivery.updateSettings(jsonBody(ctx)) };
    default:
      throw notFound(`Unknown control route ${ctx.method} /_emulator/eventgrid/${segments.join('/')}.`);
  }
}
