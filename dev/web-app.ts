import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';

import { build } from 'esbuild';
import { z } from 'zod';

import type { Mount } from './host';
import type { DevIssuer } from './issuer';

/**
 * The browser chat app (web/) on the dev stack: `GET /` is the page, `GET /app.js` its esbuild bundle (built on
 * request, so an edit shows on reload), and `POST /dev-sign-in` mints a dev issuer token for any user name (with the
 * admin role when asked: anyone may moderate here; with an `email` claim when an address is given). Dev only: the
 * deployed Functions app serves none of this.
 */

const webDir = path.resolve(__dirname, '../web');
const MAX_SIGN_IN_BYTES = 1024;

const signInBody = z
  .object({
    userId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash or underscore (at most 64)'),
    displayName: z.string().trim().min(1).max(100).optional(),
    admin: z.boolean().optional(),
    email: z.email().max(254).optional(),
  })
  .strict();

/** The app's bundle: minified, with a source map inline only when asked for. */
export async function bundleWebApp(options: { minify?: boolean } = {}): Promise<string> {
  const result = await build({
    entryPoints: [path.join(webDir, 'src/main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: options.minify ?? true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/**
 * Besides its own origin, the page may reach `liveEndpoint` (Web PubSub: WebSockets) and `blobEndpoint` (Blob Storage:
 * uploads and images), and nothing else. `adminRole` is the role an admin sign-in gets (the backend's AUTH_ADMIN_ROLE).
 */
export function webAppMount(
  issuer: DevIssuer,
  endpoints: { liveEndpoint?: string; blobEndpoint?: string } = {},
  adminRole = 'Chat.Admin',
): Mount {
  const policy = contentSecurityPolicy(endpoints);
  return async (request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://x').pathname;
    if (request.method === 'GET' && pathname === '/') {
      send(response, 200, 'text/html; charset=utf-8', await readFile(path.join(webDir, 'index.html'), 'utf8'), policy);
      return true;
    }
    if (request.method === 'GET' && pathname === '/app.js') {
      send(response, 200, 'text/javascript; charset=utf-8', await bundleWebApp(), policy);
      return true;
    }
    if (request.method === 'POST' && pathname === '/dev-sign-in') {
      if (!fromOwnPage(request))
        send(response, 403, 'application/json', '{"error":"only the app\'s own page may sign in"}');
      else await signIn(issuer, adminRole, request, response);
      return true;
    }
    return false;
  };
}

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

/**
 * Minting tokens is for this page alone: never for another site the developer visits (the dev API allows any CORS
 * origin), nor for one that rebinds its DNS name to 127.0.0.1 (its Host header then names that site).
 */
function fromOwnPage(request: http.IncomingMessage): boolean {
  const host = request.headers.host ?? '';
  const origin = request.headers.origin;
  return LOOPBACK_HOST.test(host) && (origin === undefined || origin === `http://${host}`);
}

async function signIn(
  issuer: DevIssuer,
  adminRole: string,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  let text = '';
  for await (const chunk of request) {
    text += String(chunk);
    if (text.length > MAX_SIGN_IN_BYTES) return send(response, 413, 'application/json', '{"error":"too large"}');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = signInBody.safeParse(json);
  if (!parsed.success) {
    send(response, 400, 'application/json', JSON.stringify({ error: parsed.error.issues[0]?.message ?? 'invalid' }));
    return;
  }
  const { userId, displayName, admin, email } = parsed.data;
  const token = await issuer.mint(userId, {
    ...(displayName ? { name: displayName } : {}),
    ...(admin ? { roles: [adminRole] } : {}),
    ...(email ? { email } : {}),
  });
  send(response, 200, 'application/json', JSON.stringify({ userId, displayName: displayName ?? userId, token }));
}

/**
 * The page runs only its own bundle: no inline script, no other origin (a message can never bring code). It talks to
 * its own origin, opens WebSockets only to Web PubSub, and uploads to and shows images from Blob Storage only.
 */
function contentSecurityPolicy(endpoints: { liveEndpoint?: string; blobEndpoint?: string }): string {
  const socketOrigin = endpoints.liveEndpoint
    ? ` ${new URL(endpoints.liveEndpoint).origin.replace(/^http/, 'ws')}`
    : '';
  const blobOrigin = endpoints.blobEndpoint ? ` ${new URL(endpoints.blobEndpoint).origin}` : '';
  return (
    `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:${blobOrigin}; ` +
    `object-src 'none'; connect-src 'self'${socketOrigin}${blobOrigin}`
  );
}

function send(
  response: http.ServerResponse,
  status: number,
  type: string,
  body: string,
  policy = contentSecurityPolicy({}),
): void {
  response.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
  });
  response.end(body);
}
