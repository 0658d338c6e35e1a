import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface Received {
  path: string;
  body: string;
}

/**
 * A loopback endpoint that accepts whatever is posted to it: an OTLP collector (HTTP), or Application Insights'
 * ingestion (HTTPS only: its exporter upgrades any other scheme), with a certificate from `tls`.
 */
export async function startSink(
  answer: (path: string, body: string) => unknown,
  tls?: { serverCertPem: string; serverKeyPem: string },
): Promise<{
  url: string;
  received: Received[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const handler: http.RequestListener = (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      const path = new URL(request.url ?? '/', 'http://sink').pathname;
      received.push({ path, body });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer(path, body)));
    });
  };
  const server = tls
    ? https.createServer({ cert: tls.serverCertPem, key: tls.serverKeyPem }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Envelope {
  tags: Record<string, string>;
  data: {
    baseType: string;
    baseData: {
      name?: string;
      responseCode?: string;
      success?: boolean;
      properties?: Record<string, string>;
      metrics?: Array<{ name: string; value: number }>;
    };
  };
}

/** Application Insights' ingestion takes a JSON array or newline-delimited JSON. */
export function parseEnvelopes(body: string): Envelope[] {
  const trimmed = body.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as Envelope[];
  return trimmed
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Envelope);
}
