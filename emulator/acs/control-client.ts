import { ControlClientBase } from '../common/control-call';
import { EmailControlClient } from '../email/control-client';
import type {
  DeadLetteredEvent,
  DeliverySettings,
  DeliveryStats,
  EventSubscription,
  SubscriptionSpec,
} from '../eventgrid/delivery';
import type { EmulatorStats, IdentityInfo, ThreadDetails, ThreadInfo } from './control';

/**
 * HTTP client for the control API, for use from another process (benchmarks, the dev stack).
 * Authenticates with the `x-emulator-key` header (the resource access key).
 */
export class EmulatorControlClient extends ControlClientBase {
  /** The Email part: mailbox (`await client.email.messages()`), sending limits, sender domains, failures. */
  readonly email = new EmailControlClient((method, path, body) => this.call(method, path, body));

  /** From `endpoint=https://…/;accesskey=…` (keys are case-insensitive, like the SDK's parser). */
  static fromConnectionString(connectionString: string, ca?: string | Buffer): EmulatorControlClient {
    const m = /endpoint=(.*);accesskey=(.*)/i.exec(connectionString);
    if (!m?.[1] || !m[2]) throw new Error('Invalid connection string: expected endpoint=…;accesskey=…');
    return new EmulatorControlClient(m[1], m[2], ca);
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
