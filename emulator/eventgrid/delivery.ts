import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

import { badRequest } from '../acs/errors';
import type { EventGridEvent } from './event-types';

/**
 * Event Grid's side of the emulator: subscriptions, and delivery as Event Grid does it (Learn "Azure Event Grid
 * delivery and retry"): a JSON array per request with `aeg-event-type: Notification`, asynchronous to the change,
 * success only on 200–204, retries with backoff on any other answer and on timeouts, none on 400/401/403/413, and an
 * event given up dead-lettered. At-least-once and unordered on request: duplicates and reordering can be injected.
 */

export interface SubscriptionSpec {
  endpoint: string;
  includedEventTypes?: string[];
  maxEventsPerBatch?: number;
  /** As the ARM `retryPolicy` (1–30, default 30; 1–1440 minutes, default 1440, compressed by `timeScale`). */
  retryPolicy?: { maxDeliveryAttempts?: number; eventTimeToLiveInMinutes?: number };
}

export interface EventSubscription {
  id: string;
  endpoint: string;
  includedEventTypes?: string[];
  maxEventsPerBatch: number;
  retryPolicy: { maxDeliveryAttempts: number; eventTimeToLiveInMinutes: number };
  createdOn: string;
}

/** A dead-letter record: the event plus the fields Event Grid adds (Learn "Dead letter and retry policies"). */
export interface DeadLetteredEvent extends EventGridEvent {
  subscriptionId: string;
  deadLetterReason: string;
  deliveryAttempts: number;
  lastDeliveryOutcome: string;
  publishTime: string;
  lastDeliveryAttemptTime: string;
}

export interface DeliverySettings {
  /** Real Event Grid delays (10 s, 30 s, 1 min, …) and time-to-live are multiplied by this (default 0.001). */
  timeScale: number;
  /** How long a delivery may take before it counts as failed (Event Grid waits 30 s). */
  timeoutMs: number;
  /** Requests in flight at once, over all subscriptions. */
  concurrency: number;
  /** Fault: this share of successful deliveries is delivered a second time (same event ids). */
  duplicatePercent: number;
  /** Fault: events are held for `reorderWindowMs` (or until a flush) and then delivered newest first. */
  reorder: boolean;
  reorderWindowMs: number;
}

export interface DeliveryStats {
  /** Events published to at least one subscription (an event counts once per matching subscription). */
  published: number;
  /** Events acknowledged by their endpoint (duplicates included). */
  delivered: number;
  /** Failed delivery attempts, counted per event. */
  failed: number;
  deadLettered: number;
  duplicated: number;
  /** Events waiting for their first attempt or a retry. */
  queued: number;
  /** Events in requests now in flight. */
  inFlight: number;
}

interface Batch {
  subscriptionId: string;
  events: EventGridEvent[];
  publishedAt: number;
  attempts: number;
  duplicate: boolean;
  lastAttemptAt?: number;
  lastOutcome?: string;
}

interface Outcome {
  ok: boolean;
  retry: boolean;
  description: string;
}

/** Learn "delivery and retry": 10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 6 h, then every 12 h. */
const RETRY_SCHEDULE_MS = [10, 30, 60, 300, 600, 1800, 3600, 10_800, 21_600, 43_200].map((s) => s * 1000);
/** The ARM `retryPolicy` defaults (infra sets the same). */
export const DEFAULT_RETRY_POLICY = { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 } as const;

/** How long Event Grid waits after the `attempts`-th failed delivery of an event, compressed by `timeScale`. */
export function retryDelayMs(attempts: number, timeScale: number): number {
  const real = RETRY_SCHEDULE_MS[Math.min(attempts, RETRY_SCHEDULE_MS.length) - 1] ?? 0;
  return Math.max(1, Math.round(real * timeScale));
}

/** Event Grid does not retry these (400, 413, 403; 401 for webhooks). */
const NOT_RETRIED = new Set([400, 401, 403, 413]);
const MAX_DEAD_LETTERS = 10_000;

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  timeScale: 0.001,
  timeoutMs: 30_000,
  concurrency: 16,
  duplicatePercent: 0,
  reorder: false,
  reorderWindowMs: 1_000,
};

interface Persisted {
  v: 1;
  subscriptions: EventSubscription[];
  deadLetters: DeadLetteredEvent[];
}

export class EventDelivery {
  private readonly subscriptions = new Map<string, EventSubscription>();
  private deadLetters: DeadLetteredEvent[] = [];
  /** Events not attempted yet, per subscription. */
  private fresh = new Map<string, Batch[]>();
  /** Batches due now (retries whose time has come, duplicates). */
  private ready: Batch[] = [];
  private readonly waiting = new Map<Batch, NodeJS.Timeout>();
  private inFlight = new Set<Batch>();
  private holdTimer: NodeJS.Timeout | undefined;
  private holding = false;
  private counters = { published: 0, delivered: 0, failed: 0, deadLettered: 0, duplicated: 0 };
  private idleWaiters: Array<() => void> = [];
  /** Bumped by reset(): outcomes of requests sent before it are ignored. */
  private generation = 0;
  private readonly closing = new AbortController();
  onChange: () => void = () => undefined;

  constructor(
    private settings: DeliverySettings = DEFAULT_DELIVERY_SETTINGS,
    private readonly random: () => number = Math.random,
  ) {}

  // ---- subscriptions ----

  /** Creates a subscription after the webhook validation handshake (the endpoint must echo the code). */
  async subscribe(spec: unknown): Promise<EventSubscription> {
    const sub = parseSubscription(spec);
    await this.validateEndpoint(sub);
    this.subscriptions.set(sub.id, sub);
    this.fresh.set(sub.id, []);
    this.onChange();
    return sub;
  }

  listSubscriptions(): EventSubscription[] {
    return [...this.subscriptions.values()];
  }

  /** Removes a subscription and drops what was still queued for it; false when unknown. */
  unsubscribe(id: string): boolean {
    if (!this.subscriptions.delete(id)) return false;
    this.fresh.delete(id);
    this.ready = this.ready.filter((b) => b.subscriptionId !== id);
    for (const [batch, timer] of this.waiting) {
      if (batch.subscriptionId !== id) continue;
      clearTimeout(timer);
      this.waiting.delete(batch);
    }
    this.onChange();
    this.settle();
    return true;
  }

  // ---- publishing and delivery ----

  publish(events: readonly EventGridEvent[]): void {
    if (this.closing.signal.aborted) return;
    const now = Date.now();
    for (const sub of this.subscriptions.values()) {
      const queue = this.fresh.get(sub.id) ?? [];
      for (const event of events) {
        if (sub.includedEventTypes && !sub.includedEventTypes.includes(event.eventType)) continue;
        queue.push({ subscriptionId: sub.id, events: [event], publishedAt: now, attempts: 0, duplicate: false });
        this.counters.published += 1;
      }
      this.fresh.set(sub.id, queue);
    }
    if (this.settings.reorder && !this.holding) {
      this.holding = true;
      this.holdTimer = setTimeout(() => this.release(), this.settings.reorderWindowMs);
      this.holdTimer.unref();
    }
    // Asynchronous to the ACS call that caused the events, as in Azure.
    setImmediate(() => this.pump());
  }

  /** Resolves once nothing is queued, waiting for a retry or in flight (or after `timeoutMs`), with the counts. */
  async flush(timeoutMs = 60_000): Promise<DeliveryStats & { settled: boolean }> {
    this.release();
    if (!this.idle()) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    }
    return { ...this.stats(), settled: this.idle() };
  }

  stats(): DeliveryStats {
    let queued = 0;
    for (const q of this.fresh.values()) queued += q.length;
    for (const b of [...this.ready, ...this.waiting.keys()]) queued += b.events.length;
    let inFlight = 0;
    for (const b of this.inFlight) inFlight += b.events.length;
    return { ...this.counters, queued, inFlight };
  }

  listDeadLetters(): DeadLetteredEvent[] {
    return [...this.deadLetters];
  }

  clearDeadLetters(): void {
    this.deadLetters = [];
    this.onChange();
  }

  getSettings(): DeliverySettings {
    return { ...this.settings };
  }

  updateSettings(patch: unknown): DeliverySettings {
    this.settings = parseSettings(patch, this.settings);
    if (!this.settings.reorder) this.release();
    return this.getSettings();
  }

  /** Forgets queued events, dead letters, counts and faults; subscriptions stay (they are configuration). */
  reset(): void {
    this.generation += 1;
    for (const timer of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    this.ready = [];
    this.inFlight = new Set();
    for (const id of this.fresh.keys()) this.fresh.set(id, []);
    this.deadLetters = [];
    this.counters = { published: 0, delivered: 0, failed: 0, deadLettered: 0, duplicated: 0 };
    const { timeScale, timeoutMs, concurrency } = this.settings;
    this.settings = { ...DEFAULT_DELIVERY_SETTINGS, timeScale, timeoutMs, concurrency };
    this.release();
    this.onChange();
    this.settle();
  }

  close(): void {
    this.closing.abort();
    clearTimeout(this.holdTimer);
    for (const timer of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  snapshot(): Persisted {
    return { v: 1, subscriptions: this.listSubscriptions(), deadLetters: this.deadLetters };
  }

  restore(data: unknown): void {
    const saved = data as Persisted | undefined;
    if (saved?.v !== 1) return;
    for (const sub of saved.subscriptions) {
      this.subscriptions.set(sub.id, sub);
      this.fresh.set(sub.id, []);
    }
    this.deadLetters = saved.deadLetters;
  }

  private release(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    if (!this.holding) return;
    this.holding = false;
    for (const queue of this.fresh.values()) queue.reverse();
    this.ready.reverse();
    this.pump();
  }

  private pump(): void {
    if (this.holding || this.closing.signal.aborted) return;
    while (this.inFlight.size < this.settings.concurrency) {
      const batch = this.ready.shift() ?? this.nextFreshBatch();
      if (!batch) break;
      this.inFlight.add(batch);
      void this.attempt(batch, this.generation);
    }
    this.settle();
  }

  /** Up to `maxEventsPerBatch` fresh events of one subscription, taking subscriptions in turn. */
  private nextFreshBatch(): Batch | undefined {
    for (const [id, queue] of this.fresh) {
      if (queue.length === 0) continue;
      const max = this.subscriptions.get(id)?.maxEventsPerBatch ?? 1;
      const taken = queue.splice(0, max);
      // Rotate so that one busy subscription does not starve the others.
      this.fresh.delete(id);
      this.fresh.set(id, queue);
      const first = taken[0] as Batch;
      return { ...first, events: taken.flatMap((b) => b.events) };
    }
    return undefined;
  }

  private async attempt(batch: Batch, generation: number): Promise<void> {
    const sub = this.subscriptions.get(batch.subscriptionId);
    let outcome: Outcome = { ok: false, retry: false, description: 'SubscriptionDeleted' };
    if (sub) {
      batch.attempts += 1;
      batch.lastAttemptAt = Date.now();
      outcome = await this.post(sub, batch);
      batch.lastOutcome = outcome.description;
    }
    if (generation !== this.generation) return;
    this.inFlight.delete(batch);
    if (sub) this.record(sub, batch, outcome);
    this.pump();
  }

  private record(sub: EventSubscription, batch: Batch, outcome: Outcome): void {
    const n = batch.events.length;
    if (outcome.ok) {
      this.counters.delivered += n;
      if (!batch.duplicate && this.random() * 100 < this.settings.duplicatePercent) {
        this.counters.duplicated += n;
        this.ready.push({ ...batch, attempts: 0, duplicate: true });
      }
      return;
    }
    this.counters.failed += n;
    const ttlMs = sub.retryPolicy.eventTimeToLiveInMinutes * 60_000 * this.settings.timeScale;
    const delay = retryDelayMs(batch.attempts, this.settings.timeScale);
    if (!outcome.retry) return this.deadLetter(batch, 'NonRetriableDeliveryOutcome');
    if (batch.attempts >= sub.retryPolicy.maxDeliveryAttempts)
      return this.deadLetter(batch, 'MaxDeliveryAttemptsExceeded');
    if (Date.now() + delay - batch.publishedAt > ttlMs) return this.deadLetter(batch, 'TimeToLiveExceeded');
    const timer = setTimeout(() => {
      this.waiting.delete(batch);
      this.ready.push(batch);
      this.pump();
    }, delay);
    timer.unref();
    this.waiting.set(batch, timer);
  }

  private deadLetter(batch: Batch, reason: string): void {
    const now = new Date().toISOString();
    for (const event of batch.events) {
      this.deadLetters.push({
        ...event,
        subscriptionId: batch.subscriptionId,
        deadLetterReason: reason,
        deliveryAttempts: batch.attempts,
        lastDeliveryOutcome: batch.lastOutcome ?? 'Unknown',
        publishTime: new Date(batch.publishedAt).toISOString(),
        lastDeliveryAttemptTime: batch.lastAttemptAt ? new Date(batch.lastAttemptAt).toISOString() : now,
      });
    }
    if (this.deadLetters.length > MAX_DEAD_LETTERS)
      this.deadLetters.splice(0, this.deadLetters.length - MAX_DEAD_LETTERS);
    this.counters.deadLettered += batch.events.length;
    this.onChange();
  }

  private async post(sub: EventSubscription, batch: Batch): Promise<Outcome> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.settings.timeoutMs), this.closing.signal]);
    try {
      const response = await fetch(sub.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'aeg-event-type': 'Notification',
          'aeg-subscription-name': sub.id.toUpperCase(),
          'aeg-delivery-count': String(batch.attempts - 1),
          'aeg-data-version': batch.events[0]?.dataVersion ?? '',
          'aeg-metadata-version': '1',
        },
        body: JSON.stringify(batch.events),
        signal,
      });
      await response.arrayBuffer();
      const status = response.status;
      const description = (STATUS_CODES[status] ?? `Status${status}`).replace(/[^A-Za-z]/g, '');
      if (status >= 200 && status <= 204) return { ok: true, retry: false, description };
      return { ok: false, retry: !NOT_RETRIED.has(status), description };
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      return { ok: false, retry: true, description: timedOut ? 'TimedOut' : 'Unreachable' };
    }
  }

  /** Event Grid's webhook handshake: the endpoint must answer 200 `{"validationResponse": <code>}`. */
  private async validateEndpoint(sub: EventSubscription): Promise<void> {
    const validationCode = randomUUID();
    const event = {
      id: randomUUID(),
      topic: '',
      subject: '',
      eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
      eventTime: new Date().toISOString(),
      data: { validationCode },
      dataVersion: '2',
      metadataVersion: '1',
    };
    let answer: unknown;
    let status: number;
    try {
      const response = await fetch(sub.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'aeg-event-type': 'SubscriptionValidation' },
        body: JSON.stringify([event]),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      status = response.status;
      answer = await response.json().catch(() => undefined);
    } catch (error) {
      throw badRequest(`The endpoint could not be reached for validation: ${String(error)}`, 'InvalidEndpoint');
    }
    const echoed = (answer as { validationResponse?: unknown } | undefined)?.validationResponse;
    if (status !== 200 || echoed !== validationCode) {
      throw badRequest(
        `Webhook validation handshake failed: the endpoint answered ${status} without the validation code.`,
        'InvalidEndpoint',
      );
    }
  }

  private idle(): boolean {
    if (this.ready.length > 0 || this.waiting.size > 0 || this.inFlight.size > 0) return false;
    for (const q of this.fresh.values()) if (q.length > 0) return false;
    return true;
  }

  private settle(): void {
    if (this.idleWaiters.length > 0 && this.idle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

function parseSubscription(spec: unknown): EventSubscription {
  if (typeof spec !== 'object' || spec === null) throw badRequest('The subscription must be a JSON object.');
  const s = spec as SubscriptionSpec;
  let url: URL;
  try {
    url = new URL(String(s.endpoint));
  } catch {
    throw badRequest("'endpoint' must be an absolute http(s) URL.");
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest("'endpoint' must be an http(s) URL.");
  const types = s.includedEventTypes;
  if (types !== undefined && (!Array.isArray(types) || !types.every((t) => typeof t === 'string')))
    throw badRequest("'includedEventTypes' must be an array of strings.");
  const batch = s.maxEventsPerBatch ?? 1;
  if (!Number.isInteger(batch) || batch < 1 || batch > 5000) throw badRequest("'maxEventsPerBatch' must be 1..5000.");
  const attempts = s.retryPolicy?.maxDeliveryAttempts ?? DEFAULT_RETRY_POLICY.maxDeliveryAttempts;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 30)
    throw badRequest("'retryPolicy.maxDeliveryAttempts' must be 1..30.");
  const ttl = s.retryPolicy?.eventTimeToLiveInMinutes ?? DEFAULT_RETRY_POLICY.eventTimeToLiveInMinutes;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 1440)
    throw badRequest("'retryPolicy.eventTimeToLiveInMinutes' must be 1..1440.");
  const sub: EventSubscription = {
    id: randomUUID(),
    endpoint: url.toString(),
    maxEventsPerBatch: batch,
    retryPolicy: { maxDeliveryAttempts: attempts, eventTimeToLiveInMinutes: ttl },
    createdOn: new Date().toISOString(),
  };
  if (types !== undefined) sub.includedEventTypes = [...types];
  return sub;
}

function parseSettings(patch: unknown, current: DeliverySettings): DeliverySettings {
  if (typeof patch !== 'object' || patch === null) throw badRequest('The settings must be a JSON object.');
  const p = patch as Partial<DeliverySettings>;
  const next = { ...current };
  const number = (key: keyof DeliverySettings, min: number, max: number): void => {
    const v = p[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !(v >= min && v <= max))
      throw badRequest(`'${key}' must be a number in ${min}..${max}.`);
    (next as Record<string, unknown>)[key] = v;
  };
  number('timeScale', 0, 1);
  number('timeoutMs', 1, 600_000);
  number('concurrency', 1, 1000);
  number('duplicatePercent', 0, 100);
  number('reorderWindowMs', 0, 600_000);
  if (p.reorder !== undefined) {
    if (typeof p.reorder !== 'boolean') throw badRequest("'reorder' must be a boolean.");
    next.reorder = p.reorder;
  }
  return next;
}
