import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { Clock } from './acs/clock';
import type { EmulatorState } from './acs/context';
import { type EmulatorControl, InProcessControl } from './acs/control';
import { FaultInjector } from './acs/faults';
import { Persister } from './acs/persist';
import { RateLimiter } from './acs/ratelimit';
import { createEmulatorServer, type ResponseRecorder } from './acs/server';
import { Store } from './acs/store';
import { loadOrCreateTls } from './acs/tls';
import { TokenService } from './acs/tokens';
import { validEmailRateLimit, validSenderDomains } from './email/control';
import type { EmailRateLimitSetting } from './email/limits';
import { DEFAULT_EMAIL_OPTIONS, EmailState } from './email/state';
import { ChatEventBuilder } from './eventgrid/chat-events';
import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings, EventDelivery } from './eventgrid/delivery';
import type { EventGridEvent } from './eventgrid/event-types';

/** Public entry point of the ACS emulator (dev/test tool; never imported by src/). */

export { CONTROL_KEY_HEADER } from './acs/auth';
export type { EmulatorControl, EmulatorStats, IdentityInfo, ThreadDetails, ThreadInfo } from './acs/control';
export { EmulatorControlClient } from './acs/control-client';
export type { ActiveFault, FaultSpec } from './acs/faults';
export { OPERATIONS } from './acs/router';
export type { ResponseRecorder } from './acs/server';
export type { EmailControl, EmailFailureSpec, MailboxEntry } from './email/control';
export { EmailControlClient } from './email/control-client';
export { EMAIL_RATE_TIERS, type EmailRateLimitSetting } from './email/limits';
export type {
  DeadLetteredEvent,
  DeliverySettings,
  DeliveryStats,
  EventSubscription,
  SubscriptionSpec,
} from './eventgrid/delivery';
export { CHAT_EVENT_TYPES, type EventGridEvent } from './eventgrid/event-types';

export interface EmulatorOptions {
  /** 0 or undefined = a free port. */
  port?: number;
  /** undefined = in memory (TLS material goes to a temp dir that close() removes). */
  dataDir?: string;
  /** base64; default random (persisted in the data dir, so the connection string survives restarts). */
  accessKey?: string;
  /** GUID used in identity ids (`8:acs:<resourceId>_<guid>`) and token claims. */
  resourceId?: string;
  /** Sees every ACS response (operation, status, parsed body); used by the contract tests. */
  onResponse?: ResponseRecorder;
  /** ACS's published rate limits (default on, as in production); the control API can also switch them. */
  rateLimits?: boolean;
  /** ARM id of the emulated resource, the `topic` of its events (default: a fixed, made-up one). */
  eventTopic?: string;
  /** Event delivery policy (time scale of the retry schedule, timeout, concurrency). */
  eventDelivery?: Partial<Pick<DeliverySettings, 'timeScale' | 'timeoutMs' | 'concurrency'>>;
  /** Sees every chat event the emulator publishes, subscribed or not; used by the contract tests. */
  onEvent?: (event: EventGridEvent) => void;
  /** Email sending limits: `'CustomDomain'` (default, 30/min and 100/h), `'AzureManagedDomain'`, `'off'`, custom. */
  emailRateLimit?: EmailRateLimitSetting;
  /** Domains linked for sending email (`'any'` by default: every sender address is accepted). */
  emailSenderDomains?: 'any' | string[];
  /** How long an accepted email stays Running (emulator clock; default 500 ms). */
  emailProcessingMs?: number;
}

export interface RunningEmulator {
  /** `https://127.0.0.1:<port>/` */
  endpoint: string;
  /** `endpoint=https://127.0.0.1:<port>/;accesskey=<base64>` */
  connectionString: string;
  accessKey: string;
  resourceId: string;
  /** PEM of the CA that signed the server certificate. */
  caCertPath: string;
  caCertPem: string;
  /** System CAs plus ours, for NODE_EXTRA_CA_CERTS / REQUESTS_CA_BUNDLE. */
  caBundlePath: string;
  dataDir: string | undefined;
  control: EmulatorControl;
  /** The `topic` of its Event Grid events. */
  eventTopic: string;
  /** Closes the server and all keep-alive sockets, and flushes state to the data dir. */
  close(): Promise<void>;
}

interface SavedConfig {
  resourceId?: string;
  accessKey?: string;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'acs-emulator-'));
  mkdirSync(dir, { recursive: true });
  const tls = loadOrCreateTls(dir);

  const configFile = join(dir, 'config.json');
  const saved: SavedConfig =
    dataDir && existsSync(configFile) ? (JSON.parse(readFileSync(configFile, 'utf8')) as SavedConfig) : {};
  const resourceId = options.resourceId ?? saved.resourceId ?? randomUUID();
  const accessKey = options.accessKey ?? saved.accessKey ?? randomBytes(32).toString('base64');
  const keyFile = join(dir, 'token-signing-key.pem');
  const tokens = new TokenService(
    resourceId,
    dataDir && existsSync(keyFile) ? readFileSync(keyFile, 'utf8') : undefined,
  );
  if (dataDir) {
    writeFileSync(configFile, JSON.stringify({ resourceId, accessKey }, null, 2), { mode: 0o600 });
    writeFileSync(keyFile, tokens.privateKeyPem, { mode: 0o600 });
  }

  const store = new Store(resourceId);
  const stateFile = join(dir, 'state.json');
  let persister: Persister | undefined;
  if (dataDir) {
    if (saved.resourceId === undefined || saved.resourceId === resourceId) store.restore(Persister.load(stateFile));
    persister = new Persister(stateFile, () => store.snapshot());
    const p = persister;
    store.onChange = () => p.schedule();
  }

  const delivery = new EventDelivery({ ...DEFAULT_DELIVERY_SETTINGS, ...options.eventDelivery });
  let eventPersister: Persister | undefined;
  if (dataDir) {
    const eventFile = join(dir, 'eventgrid.json');
    delivery.restore(Persister.load(eventFile));
    eventPersister = new Persister(eventFile, () => delivery.snapshot());
    const p = eventPersister;
    delivery.onChange = () => p.schedule();
  }
  const eventTopic = options.eventTopic ?? defaultTopic(resourceId);
  const onEvent = options.onEvent;
  const events = new ChatEventBuilder(eventTopic, (published) => {
    if (onEvent) for (const event of published) onEvent(event);
    delivery.publish(published);
  });
  store.onRetentionDelete = (t) => events.threadDeleted(t, undefined, t.deletedOn ?? Date.now());

  const st: EmulatorState = {
    store,
    tokens,
    clock: new Clock(),
    faults: new FaultInjector(),
    rateLimiter: new RateLimiter(options.rateLimits ?? true),
    accessKey,
    resourceId,
    counts: new Map(),
    events,
    delivery,
    email: new EmailState(
      {
        rateLimit: validEmailRateLimit(options.emailRateLimit ?? DEFAULT_EMAIL_OPTIONS.rateLimit),
        senderDomains: validSenderDomains(options.emailSenderDomains ?? DEFAULT_EMAIL_OPTIONS.senderDomains),
        processingMs: Math.max(0, options.emailProcessingMs ?? DEFAULT_EMAIL_OPTIONS.processingMs),
      },
      options.rateLimits ?? true,
    ),
  };
  const control = new InProcessControl(st, async () => {
    await persister?.flush();
    await eventPersister?.flush();
  });
  const server = createEmulatorServer(tls, st, control, options.onResponse);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `https://127.0.0.1:${port}/`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      const done = new Promise<void>((ok) => server.close(() => ok()));
      server.closeAllConnections();
      delivery.close();
      await done;
      await persister?.flush();
      await eventPersister?.flush();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    })());

  return {
    endpoint,
    connectionString: `endpoint=${endpoint};accesskey=${accessKey}`,
    accessKey,
    resourceId,
    caCertPath: tls.caCertPath,
    caCertPem: tls.caCertPem,
    caBundlePath: tls.caBundlePath,
    dataDir,
    control,
    eventTopic,
    close,
  };
}

/** Made up, but shaped like the ARM id Event Grid stamps on ACS events. */
function defaultTopic(resourceId: string): string {
  return (
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/acs-emulator/providers/' +
    `Microsoft.Communication/communicationServices/acs-emulator-${resourceId.slice(0, 8)}`
  );
}
