import { AzureKeyCredential, type TokenCredential } from '@azure/core-auth';
import type { CommonClientOptions } from '@azure/core-client';
import type { TableServiceClientOptions } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';

import { AttachmentService } from './attachments/attachment-service';
import { type BlobClientOptions, BlobFiles } from './attachments/blob-files';
import { AcsChat } from './chat/acs-chat';
import { type ChatDependencies, ThreadAccess } from './chat/chat-context';
import { ContinuationCodec } from './chat/continuation';
import { FairUse } from './chat/fair-use';
import { MessageService } from './chat/message-service';
import { onePage } from './chat/paging';
import { ParticipantService } from './chat/participant-service';
import { PeopleDirectory } from './chat/people';
import { ThreadService } from './chat/thread-service';
import type { AppConfig, NotificationsConfig } from './config';
import { ErasureService } from './erasure/erasure-service';
import { activityPrecisionFor, ChatEventService } from './events/chat-event-service';
import { ExportService } from './export/export-service';
import { HealthService } from './health';
import { type Authenticator, createAuthenticator } from './http/authenticate';
import { acsEndpoint, createIdentityClient } from './identity/acs-clients';
import { ActingTokens } from './identity/acting-tokens';
import { IdentityService } from './identity/identity-service';
import { InboxBackfill } from './inbox/inbox-backfill';
import { InboxService } from './inbox/inbox-service';
import { memoize, memoizeAsync } from './memo';
import { AuditLog } from './moderation/audit-log';
import { BanService } from './moderation/ban-service';
import { ContentGate } from './moderation/content-gate';
import { createTextAnalyzer } from './moderation/content-safety';
import { MessageScreening } from './moderation/message-screening';
import { ModerationSeal } from './moderation/moderation-seal';
import { ModeratorActions } from './moderation/moderator-actions';
import { ReportService } from './moderation/report-service';
import { TextModeration } from './moderation/text-moderation';
import { AwayMailer } from './notifications/away-mailer';
import { createEmailSender } from './notifications/email-sender';
import { NotificationSettingsService } from './notifications/notification-settings';
import { UnreadScheduler } from './notifications/unread-scheduler';
import { UnsubscribeLinks } from './notifications/unsubscribe-links';
import { PruneService } from './pruning/prune-service';
import { LiveUpdates } from './realtime/live-updates';
import { createWebPubSubChannel } from './realtime/web-pubsub-channel';
import { RetentionService } from './retention/retention-service';
import { AttachmentRepository } from './storage/attachment-repository';
import { ErasureRepository } from './storage/erasure-repository';
import { isStatus } from './storage/errors';
import { IdempotencyRepository } from './storage/idempotency-repository';
import { IdentityRepository } from './storage/identity-repository';
import { InboxRepository } from './storage/inbox-repository';
import { ModerationRepository, ReportRepository } from './storage/moderation-repository';
import { NotificationRepository } from './storage/notification-repository';
import { ScreeningRepository } from './storage/screening-repository';
import { SettingsRepository } from './storage/settings-repository';
import { createTableClients, ensureTables, type TableClients } from './storage/table-clients';
import { ThreadRepository } from './storage/thread-repository';
import { UsageRepository } from './storage/usage-repository';
import { pseudonyms } from './telemetry/pseudonyms';
import { type UpstreamKind, upstreamTelemetryPolicy } from './telemetry/upstream-policy';
import { fromUpstream, rethrowAs } from './upstream-errors';
import { failFastOnThrottlingPolicy } from './upstream-throttling';
import { DEFAULT_UPSTREAM_TIMEOUT_MS, timeoutPolicy } from './upstream-timeout';

/**
 * The composition root: builds every client and service once per process from validated configuration.
 * Tests and the dev host call it with their own endpoints and client options.
 */
export interface CompositionOptions {
  /** Extra Azure SDK options for the Tables clients (tests add counting policies here). */
  tablesClientOptions?: TableServiceClientOptions;
  /**
   * Extra Azure SDK options for the ACS clients (e.g. `tlsOptions.ca` for a local emulator, shorter retries in
   * tests).
   */
  acsClientOptions?: CommonClientOptions;
  /** Per-attempt timeout of every ACS and Tables HTTP call (default 10 s). */
  upstreamTimeoutMs?: number;
  /** Extra Azure SDK options for the Web PubSub client (tests shorten its timeout). */
  webPubSubClientOptions?: CommonClientOptions;
  /** Extra Azure SDK options for the Content Safety client (the dev stack's CA for its emulator, tests' policies). */
  contentSafetyClientOptions?: CommonClientOptions;
  /** The Blob Storage credential (default: DefaultAzureCredential, managed identity); the dev stack's for Azurite. */
  blobCredential?: TokenCredential;
  /** Extra options for the Blob client (the dev stack's CA for Azurite's HTTPS, tests' policies). */
  blobClientOptions?: BlobClientOptions;
  /**
   * The backend's clock, ms since the epoch (default `Date.now`): thread activity, retention, the orphan grace and
   * token renewal. Tests run it on the ACS emulator's clock, so that time moves for both at once.
   */
  clock?: () => number;
}

export interface Services {
  config: AppConfig;
  tables: TableClients;
  health: HealthService;
  authenticate: Authenticator;
  identity: IdentityService;
  actingTokens: ActingTokens;
  acsEndpoint: string;
  acsClientOptions: CommonClientOptions;
  chat: ChatDependencies;
  threads: ThreadService;
  pruning: PruneService;
  messages: MessageService;
  participants: ParticipantService;
  chatEvents: ChatEventService;
  inbox: InboxService;
  inboxBackfill: InboxBackfill;
  live: LiveUpdates;
  attachments: AttachmentService;
  bans: BanService;
  audit: AuditLog;
  reports: ReportService;
  exporter: ExportService;
  /** Away notifications by email; absent when EMAIL_SENDER is not configured. */
  notificationSettings?: NotificationSettingsService;
  unreadScheduler?: UnreadScheduler;
  awayMailer?: AwayMailer;
  unsubscribeLinks?: UnsubscribeLinks;
  /** After-the-fact checks of messages from their events; absent when Content Safety is not configured. */
  screening?: MessageScreening;
  /** The enforceRetention timer's work. */
  retention: RetentionService;
  erasure: ErasureService;
}

export type ServicesProvider = () => Promise<Services>;

export async function createServices(config: AppConfig, options: CompositionOptions = {}): Promise<Services> {
  // Managed identity in Azure (a user-assigned one when a client id is configured), developer credentials locally.
  const credentialFor = (clientId: string | undefined) =>
    memoize((): TokenCredential => new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {}));
  const timeout = {
    policy: timeoutPolicy(options.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS),
    position: 'perRetry' as const,
  };
  const failFast = { policy: failFastOnThrottlingPolicy(), position: 'perRetry' as const };
  // Fail fast: at most two quick retries of transient failures inside an invocation; longer waits are the client's.
  const retryOptions = { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1_000 };
  // First of the per-attempt policies, so that its span sees what the timeout and fail-fast policies make of a call.
  const telemetryOf = (kind: UpstreamKind) => ({
    policy: upstreamTelemetryPolicy(kind),
    position: 'perRetry' as const,
  });
  const acsClientOptions: CommonClientOptions = {
    retryOptions,
    ...options.acsClientOptions,
    additionalPolicies: [
      telemetryOf('acs'),
      ...(options.acsClientOptions?.additionalPolicies ?? []),
      timeout,
      failFast,
    ],
  };
  const tablesClientOptions: TableServiceClientOptions = {
    retryOptions,
    ...options.tablesClientOptions,
    additionalPolicies: [
      telemetryOf('tables'),
      ...(options.tablesClientOptions?.additionalPolicies ?? []),
      timeout,
      failFast,
    ],
  };
  const tablesCredential = credentialFor(config.tables.kind === 'managedIdentity' ? config.tables.clientId : undefined);
  const tables = createTableClients(config.tables, tablesCredential, tablesClientOptions);
  await ensureTables(tables).catch(rethrowAs(fromUpstream));

  const identityClient = createIdentityClient(
    config.acs,
    credentialFor(config.acs.kind === 'managedIdentity' ? config.acs.clientId : undefined),
    acsClientOptions,
  );
  const clock = options.clock ?? Date.now;
  // No new token to act as a banned user, whatever this instance's ban snapshot says (bans is built below).
  const actingTokens = new ActingTokens(identityClient, clock, (acsUserId): Promise<void> =>
    bans.assertMayActAs(acsUserId),
  );
  const identity = new IdentityService(new IdentityRepository(tables.identities), identityClient, actingTokens);

  const endpoint = acsEndpoint(config.acs);
  const settings = new SettingsRepository(tables.settings);
  // Telemetry's pseudonyms for user and thread ids: the key is the same on every instance, read when first needed.
  pseudonyms.configure(config.telemetry.includeUserIds);
  pseudonyms.keyFrom(() => settings.signingKey('telemetry'));
  const pagingKey = memoizeAsync(() => settings.signingKey('continuation'));
  const moderation = new ModerationRepository(tables.moderation);
  const audit = new AuditLog(moderation, config.moderation.auditDays, clock);
  const contentSafety = config.moderation.contentSafety;
  const textModeration = contentSafety
    ? new TextModeration(
        createTextAnalyzer(
          contentSafety,
          contentSafety.kind === 'key'
            ? new AzureKeyCredential(contentSafety.key)
            : credentialFor(contentSafety.clientId)(),
          {
            // No retry: a send waits on this call, and an unavailable Content Safety has a decided fallback (accept
            // and check from the event later, or 503 for the client to retry).
            retryOptions: { maxRetries: 0 },
            ...options.contentSafetyClientOptions,
            additionalPolicies: [
              telemetryOf('contentsafety'),
              ...(options.contentSafetyClientOptions?.additionalPolicies ?? []),
              { policy: timeoutPolicy(CONTENT_CHECK_TIMEOUT_MS), position: 'perRetry' },
              failFast,
            ],
          },
        ),
        contentSafety.thresholds,
      )
    : undefined;
  const seal = new ModerationSeal(memoizeAsync(() => settings.signingKey('moderation')));
  const chat: ChatDependencies = {
    acs: new AcsChat(endpoint, actingTokens, identity, acsClientOptions),
    people: new PeopleDirectory(identity),
    threads: new ThreadRepository(tables.threads, tables.activity),
    paging: new ContinuationCodec(pagingKey, endpoint),
    fairUse: new FairUse(new UsageRepository(tables.usage, clock), config.fairUse, clock),
    requests: new IdempotencyRepository(tables.requests, clock),
    ...(textModeration && contentSafety
      ? { screen: new ContentGate(textModeration, seal, audit, contentSafety.whenUnavailable) }
      : {}),
  };
  const threads = new ThreadService(chat, {
    ...(config.pruning.maxThreadAgeDays !== undefined ? { maxThreadAgeDays: config.pruning.maxThreadAgeDays } : {}),
    orphanGraceMs: config.orphanThreadGraceSeconds * 1000,
    now: clock,
  });

  const inboxes = new InboxRepository(tables.inbox, clock);

  const webPubSub = config.webPubSub;
  const live = new LiveUpdates(
    webPubSub
      ? createWebPubSubChannel(
          webPubSub,
          credentialFor(webPubSub.kind === 'managedIdentity' ? webPubSub.clientId : undefined),
          {
            // Push is best effort: a slow Web PubSub must not hold up an event or a typing call for long.
            retryOptions: { maxRetries: 1, retryDelayInMs: 100, maxRetryDelayInMs: 500 },
            ...options.webPubSubClientOptions,
            additionalPolicies: [
              telemetryOf('webpubsub'),
              ...(options.webPubSubClientOptions?.additionalPolicies ?? []),
              { policy: timeoutPolicy(LIVE_PUSH_TIMEOUT_MS), position: 'perRetry' },
              failFast,
            ],
          },
        )
      : undefined,
    chat.people,
    chat.acs,
    { clientMinutes: webPubSub?.clientMinutes ?? 60, now: clock },
  );

  const attachmentsConfig = config.attachments;
  const files = attachmentsConfig
    ? new BlobFiles(
        attachmentsConfig.blobEndpoint,
        attachmentsConfig.container,
        options.blobCredential ?? credentialFor(attachmentsConfig.clientId)(),
        {
          // Storage's own retry policy, with the same bounds as the other clients' (it takes no extra policies: the
          // SDK would add them to its pipeline twice).
          retryOptions: {
            maxTries: 3,
            retryDelayInMs: 200,
            maxRetryDelayInMs: 1_000,
            tryTimeoutInMs: options.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS,
          },
          ...options.blobClientOptions,
        },
      )
    : undefined;
  const access = new ThreadAccess(chat);
  const attachmentRecords = new AttachmentRepository(tables.attachments);
  const attachments = new AttachmentService(
    attachmentsConfig,
    files,
    attachmentRecords,
    {
      // The caller's inbox row says they are in the thread (0 ACS calls); without one (a thread created a moment
      // ago, before its event), ACS is asked as the caller.
      assertParticipant: async (scope, threadId) => {
        const acsUserId = await access.callerAcsUserId(scope);
        if (await inboxes.get(acsUserId, threadId).catch(() => undefined)) return;
        await access.assertParticipant(scope, threadId);
      },
      canSee: async (scope, threadId, messageId) => {
        const acsUserId = await access.callerAcsUserId(scope);
        return chat.acs
          .asUser(acsUserId, (client) => client.getChatThreadClient(threadId).getMessage(messageId))
          .then((message) => !message.deletedOn)
          .catch((error: unknown) => {
            if (isStatus(error, 404, 403)) return false;
            throw fromUpstream(error);
          });
      },
    },
    clock,
  );

  const bans: BanService = new BanService(moderation, identity, audit, clock, (userId, context) =>
    live.disconnect(userId, context),
  );
  const messages = new MessageService(chat, clock, attachments);
  const moderatorActions = new ModeratorActions(chat.acs);
  const reports = new ReportRepository(tables.moderation);

  const notifications: Partial<ReturnType<typeof notificationServices>> = config.notifications
    ? notificationServices(config.notifications)
    : {};
  function notificationServices(notificationsConfig: NotificationsConfig) {
    const repository = new NotificationRepository(tables.notifications);
    const links = new UnsubscribeLinks(
      memoizeAsync(() => settings.signingKey('unsubscribe')),
      clock,
    );
    return {
      notificationSettings: new NotificationSettingsService(repository),
      unreadScheduler: new UnreadScheduler(repository, identity),
      unsubscribeLinks: links,
      awayMailer: new AwayMailer({
        repository,
        inboxes,
        identity,
        live,
        sender: createEmailSender(
          config.acs,
          credentialFor(config.acs.kind === 'managedIdentity' ? config.acs.clientId : undefined),
          acsClientOptions,
        ),
        links,
        config: notificationsConfig,
        now: clock,
      }),
    };
  }

  const health = new HealthService(
    {
      storage: async () => {
        await tables.identities
          .listEntities({ queryOptions: { select: ['PartitionKey'] } })
          .byPage({ maxPageSize: 1 })
          .next();
      },
      acs: async () => {
        await chat.acs.asService((client) => onePage(client.listChatThreads({ maxPageSize: 1 }), undefined));
      },
      ...(live.enabled ? { webPubSub: () => live.probe() } : {}),
      ...(files ? { attachments: () => files.probe() } : {}),
    },
    // Without these, chat works: live updates fall back to polling, only files cannot be shared.
    new Set(['webPubSub', 'attachments']),
  );
  return {
    config,
    tables,
    health,
    authenticate: createAuthenticator(config.auth),
    identity,
    actingTokens,
    acsEndpoint: endpoint,
    acsClientOptions,
    chat,
    threads,
    pruning: new PruneService(chat.threads, threads, chat.acs, {
      retentionDays: config.pruning.retentionDays,
      now: clock,
    }),
    messages,
    participants: new ParticipantService(chat),
    chatEvents: new ChatEventService(
      chat.threads,
      { activityPrecisionMs: activityPrecisionFor(config.pruning.retentionDays), now: clock },
      {
        serviceAcsUserId: () => identity.serviceAcsUserId(),
        exists: (threadId) =>
          chat.acs
            .asService((client) => client.getChatThreadClient(threadId).getProperties())
            .then((properties) => !properties.deletedOn)
            .catch((error: unknown) => {
              if (isStatus(error, 404, 403)) return false;
              throw error;
            }),
        deleteThread: (threadId) =>
          chat.acs
            .asService((client) => client.deleteChatThread(threadId))
            .catch((error: unknown) => {
              if (!isStatus(error, 404, 403)) throw error;
            }),
        graceMs: config.orphanThreadGraceSeconds * 1000,
      },
    ),
    inbox: new InboxService(inboxes, identity),
    retention: new RetentionService(
      {
        cursors: settings,
        usage: new UsageRepository(tables.usage, clock),
        requests: chat.requests,
        inboxes,
        threads: chat.threads,
        screening: new ScreeningRepository(tables.moderation),
        reports: new ReportRepository(tables.moderation),
        moderation,
        notifications: new NotificationRepository(tables.notifications),
        erasures: new ErasureRepository(tables.erasures),
      },
      { ...config.retention, auditDays: config.moderation.auditDays },
      clock,
    ),
    inboxBackfill: new InboxBackfill(chat.threads, inboxes, chat.acs, identity),
    live,
    attachments,
    exporter: new ExportService(chat, identity, inboxes, notifications.notificationSettings, clock),
    ...notifications,
    bans,
    audit,
    ...(textModeration
      ? {
          screening: new MessageScreening({
            checks: new ScreeningRepository(tables.moderation),
            moderation: textModeration,
            seal,
            actions: moderatorActions,
            audit,
            live,
            identity,
            acs: chat.acs,
            now: clock,
          }),
        }
      : {}),
    erasure: new ErasureService({
      erasures: new ErasureRepository(tables.erasures),
      hashKey: memoizeAsync(() => settings.signingKey('erasure')),
      identity,
      identityClient,
      actingTokens,
      acs: chat.acs,
      threadRecords: chat.threads,
      threads,
      tables,
      requests: chat.requests,
      attachments: attachmentRecords,
      ...(files ? { files } : {}),
      reports,
      moderation,
      inboxes,
      shutOut: (userId, reason) => bans.shutOut(userId, reason),
      now: clock,
    }),
    reports: new ReportService(
      {
        messages,
        reports,
        audit,
        people: chat.people,
        actions: moderatorActions,
        bans,
      },
      clock,
    ),
  };
}

/** Per-attempt timeout of a Content Safety call: it holds up a send, so it must answer quickly or count as down. */
const CONTENT_CHECK_TIMEOUT_MS = 5_000;

/** Per-attempt timeout of a push to Web PubSub. */
const LIVE_PUSH_TIMEOUT_MS = 2_000;

/** Builds the services on first use and shares them; a failed build is retried on the next call. */
export function lazyServices(build: () => Promise<Services>): ServicesProvider {
  return memoizeAsync(build);
}
