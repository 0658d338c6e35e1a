import { type CommonControl, commonControlRoute, type ControlResult } from '../common/control-routes';
import { createEmailControl, type EmailControl, handleEmailControl } from '../email/control';
import { handleEventGridControl } from '../eventgrid/control-routes';
import type { DeadLetteredEvent, DeliverySettings, DeliveryStats, EventSubscription } from '../eventgrid/delivery';
import { requireControlAuth } from './auth';
import type { EmulatorState, RequestContext } from './context';
import { badRequest, notFound } from './errors';
import type { ActiveFault, FaultSpec } from './faults';
import { jsonBody, objectBody } from './request';
import { messageModel, participantModel, readReceiptModel, type WireParticipant } from './serialize';
import type { RetentionPolicy, ThreadRecord } from './store';

/** The control API: reset, request counts, faults, throttling, clock and state inspection. */

export interface IdentityInfo {
  id: string;
  createdOn: string;
  deleted: boolean;
  deletedOn?: string;
  /** Tokens issued before this instant are refused. */
  tokensRevokedBefore?: string;
}

export interface ThreadInfo {
  id: string;
  topic: string;
  createdOn: string;
  createdBy: string;
  deleted: boolean;
  deletedOn?: string;
  participantCount: number;
  messageCount: number;
  lastMessageReceivedOn: string;
}

export interface ThreadDetails extends ThreadInfo {
  metadata?: Record<string, string>;
  retentionPolicy?: RetentionPolicy;
  participants: WireParticipant[];
  /** Oldest first, as the wire's ChatMessage (deleted messages included). */
  messages: Record<string, unknown>[];
  readReceipts: Record<string, unknown>[];
}

export interface EmulatorStats {
  identities: number;
  liveIdentities: number;
  threads: number;
  liveThreads: number;
  messages: number;
}

/** In-process control handle (synchronous where the state is local). */
export interface EmulatorControl extends CommonControl {
  /** ACS's published rate limits, chat, identity and email alike (email's tier: `email.setRateLimit`). */
  setRateLimiting(enabled: boolean): void;
  /** The Email data plane: mailbox, sending limits, linked sender domains, failures. */
  readonly email: EmailControl;
  listIdentities(): IdentityInfo[];
  listThreads(): ThreadInfo[];
  getThread(id: string): ThreadDetails | undefined;
  stats(): EmulatorStats;
  /** Moves the emulator clock forward (token expiry, retention, rate windows); returns the new now (ms). */
  advanceClock(ms: number): number;
  resetClock(): void;
  now(): number;
  /** Writes pending state to the data directory (no-op in memory). */
  flush(): Promise<void>;
  /** Event Grid: subscribe an endpoint (after the validation handshake) to the chat events. */
  subscribeEvents(spec: {
    endpoint: string;
    includedEventTypes?: string[];
    maxEventsPerBatch?: number;
    retryPolicy?: { maxDeliveryAttempts?: number; eventTimeToLiveInMinutes?: number };
  }): Promise<EventSubscription>;
  listEventSubscriptions(): EventSubscription[];
  unsubscribeEvents(id: string): boolean;
  /** Resolves when no event is queued, waiting for a retry or in flight; with the delivery counts. */
  flushEvents(timeoutMs?: number): Promise<DeliveryStats & { settled: boolean }>;
  eventDeliveryStats(): DeliveryStats;
  listDeadLetters(): DeadLetteredEvent[];
  clearDeadLetters(): void;
  /** Delivery policy (time scale, timeout) and faults (duplicates, reordering). */
  getEventDelivery(): DeliverySettings;
  setEventDelivery(settings: Partial<DeliverySettings>): DeliverySettings;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function threadInfo(t: ThreadRecord): ThreadInfo {
  const info: ThreadInfo = {
    id: t.id,
    topic: t.topic,
    createdOn: iso(t.createdOn),
    createdBy: t.createdBy,
    deleted: t.deletedOn !== undefined,
    participantCount: t.participants.size,
    messageCount: t.messages.length,
    lastMessageReceivedOn: iso(t.lastMessageReceivedOn),
  };
  if (t.deletedOn !== undefined) info.deletedOn = iso(t.deletedOn);
  return info;
}

export class InProcessControl implements EmulatorControl {
  readonly email: EmailControl;

  constructor(
    private readonly st: EmulatorState,
    private readonly persist: () => Promise<void>,
  ) {
    this.email = createEmailControl(st);
  }

  reset(): void {
    this.st.store.reset();
    this.st.counts.clear();
    this.st.faults.clear();
    this.st.rateLimiter.reset();
    this.st.rateLimiter.enabled = this.st.rateLimiter.enabledByDefault;
    this.st.email.reset(this.st.rateLimiter.enabledByDefault);
    this.st.clock.reset();
    this.st.delivery.reset();
  }

  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.st.counts);
  }

  resetCounts(): void {
    this.st.counts.clear();
  }

  injectFault(spec: FaultSpec): ActiveFault {
    return this.st.faults.add(spec);
  }

  listFaults(): ActiveFault[] {
    return this.st.faults.list();
  }

  clearFaults(): void {
    this.st.faults.clear();
  }

  setRateLimiting(enabled: boolean): void {
    this.st.rateLimiter.enabled = enabled;
    this.st.rateLimiter.reset();
    this.st.email.limiter.enabled = enabled;
    this.st.email.limiter.reset();
  }

  listIdentities(): IdentityInfo[] {
    return [...this.st.store.identities.values()].map((r) => {
      const info: IdentityInfo = { id: r.id, createdOn: iso(r.createdOn), deleted: r.deletedOn !== undefined };
      if (r.deletedOn !== undefined) info.deletedOn = iso(r.deletedOn);
      if (r.revokedBeforeSec !== undefined) info.tokensRevokedBefore = iso(r.revokedBeforeSec * 1000);
      return info;
    });
  }

  listThreads(): ThreadInfo[] {
    const now = this.st.clock.now();
    const threads = [...this.st.store.threads.values()];
    for (const t of threads) this.st.store.liveThread(t.id, now); // applies retention before reporting
    return threads.map(threadInfo);
  }

  getThread(id: string): ThreadDetails | undefined {
    this.st.store.liveThread(id, this.st.clock.now());
    const t = this.st.store.threads.get(id);
    if (!t) return undefined;
    const d: ThreadDetails = {
      ...threadInfo(t),
      participants: [...t.participants.values()].map(participantModel),
      messages: t.messages.map(messageModel),
      readReceipts: [...t.readReceipts.values()].map(readReceiptModel),
    };
    if (t.metadata) d.metadata = t.metadata;
    if (t.retentionPolicy) d.retentionPolicy = t.retentionPolicy;
    return d;
  }

  stats(): EmulatorStats {
    const now = this.st.clock.now();
    let liveIdentities = 0;
    let liveThreads = 0;
    let messages = 0;
    for (const i of this.st.store.identities.values()) if (i.deletedOn === undefined) liveIdentities++;
    for (const t of this.st.store.threads.values()) {
      if (this.st.store.liveThread(t.id, now)) liveThreads++;
      messages += t.messages.length;
    }
    return {
      identities: this.st.store.identities.size,
      liveIdentities,
      threads: this.st.store.threads.size,
      liveThreads,
      messages,
    };
  }

  advanceClock(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw badRequest('advanceMs must be a non-negative number.');
    this.st.clock.advance(ms);
    // Retention deletes (and their events) happen when their time comes, not only when someone next looks.
    for (const id of this.st.store.threads.keys()) this.st.store.liveThread(id, this.st.clock.now());
    return this.st.clock.now();
  }

  resetClock(): void {
    this.st.clock.reset();
  }

  now(): number {
    return this.st.clock.now();
  }

  flush(): Promise<void> {
    return this.persist();
  }

  subscribeEvents(spec: Parameters<EmulatorControl['subscribeEvents']>[0]): Promise<EventSubscription> {
    return this.st.delivery.subscribe(spec);
  }

  listEventSubscriptions(): EventSubscription[] {
    return this.st.delivery.listSubscriptions();
  }

  unsubscribeEvents(id: string): boolean {
    return this.st.delivery.unsubscribe(id);
  }

  flushEvents(timeoutMs?: number): Promise<DeliveryStats & { settled: boolean }> {
    return this.st.delivery.flush(timeoutMs);
  }

  eventDeliveryStats(): DeliveryStats {
    return this.st.delivery.stats();
  }

  listDeadLetters(): DeadLetteredEvent[] {
    return this.st.delivery.listDeadLetters();
  }

  clearDeadLetters(): void {
    this.st.delivery.clearDeadLetters();
  }

  getEventDelivery(): DeliverySettings {
    return this.st.delivery.getSettings();
  }

  setEventDelivery(settings: Partial<DeliverySettings>): DeliverySettings {
    return this.st.delivery.updateSettings(settings);
  }
}

/** Serves `/_emulator/<segments>`; `segments` excludes the `_emulator` prefix. */
export async function handleControl(
  ctx: RequestContext,
  segments: readonly string[],
  control: InProcessControl,
  st: EmulatorState,
): Promise<ControlResult> {
  requireControlAuth(ctx, st);
  if (segments[0] === 'eventgrid') return handleEventGridControl(ctx, segments.slice(1), st.delivery);
  if (segments[0] === 'email') return handleEmailControl(ctx, segments.slice(1), control.email);
  const [a, b] = segments;
  const route = `${ctx.method} ${a ?? ''}${b === undefined ? '' : '/*'}`;
  const common = commonControlRoute(ctx, route, control);
  if (common) return common;
  switch (route) {
    case 'GET info':
      return {
        status: 200,
        body: {
          resourceId: st.resourceId,
          now: iso(control.now()),
          rateLimiting: st.rateLimiter.enabled,
          emailRateLimit: st.email.rateLimit,
          stats: control.stats(),
        },
      };
    case 'PUT rate-limiting': {
      const enabled = objectBody(ctx).enabled;
      if (typeof enabled !== 'boolean') throw badRequest("'enabled' must be a boolean.");
      control.setRateLimiting(enabled);
      return { status: 204 };
    }
    case 'GET identities': {
      const value = control.listIdentities();
      return { status: 200, body: { value, count: value.length } };
    }
    case 'GET threads': {
      const value = control.listThreads();
      return { status: 200, body: { value, count: value.length } };
    }
    case 'GET threads/*': {
      const t = control.getThread(b ?? '');
      if (!t) throw notFound(`Thread '${b ?? ''}' does not exist.`);
      return { status: 200, body: t };
    }
    case 'GET stats':
      return { status: 200, body: control.stats() };
    case 'GET clock':
      return { status: 200, body: { now: iso(control.now()), offsetMs: st.clock.offsetMs } };
    case 'POST clock': {
      const body = jsonBody(ctx) as { advanceMs?: unknown } | undefined;
      control.advanceClock(Number(body?.advanceMs));
      return { status: 200, body: { now: iso(control.now()), offsetMs: st.clock.offsetMs } };
    }
    case 'DELETE clock':
      control.resetClock();
      return { status: 204 };
    case 'POST flush':
      await control.flush();
      return { status: 204 };
    default:
      throw notFound(`Unknown control route ${ctx.method} /_emulator/${segments.join('/')}.`);
  }
}
