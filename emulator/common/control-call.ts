import { request } from 'node:https';

import type { ActiveFault, FaultSpec } from '../acs/faults';

/**
 * Calls to an emulator's HTTP control API (`/_emulator/<path>` on its HTTPS port), authenticated with the plain
 * key in the `x-emulator-key` header; used by the control clients that benchmarks and the dev stack run in another
 * process.
 */

/** Header that authorizes control API calls with the emulator's key. */
export const CONTROL_KEY_HEADER = 'x-emulator-key';

export interface ControlTarget {
  /** The emulator's endpoint (`https://127.0.0.1:<port>/`). */
  base: URL;
  key: string;
  /** PEM of the CA that signed the emulator's certificate. */
  ca?: string | Buffer;
}

/** Resolves with the parsed JSON reply (undefined when empty); rejects on 4xx/5xx with the status and body. */
export function callControl<T>(target: ControlTarget, method: string, path: string, body?: unknown): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const url = new URL(`_emulator/${path}`, target.base);
  return new Promise<T>((resolve, reject) => {
    const headers: Record<string, string | number> = { [CONTROL_KEY_HEADER]: target.key, accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const req = request(url, { method, headers, ...(target.ca ? { ca: target.ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 400) reject(new Error(`Emulator control ${method} ${path} failed with ${status}: ${text}`));
        else resolve((text ? JSON.parse(text) : undefined) as T);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The control routes every emulator serves (reset, counts, faults); each emulator's client adds its own. */
export class ControlClientBase {
  private readonly target: ControlTarget;

  constructor(endpoint: string, key: string, ca?: string | Buffer) {
    this.target = { base: new URL(endpoint), key, ...(ca ? { ca } : {}) };
  }

  protected call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return callControl<T>(this.target, method, path, body);
  }

  reset(): Promise<void> {
    return this.call('POST', 'reset');
  }

  async requestCounts(): Promise<Record<string, number>> {
    return (await this.call<{ counts: Record<string, number> }>('GET', 'counts')).counts;
  }

  resetCounts(): Promise<void> {
    return this.call('DELETE', 'counts');
  }

  injectFault(spec: FaultSpec): Promise<ActiveFault> {
    return this.call('POST', 'faults', spec);
  }

  async listFaults(): Promise<ActiveFault[]> {
    return (await this.call<{ value: ActiveFault[] }>('GET', 'faults')).value;
  }

  clearFaults(): Promise<void> {
    return this.call('DELETE', 'faults');
  }
}
