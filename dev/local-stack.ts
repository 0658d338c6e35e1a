import path from 'node:path';

import { type RunningEmulator, startEmulator } from '../emulator';
import type { RunningContentSafetyEmulator } from '../emulator/contentsafety';
import { type RunningWebPubSubEmulator, startWebPubSubEmulator } from '../emulator/webpubsub';
import { type CompositionOptions, createServices, lazyServices, type ServicesProvider } from '../src/composition';
import { type AppConfig, loadConfig } from '../src/config';
import { buildFunctionTable } from '../src/functions';
import type { FunctionDefinition } from '../src/functions/definition';
import { acsEndpoint } from '../src/identity/acs-clients';
import { webPubSubEndpoint } from '../src/realtime/web-pubsub-channel';
import { startTelemetry, type TelemetryExport } from '../src/telemetry/sdk';
import { type RunningAzurite, startAzuriteTables } from './azurite';
import { DEV_EVENT_TIME_SCALE, orphanGraceSeconds } from './event-clock';
import { type DevHost, type LogSink, startDevHost } from './host';
import { createDevIssuer, DEV_AUDIENCE, type DevIssuer, loadOrCreateSigningKey } from './issuer';
import { type LocalBlob, prepareAttachmentsStorage, startLocalBlob } from './local-blob';
import { DEV_BLOCKLIST, startLocalContentSafety } from './local-content-safety';
import { mailboxMount } from './mailbox';
import { runTimersOnSchedule } from './timers';
import { webAppMount } from './web-app';

/**
 * Everything `npm run dev` runs, in one process: Azurite (Tables), the ACS emulator, the dev issuer and the
 * dev host serving our route table. Tests start the same stack in memory on free ports.
 */

/** The sender address of away emails in the dev stack (the emulator accepts any sender domain). */
export const DEV_EMAIL_SENDER = 'DoNotReply@chat.localhost';

export interface LocalStackOptions {
  /** Dev host port: 7071 for `npm run dev`, 0 (a free port) in tests. */
  port?: number;
  /** Azurite Table port (0 = free port) and ACS emulator port (0 = free port). */
  tablesPort?: number;
  acsPort?: number;
  /** Web PubSub emulator port (0 = free port); not started when WEBPUBSUB_* name a real Web PubSub resource. */
  webPubSubPort?: number;
  /** Start the Web PubSub emulator for live updates (default true); false runs without live updates (clients poll). */
  webPubSub?: boolean;
  /** Azurite Blob port for attachments (0 = free port); not started when ATTACHMENTS_BLOB_ENDPOINT names storage. */
  blobPort?: number;
  /**
   * Attachments on Azurite's Blob service (default true). A Blob service passed in (tests) is shared: the stack only
   * creates its container there and leaves the account's CORS alone.
   */
  attachments?: boolean | LocalBlob;
  /** Content Safety emulator port (0 = free port); not started when CONTENT_SAFETY_ENDPOINT names a real resource. */
  contentSafetyPort?: number;
  /** Content checks through the Content Safety emulator (default true); false runs without content moderation. */
  contentSafety?: boolean;
  /**
   * Away emails through the ACS emulator's Email API (default true; only with the emulator, or EMAIL_SENDER set);
   * the mailbox is at /dev/mailbox.
   */
  email?: boolean;
  /** Run the timer functions on their schedules, as `func start` does (`npm run dev`; tests run timers themselves). */
  runTimers?: boolean;
  /** Where Azurite, the emulator and the issuer keep their data; in memory when omitted. */
  dataDir?: string;
  /** App settings; ACS_* set here means a real ACS resource instead of the emulator. */
  env?: Record<string, string | undefined>;
  /** Use an Azurite that is already running instead of starting one. */
  tablesConnectionString?: string;
  /**
   * Use an ACS emulator that is already running (tests: a second instance of the backend); not closed by this stack.
   */
  emulator?: RunningEmulator;
  log?: LogSink;
  composition?: CompositionOptions;
  /** Browser origins allowed to call the API (`*` for any). */
  corsOrigins?: string[];
  /** ACS's published rate limits in the emulator (default on, as in production). */
  acsRateLimits?: boolean;
  /**
   * Subscribe the emulator's chat events to the dev host's Event Grid triggers (default true, as `npm run dev`);
   * tests that do not exercise events turn it off so that deliveries do not run under their feet.
   */
  subscribeChatEvents?: boolean;
  /**
   * Run the backend on the emulator's clock (tests): moving the emulator's time (`control.advanceClock`) then moves
   * retention, activity and token renewal with it, so nothing depends on how fast the machine is.
   */
  backendOnEmulatorClock?: boolean;
  /**
   * The emulator's Event Grid time scale (default DEV_EVENT_TIME_SCALE; an emulator passed in keeps its own). The
   * orphan grace period follows it unless ORPHAN_THREAD_GRACE_SECONDS is set: see dev/event-clock.ts.
   */
  eventTimeScale?: number;
  /**
   * OpenTelemetry for this process: started when given (console output, tests' in-memory exporters) or when the
   * settings name an exporter (OTEL_EXPORTER_OTLP_ENDPOINT, APPLICATIONINSIGHTS_CONNECTION_STRING); stopped on close.
   */
  telemetry?: TelemetryExport;
}

export interface DevStackInfo {
  apiBaseUrl: string;
  acs: { endpoint: string; connectionString?: string; caCertPath?: string };
  /** The Tables the app actually uses: a connection string, or an endpoint reached with Entra ID. */
  storage: { connectionString: string } | { endpoint: string };
  auth: { issuer: string; audience: string };
  /** The Web PubSub emulator (absent when WEBPUBSUB_* name a real resource): plain HTTP on loopback. */
  webPubSub?: { endpoint: string; connectionString: string };
  /**
   * Azurite's Blob service for attachments (absent with real storage): HTTPS with the emulator's CA (Azurite takes
   * OAuth only over HTTPS); the app reaches it with a token, as it reaches Azure Storage with its managed identity.
   */
  blob?: { endpoint: string; container: string; caCertPath: string; connectionString: string };
  /** The Content Safety emulator (absent with a real resource or with content checks off): HTTPS, the stack's CA. */
  contentSafety?: { endpoint: string; key: string; caCertPath: string; blocklists: string[] };
  /** Where the emulator delivers chat events (absent with a real ACS resource or with events off). */
  chatEvents?: { webhook: string; subscriptionId: string; timeScale: number };
}

export interface LocalStack {
  host: DevHost;
  issuer: DevIssuer;
  emulator?: RunningEmulator;
  webPubSub?: RunningWebPubSubEmulator;
  contentSafety?: RunningContentSafetyEmulator;
  config: AppConfig;
  services: ServicesProvider;
  info: DevStackInfo;
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? {};
  const closers: Array<() => Promise<void>> = [];
  const close = async (): Promise<void> => {
    for (const closeOne of closers.reverse()) await closeOne().catch(() => undefined);
  };
  try {
    // TABLES_CONNECTION_STRING / TABLES_ENDPOINT point the app at other Tables: then no embedded Azurite is started.
    const ownTables = Boolean(env.TABLES_CONNECTION_STRING?.trim() || env.TABLES_ENDPOINT?.trim());
    let azurite: RunningAzurite | undefined;
    if (!options.tablesConnectionString && !ownTables) {
      azurite = await startAzuriteTables({
        port: options.tablesPort ?? 0,
        ...(options.dataDir ? { location: path.join(options.dataDir, 'azurite') } : {}),
      });
      closers.push(() => azurite!.close());
    }
    const tablesConnectionString = options.tablesConnectionString ?? azurite?.connectionString;

    const useRealAcs = Boolean(env.ACS_CONNECTION_STRING?.trim() || env.ACS_ENDPOINT?.trim());
    let emulator: RunningEmulator | undefined = options.emulator;
    if (!useRealAcs && !emulator) {
      emulator = await startEmulator({
        port: options.acsPort ?? 0,
        ...(options.dataDir ? { dataDir: path.join(options.dataDir, 'emulator') } : {}),
        rateLimits: options.acsRateLimits ?? true,
        eventDelivery: { timeScale: options.eventTimeScale ?? DEV_EVENT_TIME_SCALE },
      });
      closers.push(() => emulator!.close());
    }

    const eventTimeScale = emulator?.control.getEventDelivery().timeScale;

    const useRealWebPubSub = Boolean(env.WEBPUBSUB_CONNECTION_STRING?.trim() || env.WEBPUBSUB_ENDPOINT?.trim());
    let webPubSub: RunningWebPubSubEmulator | undefined;
    if (!useRealWebPubSub && options.webPubSub !== false) {
      webPubSub = await startWebPubSubEmulator({ port: options.webPubSubPort ?? 0 });
      closers.push(() => webPubSub!.close());
    }

    const useRealBlob = Boolean(env.ATTACHMENTS_BLOB_ENDPOINT?.trim());
    let blob: LocalBlob | undefined;
    if (!useRealBlob && options.attachments !== false) {
      if (typeof options.attachments === 'object') blob = options.attachments;
      else {
        const own = await startLocalBlob({
          port: options.blobPort ?? 0,
          ...(options.dataDir
            ? { dataDir: path.join(options.dataDir, 'azurite-blob'), tlsDir: path.join(options.dataDir, 'emulator') }
            : {}),
        });
        blob = own;
        closers.push(() => own.close());
      }
    }
    const attachmentsContainer = env.ATTACHMENTS_CONTAINER?.trim() || 'attachments';

    const useRealContentSafety = Boolean(env.CONTENT_SAFETY_ENDPOINT?.trim());
    const blocklists = env.CONTENT_SAFETY_BLOCKLISTS?.trim() || DEV_BLOCKLIST;
    let contentSafety: RunningContentSafetyEmulator | undefined;
    if (!useRealContentSafety && options.contentSafety !== false) {
      const started = await startLocalContentSafety({
        port: options.contentSafetyPort ?? 0,
        ...(options.dataDir ? { tlsDir: path.join(options.dataDir, 'emulator') } : {}),
        blocklists: blocklists.split(',').map((name) => name.trim()),
      });
      contentSafety = started;
      closers.push(() => started.close());
    }

    const host = await startDevHost({
      functions: [],
      port: options.port ?? 7071,
      ...(options.log ? { log: options.log } : {}),
      ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
    });
    closers.push(() => host.close());
    const signingKey = await loadOrCreateSigningKey(
      options.dataDir ? path.join(options.dataDir, 'dev-issuer', 'signing-key.json') : undefined,
    );
    const issuer = await createDevIssuer(host.origin, signingKey);
    host.mount(issuer.mount);

    const settings = {
      ...env,
      ...(tablesConnectionString ? { AzureWebJobsStorage: tablesConnectionString } : {}),
      ...(emulator ? { ACS_CONNECTION_STRING: emulator.connectionString, ACS_ENDPOINT: undefined } : {}),
      ...(webPubSub ? { WEBPUBSUB_CONNECTION_STRING: webPubSub.connectionString, WEBPUBSUB_ENDPOINT: undefined } : {}),
      ...(blob ? { ATTACHMENTS_BLOB_ENDPOINT: blob.blobEndpoint, ATTACHMENTS_CONTAINER: attachmentsContainer } : {}),
      ...(contentSafety
        ? {
            CONTENT_SAFETY_ENDPOINT: contentSafety.endpoint,
            CONTENT_SAFETY_KEY: contentSafety.key,
            CONTENT_SAFETY_BLOCKLISTS: blocklists,
          }
        : {}),
      ...(emulator && options.email !== false && !env.EMAIL_SENDER?.trim() ? { EMAIL_SENDER: DEV_EMAIL_SENDER } : {}),
      ...(options.email !== false
        ? { APP_BASE_URL: env.APP_BASE_URL || host.origin, PUBLIC_API_URL: env.PUBLIC_API_URL || host.apiBaseUrl }
        : { EMAIL_SENDER: undefined }),
      AUTH_ISSUER: env.AUTH_ISSUER || issuer.issuer,
      AUTH_AUDIENCE: env.AUTH_AUDIENCE || DEV_AUDIENCE,
      // With the emulator, Event Grid runs on its compressed clock: so does the orphan grace period, unless set.
      ...(eventTimeScale !== undefined && !env.ORPHAN_THREAD_GRACE_SECONDS?.trim()
        ? { ORPHAN_THREAD_GRACE_SECONDS: String(orphanGraceSeconds(eventTimeScale)) }
        : {}),
    };
    const config = loadConfig(settings);
    if (options.telemetry || config.telemetry.otlpEndpoint || config.telemetry.azureMonitor) {
      const telemetry = startTelemetry(config.telemetry, options.telemetry);
      closers.push(() => telemetry.shutdown());
    }
    if (blob) {
      // The page uploads straight to Blob Storage: its origin (and the configured ones) get infra's CORS rule.
      const origins = [host.origin, ...(options.corsOrigins ?? [])];
      await prepareAttachmentsStorage(blob, attachmentsContainer, blob === options.attachments ? [] : origins);
    }
    host.mount(
      webAppMount(
        issuer,
        {
          ...(config.webPubSub ? { liveEndpoint: webPubSubEndpoint(config.webPubSub) } : {}),
          ...(config.attachments ? { blobEndpoint: config.attachments.blobEndpoint } : {}),
        },
        config.auth.adminRole,
      ),
    );
    const composition: CompositionOptions = {
      ...options.composition,
      ...(emulator
        ? { acsClientOptions: { ...options.composition?.acsClientOptions, tlsOptions: { ca: emulator.caCertPem } } }
        : {}),
      ...(emulator && options.backendOnEmulatorClock ? { clock: () => emulator.control.now() } : {}),
      ...(contentSafety
        ? {
            contentSafetyClientOptions: {
              ...options.composition?.contentSafetyClientOptions,
              tlsOptions: { ca: contentSafety.caCertPem },
            },
          }
        : {}),
      ...(blob
        ? {
            blobCredential: blob.credential,
            blobClientOptions: { ...options.composition?.blobClientOptions, tlsOptions: { ca: blob.caCertPem } },
          }
        : {}),
    };
    const services = lazyServices(() => createServices(config, composition));
    const functions = buildFunctionTable(config, services);
    host.setFunctions(functions);
    if (emulator) host.mount(mailboxMount(emulator));
    if (options.runTimers) {
      const stopTimers = runTimersOnSchedule(host, functions);
      closers.push(async () => stopTimers());
    }
    const chatEvents =
      emulator && options.subscribeChatEvents !== false
        ? await subscribeChatEvents(emulator, host, functions)
        : undefined;
    if (chatEvents)
      closers.push(async () => {
        emulator?.control.unsubscribeEvents(chatEvents.subscriptionId);
      });

    const info: DevStackInfo = {
      apiBaseUrl: host.apiBaseUrl,
      acs: emulator
        ? { endpoint: emulator.endpoint, connectionString: emulator.connectionString, caCertPath: emulator.caCertPath }
        : { endpoint: acsEndpoint(config.acs) },
      storage:
        config.tables.kind === 'connectionString'
          ? { connectionString: config.tables.connectionString }
          : { endpoint: config.tables.endpoint },
      auth: { issuer: config.auth.issuer, audience: config.auth.audiences[0] ?? DEV_AUDIENCE },
      ...(webPubSub
        ? { webPubSub: { endpoint: webPubSub.endpoint, connectionString: webPubSub.connectionString } }
        : {}),
      ...(chatEvents && eventTimeScale !== undefined
        ? { chatEvents: { ...chatEvents, timeScale: eventTimeScale } }
        : {}),
      ...(contentSafety && config.moderation.contentSafety
        ? {
            contentSafety: {
              endpoint: contentSafety.endpoint,
              key: contentSafety.key,
              caCertPath: contentSafety.caCertPath,
              blocklists: config.moderation.contentSafety.blocklists,
            },
          }
        : {}),
      ...(blob
        ? {
            blob: {
              endpoint: blob.blobEndpoint,
              container: attachmentsContainer,
              caCertPath: blob.caCertPath,
              connectionString: blob.connectionString,
            },
          }
        : {}),
    };
    return {
      host,
      issuer,
      ...(emulator ? { emulator } : {}),
      ...(webPubSub ? { webPubSub } : {}),
      ...(contentSafety ? { contentSafety } : {}),
      config,
      services,
      info,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Subscribes the emulator to every Event Grid trigger of the route table, for the event types it handles (as infra
 * does in Azure). A subscription kept in the emulator's data dir from an earlier run is replaced.
 */
async function subscribeChatEvents(
  emulator: RunningEmulator,
  host: DevHost,
  functions: FunctionDefinition[],
): Promise<{ webhook: string; subscriptionId: string } | undefined> {
  const trigger = functions.find((definition) => definition.kind === 'eventGrid');
  if (!trigger) return undefined;
  const webhook = `${host.origin}/runtime/webhooks/eventgrid?functionName=${encodeURIComponent(trigger.name)}`;
  for (const existing of emulator.control.listEventSubscriptions()) {
    if (existing.endpoint === webhook) emulator.control.unsubscribeEvents(existing.id);
  }
  const subscription = await emulator.control.subscribeEvents({
    endpoint: webhook,
    includedEventTypes: [...trigger.eventTypes],
  });
  return { webhook, subscriptionId: subscription.id };
}
