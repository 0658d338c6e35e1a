import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A reverse proxy on loopback that forwards every request to one origin and counts them, for benchmarks. */
export interface CountingProxy {
  /** `http://127.0.0.1:<port>`: use it in place of the target's origin. */
  origin: string;
  /** Requests received since the last reset, by the key `classify` gave them. */
  counts(): Record<string, number>;
  total(): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * Every request is counted when it arrives (whatever its outcome) under `classify(method, path)`, then forwarded
 * unchanged but for the Host header, so that clients signing their requests (Tables' shared key signs the path,
 * not the host) still pass.
 */
export async function startCountingProxy(
  targetOrigin: string,
  classify: (method: string, path: string) => string,
): Promise<CountingProxy> {
  const target = new URL(targetOrigin);
  const agent = new http.Agent({ keepAlive: true });
  const counts = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const key = classify(request.method ?? 'GET', (request.url ?? '/').split('?')[0] ?? '/');
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const forward = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: target.host },
        agent,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
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
    counts: () => Object.fromEntries(counts),
    total: () => [...counts.values()].reduce((sum, n) => sum + n, 0),
    reset: () => counts.clear(),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}
