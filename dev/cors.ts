import type http from 'node:http';

/**
 * CORS for the dev host, as `func start` does with `Host.CORS` in local.settings.json (in Azure the platform's
 * CORS setting, from infra, does it): allowed origins get the CORS headers, and preflight requests are answered here.
 * Returns true when the request was a preflight and has been answered.
 */
export function applyCors(
  allowedOrigins: readonly string[],
  request: http.IncomingMessage,
  response: http.ServerResponse,
): boolean {
  const origin = request.headers.origin;
  if (!origin || allowedOrigins.length === 0) return false;
  const allowed = allowedOrigins.includes('*') || allowedOrigins.includes(origin);
  const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
  if (allowed) {
    response.setHeader('Access-Control-Allow-Origin', allowedOrigins.includes('*') ? '*' : origin);
    response.setHeader('Vary', 'Origin');
    response.setHeader('Access-Control-Expose-Headers', 'x-request-id, retry-after, www-authenticate, location');
  }
  if (!preflight) return false;
  if (allowed) {
    response.setHeader('Access-Control-Allow-Methods', 'GET, POST, PATCH, DELETE, OPTIONS');
    response.setHeader(
      'Access-Control-Allow-Headers',
      request.headers['access-control-request-headers'] ?? 'authorization, content-type',
    );
    response.setHeader('Access-Control-Max-Age', '600');
  }
  response.writeHead(allowed ? 204 : 403).end();
  return true;
}
