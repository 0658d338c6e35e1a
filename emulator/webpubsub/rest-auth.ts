import type { IncomingMessage } from 'node:http';

import { verifyHs256 } from './jwt';

/**
 * The access-key bearer token of the REST API: `@azure/web-pubsub` signs `{aud: request.url, exp: +1h}` with HS256
 * and the access key (webPubSubCredentialPolicy.ts); the Python SDK does the same. `request.url` includes the query
 * string, so both the full URL and the URL without its query are accepted as audience.
 */
export async function checkRestBearer(
  req: IncomingMessage,
  accessKey: string,
  nowMs: number,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const header = req.headers.authorization;
  if (!header?.startsWith('Bearer ')) return { ok: false, reason: 'missing bearer token' };
  const rawUrl = req.url ?? '/';
  const origin = `http://${req.headers.host ?? ''}`;
  const withoutQuery = rawUrl.split('?')[0] ?? rawUrl;
  const audiences = [`${origin}${rawUrl}`, `${origin}${withoutQuery}`];
  const check = await verifyHs256(header.slice('Bearer '.length), accessKey, audiences, nowMs);
  return check.ok ? { ok: true } : { ok: false, reason: check.reason };
}
