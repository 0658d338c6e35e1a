import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import type { ClientRequest, IncomingMessage } from 'node:http';

/**
 * Imported into the dev stack's process by attachments.bench.ts (startBenchStack's `imports`): appends a JSON line to
 * the file named by BENCH_BLOB_PROBE_LOG for every answer the process gets from Azurite's Blob service, that is every
 * Blob Storage call the backend makes itself. Seen through Node's built-in HTTP client diagnostics channel, so the
 * backend runs unchanged.
 */

/** One Blob Storage call of the backend, with its body bytes each way. */
export interface BlobCall {
  method: string;
  /** Without the query (no SAS or token in the log). */
  path: string;
  status: number;
  /** The byte range asked for (`x-ms-range` or `range`), if any. */
  range?: string;
  requestBytes: number;
  /**
   * The response's Content-Length (0 for HEAD): what Blob Storage sent. Counting the body's chunks here would need a
   * `data` listener, which would set the stream flowing before the Azure SDK reads it and lose data.
   */
  responseBytes: number;
}

/** Azurite's Blob service is the only one the dev stack reaches over HTTPS under its account's path. */
const isBlobCall = (request: ClientRequest): boolean =>
  request.protocol === 'https:' && request.path.startsWith('/devstoreaccount1');

function blobCall(request: ClientRequest, response: IncomingMessage): BlobCall {
  const range = request.getHeader('x-ms-range') ?? request.getHeader('range');
  return {
    method: request.method,
    path: request.path.split('?')[0] ?? '',
    status: response.statusCode ?? 0,
    ...(range === undefined ? {} : { range: String(range) }),
    requestBytes: Number(request.getHeader('content-length') ?? 0),
    responseBytes: request.method === 'HEAD' ? 0 : Number(response.headers['content-length'] ?? 0),
  };
}

const log = process.env.BENCH_BLOB_PROBE_LOG;
if (log) {
  subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    if (isBlobCall(request)) appendFileSync(log, `${JSON.stringify(blobCall(request, response))}\n`);
  });
}
