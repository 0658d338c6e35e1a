import { randomUUID } from 'node:crypto';

import { badRequest } from './errors';

/**
 * Fault injection: make an operation (or `*` = every ACS operation) fail for the next `count` calls,
 * or for `percent` % of calls until cleared, with an HTTP status (429/503 carry Retry-After), added
 * latency, or a dropped connection.
 */

export interface FaultSpec {
  /** An operation name such as `chat.sendMessage`, a family such as `chat.*`, or `*` for all. */
  operation: string;
  status?: number;
  latencyMs?: number;
  drop?: boolean;
  /** Applies to the next N matching calls (default 1 when neither count nor percent is given). */
  count?: number;
  /** Applies to this percentage of matching calls (0..100), until cleared or `count` runs out. */
  percent?: number;
  /** Sent as `Retry-After` (default 1 for 429 and 503). */
  retryAfterSeconds?: number;
  /** Also sent as `retry-after-ms`, which the Azure SDK prefers over `Retry-After` (handy for fast tests). */
  retryAfterMs?: number;
  /** Error code/message in the body; defaults follow the service (TooManyRequests, ServiceUnavailable, …). */
  code?: string;
  message?: string;
}

export interface ActiveFault extends FaultSpec {
  id: string;
  /** Calls still to affect; undefined = unlimited (percent faults). */
  remaining?: number;
  hits: number;
}

export interface FaultDecision {
  latencyMs: number;
  drop: boolean;
  fault?: ActiveFault;
}

export function validateFault(spec: unknown): FaultSpec {
  if (typeof spec !== 'object' || spec === null) throw badRequest('Fault spec must be an object.');
  const f = spec as FaultSpec;
  if (typeof f.operation !== 'string' || f.operation === '') throw badRequest('Fault spec needs an operation.');
  if (f.status === undefined && f.latencyMs === undefined && !f.drop)
    throw badRequest('Fault spec needs status, latencyMs or drop.');
  if (f.status !== undefined && (!Number.isInteger(f.status) || f.status < 400 || f.status > 599))
    throw badRequest('status must be 400..599.');
  if (f.percent !== undefined && !(f.percent >= 0 && f.percent <= 100)) throw badRequest('percent must be 0..100.');
  if (f.count !== undefined && !(Number.isInteger(f.count) && f.count > 0))
    throw badRequest('count must be a positive integer.');
  if (f.latencyMs !== undefined && !(f.latencyMs >= 0 && f.latencyMs <= 600_000))
    throw badRequest('latencyMs must be 0..600000.');
  return f;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  add(spec: FaultSpec): ActiveFault {
    const f = validateFault(spec);
    const remaining = f.count ?? (f.percent === undefined ? 1 : undefined);
    const active: ActiveFault = { ...f, id: randomUUID(), hits: 0 };
    if (remaining !== undefined) active.remaining = remaining;
    this.faults.push(active);
    return active;
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }

  get size(): number {
    return this.faults.length;
  }

  /** Decides what happens to one call of `operation`, consuming the faults that fire. */
  decide(operation: string): FaultDecision {
    const d: FaultDecision = { latencyMs: 0, drop: false };
    if (this.faults.length === 0) return d;
    for (const f of this.faults) {
      if (!matches(f.operation, operation)) continue;
      if (f.remaining === 0) continue;
      if (f.percent !== undefined && this.random() * 100 >= f.percent) continue;
      f.hits++;
      if (f.remaining !== undefined) f.remaining--;
      d.latencyMs += f.latencyMs ?? 0;
      if (f.drop) {
        d.drop = true;
        break;
      }
      if (f.status !== undefined) {
        d.fault = f;
        break;
      }
    }
    this.faults = this.faults.filter((f) => f.remaining !== 0);
    return d;
  }
}

const DEFAULT_ERRORS: Record<number, [string, string]> = {
  429: ['TooManyRequests', 'Rate limit exceeded.'],
  500: ['InternalServerError', 'An internal server error occurred.'],
  503: ['ServiceUnavailable', 'The server is currently unable to handle the request.'],
};

/** Status, headers and body for a fault that returns an HTTP error. */
export function faultResponse(f: ActiveFault): {
  status: number;
  headers: Record<string, string>;
  body: { error: { code: string; message: string } };
} {
  const status = f.status ?? 500;
  const [code, message] = DEFAULT_ERRORS[status] ?? ['InjectedFault', `Injected fault with status ${status}.`];
  const headers: Record<string, string> = {};
  const retryable = status === 429 || status === 503;
  if (f.retryAfterSeconds !== undefined || retryable) headers['retry-after'] = String(f.retryAfterSeconds ?? 1);
  if (f.retryAfterMs !== undefined) headers['retry-after-ms'] = String(f.retryAfterMs);
  return { status, headers, body: { error: { code: f.code ?? code, message: f.message ?? message } } };
}

function matches(pattern: string, operation: string): boolean {
  if (pattern === '*' || pattern === operation) return true;
  return pattern.endsWith('.*') && operation.startsWith(pattern.slice(0, -1));
}
