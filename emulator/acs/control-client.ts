import { request } from 'node:https';

import type {
  DeadLetteredEvent,
  DeliverySettings,
  DeliveryStats,
  EventSubscription,
  SubscriptionSpec,
} from '../eventgrid/delivery';
import { CONTROL_KEY_HEADER } from './auth';
import type { EmulatorStats, IdentityInfo, ThreadDetails, ThreadInfo } from './control';
import type { ActiveFault, FaultSpec } from './faults';

/**
 * HTTP client for the control API, for use from another process (benchmarks, the dev stack).
 * Authenticates with the `x-emulator-key` header (the resource access key).
 */
export class EmulatorControlClient {
  private readonly base: URL;

  constructor(
    endpoint: string,
    private readonly accessKey: string,
    private readonly ca?: string | Buffer,
  ) {
    this.base = new URL(endpoint);
  }

  /** From `endpoint=https://…/;accesskey=…` (keys are case-insensitive, like the SDK's parser). */
  static fromConnectionString(connectionString: string, ca?: string | Buffer): EmulatorControlClient {
    const m = /endpoint=(.*);accesskey=(.*)/i.exec(connectionString);
    if (!m?.[1] || !m[2]) throw new Error('Invalid connection string: expected endpoint=…;accesskey=…');
    return new EmulatorControlClient(m[1], m[2], ca);
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const url = new URL(`_emulator/${path}`, this.base);
    return new Promise<T>((resolve, reject) => {
      const headers: Record<string, string | number> = {
        [CONTROL_KEY_HEADER]: this.accessKey,
        accept: 'application/json',
      };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(payload);
      }
      const req = request(url, { method, headers, ...(this.ca ? { ca: this.ca } : {}) }, (res) => {
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

  setRateLimiting(enabled: boolean): Promise<void> {
    return this.call('PUT', 'rate-limiting', { enabled });
  }

  async listIdentities(): Promise<IdentityInfo[]> {
    return (await this.call<{ value: IdentityInfo[] }>('GET', 'identities')).value;
  }

  async listThreads(): Promise<ThreadInfo[]> {
    return (await this.call<{ value: ThreadInfo[] }>('GET', 'threads')).value;
  }

  async getThread(id: string): Promise<ThreadDetails | undefined> {
    try {
      return await this.call<ThreadDetails>('GET', `threads/${encodeURIComponent(id)}`);
    } catch (e) {
      if (e instanceof Error && / 404: /.test(e.message)) return undefined;
      throw e;
    }
  }

  stats(): Promise<EmulatorStats> {
    return this.call('GET', 'stats');
  }

  async advanceClock(ms: number): Promise<number> {
    return Date.parse((await this.call<{ now: string }>('POST', 'clock', { advanceMs: ms })).now);
  }

  resetClock(): Promise<void> {
    return this.call('DELETE', 'clock');
  }

  flush(): Promise<void> {
    return this.call('POST', 'flush');
  }

  subscribeEvents(spec: SubscriptionSpec): Promise<EventSubscription> {
    return this.call('POST', 'eventgrid/subscriptions', spec);
  }

  async listEventSubscriptions(): Promise<EventSubscription[]> {
    return (await this.call<{ value: EventSubscription[] }>('GET', 'eventgrid/subscriptions')).value;
  }

  unsubscribeEvents(id: string): Promise<void> {
    return this.call('DELETE', `eventgrid/subscriptions/${encodeURIComponent(id)}`);
  }

  flushEvents(timeoutMs?: number): Promise<DeliveryStats & { settled: boolean }> {
    return this.call('POST', 'eventgrid/flush', timeoutMs === undefined ? undefined : { timeoutMs });
  }

  eventDeliveryStats(): Promise<DeliveryStats> {
    return this.call('GET', 'eventgrid/stats');
  }

  async listDeadLetters(): Promise<DeadLetteredEvent[]> {
    return (await this.call<{ value: DeadLetteredEvent[] }>('GET', 'eventgrid/dead-letters')).value;
  }

  clearDeadLetters(): Promise<void> {
    return this.call('DELETE', 'eventgrid/dead-letters');
  }

  getEventDelivery(): Promise<DeliverySettings> {
    return this.call('GET', 'eventgrid/delivery');
  }

  setEventDelivery(settings: Partial<DeliverySettings>): Promise<DeliverySettings> {
    return this.call('PUT', 'eventgrid/delivery', settings);
  }
}
