import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request through the proxy, with the body bytes that passed each way. */
export interface ProxiedRequest {
  method: string;
  /** Without the query. */
  path: string;
  status: number;
  requestBytes: number;
  responseBytes: number;
}

/** A reverse proxy on loopback that forwards every request to one origin and counts the body bytes, for benchmarks. */
export interface ByteCountingProxy {
  /** `http://127.0.0.1:<port>`: use it in place of the target's origin (pages too: see startByteCountingProxy). */
  origin: string;
  /** Requests fully answered since the last reset, in the order they ended. */
  requests(): ProxiedRequest[];
  reset(): void;
  close(): Promise<void>;
}

/**
 * Requests are forwarded unchanged, Host header included: a page loaded through the proxy is then of the proxy's
 * origin for the target too (the dev host's sign-in checks a page's Origin against the Host it was sent to). Bytes
 * are counted as they pass, whatever the headers say.
 */
export async function startByteCountingProxy(targetOrigin: string): Promise<ByteCountingProxy> {
  const target = new URL(targetOrigin);
  const agent = new http.Agent({ keepAlive: true });
  let answered: ProxiedRequest[] = [];
  const server = http.createServer((request, response) => {
    const record: ProxiedRequest = {
      method: request.method ?? 'GET',
      path: (request.url ?? '/').split('?')[0] ?? '/',
      status: 0,
      requestBytes: 0,
      responseBytes: 0,
    };
    const into = answered;
    request.on('data', (chunk: Buffer) => (record.requestBytes += chunk.length));
    const forward = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
        agent,
      },
      (answer) => {
        record.status = answer.statusCode ?? 502;
        response.writeHead(record.status, answer.headers);
        answer.on('data', (chunk: Buffer) => (record.responseBytes += chunk.length));
        answer.on('end', () => into.push(record));
        answer.pipe(response);
      },
    );
    forward.on('error', () => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
    request.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => [...answered],
    // A new list: requests still in flight finish into the old one, so none is counted in a phase it did not run in.
    reset: () => void (answered = []),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}
