import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';

import { ApiError } from '../acs/errors';
import type { TlsMaterial } from '../acs/tls';

/** The HTTPS server, request bodies and JSON replies shared by the ACS and Content Safety emulators' front doors. */

/** An HTTPS server on the emulator's certificate, keeping connections alive as Azure front ends do. */
export function createTlsServer(
  tls: TlsMaterial,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Server {
  const server = createServer(
    { key: tls.serverKeyPem, cert: tls.serverCertPem, keepAlive: true },
    (req, res) => void handle(req, res),
  );
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 31_000;
  return server;
}

/** The whole body; a body over `maxBytes` rejects with 413 `RequestEntityTooLarge`. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        reject(new ApiError(413, 'RequestEntityTooLarge', 'The request body is too large.'));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Writes `body` as JSON (none when undefined) with a content-length. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const h: Record<string, string | number> = {
    ...headers,
    'content-length': payload === undefined ? 0 : Buffer.byteLength(payload),
  };
  if (payload !== undefined) h['content-type'] = 'application/json; charset=utf-8';
  res.writeHead(status, h);
  res.end(payload);
}
