import * as z from 'zod';

/**
 * Every app setting the backend reads, validated once at start.
 * A missing or malformed setting fails with a ConfigError that names it.
 */

export const USER_TOKEN_SCOPE_VALUES = ['chat', 'chat.join', 'chat.join.limited', 'voip', 'voip.join'] as const;
export const UserTokenScope = z.enum(USER_TOKEN_SCOPE_VALUES);
export type UserTokenScope = z.infer<typeof UserTokenScope>;

export const DEFAULT_ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024;
/** Images browsers show safely, PDF, plain text and Office documents (OOXML and the older binary formats). */
export const DEFAULT_ATTACHMENT_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
] as const;

/** On Event Grid's real clock: the dev stack scales it to its emulated Event Grid's (dev/local-stack.ts). */
export const DEFAULT_ORPHAN_THREAD_GRACE_SECONDS = 300;

export const HARM_CATEGORIES = ['Hate', 'Sexual', 'Violence', 'SelfHarm'] as const;
export type HarmCategory = (typeof HARM_CATEGORIES)[number];
/** Content Safety's "medium" severity: rejected from 4 up on its 0/2/4/6 scale. */
export const DEFAULT_MODERATION_THRESHOLDS = 'Hate=4,Sexual=4,Violence=4,SelfHarm=4';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const httpsOrLoopbackUrl = z.url({ message: 'must be an absolute URL' }).refine((value) => {
  if (!URL.canParse(value)) return true; // already reported by .url()
  const url = new URL(value);
  return url.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}, 'must use https (plain http is allowed only on loopback)');

/** Blob Storage always: a SAS handed to browsers must never travel in clear (Azurite locally runs HTTPS too). */
const httpsOnlyUrl = z
  .url({ message: 'must be an absolute URL' })
  .refine((value) => !URL.canParse(value) || new URL(value).protocol === 'https:', 'must use https');

const commaList = <Item extends z.ZodType<string, string>>(item: Item) =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    )
    .pipe(z.array(item).min(1, 'must list at least one value'));

const decimal = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a number')
    .transform(Number)
    .pipe(z.number().gt(min).max(max));

const integer = (min: number, max: number) =>
  z.string().trim().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max));

/** NCRONTAB as Azure Functions timers use it: six fields, seconds first. */
const ncrontab = z
  .string()
  .trim()
  .refine((value) => value.split(/\s+/).length === 6, 'must be an NCRONTAB expression with six fields');

/** The settings as they appear in the environment (app settings). */
export const settingsSchema = z.object({
  ACS_CONNECTION_STRING: optionalText,
  ACS_ENDPOINT: optionalText.pipe(httpsOrLoopbackUrl.optional()),
  AzureWebJobsStorage: optionalText,
  AzureWebJobsStorage__tableServiceUri: optionalText.pipe(httpsOrLoopbackUrl.optional()),
  AzureWebJobsStorage__clientId: optionalText,
  TABLES_CONNECTION_STRING: optionalText,
  TABLES_ENDPOINT: optionalText.pipe(httpsOrLoopbackUrl.optional()),
  TABLE_NAME_PREFIX: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,19}$/, 'must be letters and digits, starting with a letter, at most 20 characters')
    .default('chat'),
  AZURE_CLIENT_ID: optionalText,
  AUTH_ISSUER: httpsOrLoopbackUrl,
  AUTH_AUDIENCE: commaList(z.string().min(1)),
  AUTH_JWKS_URI: optionalText.pipe(httpsOrLoopbackUrl.optional()),
  AUTH_ADMIN_ROLE: z.string().trim().min(1).default('Chat.Admin'),
  AUTH_ROLES_CLAIM: z.string().trim().min(1).default('roles'),
  USER_TOKEN_SCOPES: commaList(UserTokenScope).default(['chat.join.limited']),
  USER_TOKEN_MINUTES: integer(60, 1440).default(60),
  THREAD_RETENTION_DAYS: decimal(0, 36500).default(30),
  // ACS accepts a threadCreationDate retention policy of whole days from 30 to 90 only.
  THREAD_MAX_AGE_DAYS: optionalText.pipe(integer(30, 90).optional()),
  PRUNE_SCHEDULE: ncrontab.default('0 0 3 * * *'),
  // Per-user fair use, per clock hour: far above what a person does by hand, low enough to stop a script.
  FAIR_USE_THREADS_PER_HOUR: integer(1, 1_000_000).default(200),
  FAIR_USE_NEW_IDENTITIES_PER_HOUR: integer(0, 1_000_000).default(500),
  // A thread ACS created without our record (its create timed out) is deleted after this long, unless recorded.
  ORPHAN_THREAD_GRACE_SECONDS: integer(0, 86_400).default(DEFAULT_ORPHAN_THREAD_GRACE_SECONDS),
  // Live updates: Azure Web PubSub, with managed identity in Azure or a connection string locally; off when neither.
  WEBPUBSUB_ENDPOINT: optionalText.pipe(httpsOrLoopbackUrl.optional()),
  WEBPUBSUB_CONNECTION_STRING: optionalText,
  // Web PubSub hub names: letters, digits and underscores, starting with a letter, at most 127 characters.
  WEBPUBSUB_HUB: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,126}$/, 'must be letters, digits and underscores, starting with a letter')
    .default('chat'),
  // How long a client URL from POST /api/realtime/negotiate is valid (a connection outlives its URL's expiry).
  WEBPUBSUB_CLIENT_MINUTES: integer(1, 60).default(60),
  // Attachments: a private Blob container reached with managed identity (user delegation SAS); off when unset.
  ATTACHMENTS_BLOB_ENDPOINT: optionalText.pipe(httpsOnlyUrl.optional()),
  // Container names: 3-63 lowercase letters, digits and single dashes, starting and ending with a letter or digit.
  ATTACHMENTS_CONTAINER: z
    .string()
    .regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a Blob container name (3-63 of a-z, 0-9 and dashes)')
    .default('attachments'),
  // Moderation: Azure AI Content Safety, managed identity in Azure or a key locally; content checks off when unset.
  CONTENT_SAFETY_ENDPOINT: optionalText.pipe(httpsOrLoopbackUrl.optional()),
  CONTENT_SAFETY_KEY: optionalText,
  // Custom blocklists (created in the Content Safety resource) every text is matched against.
  CONTENT_SAFETY_BLOCKLISTS: optionalText.pipe(
    commaList(
      z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be blocklist names (letters, digits, . _ -)'),
    ).optional(),
  ),
  // Severity (0-7) from which a harm category rejects a text; `off` never rejects for it.
  MODERATION_THRESHOLDS: z
    .string()
    .default(DEFAULT_MODERATION_THRESHOLDS)
    .transform((value, ctx) => parseThresholds(value, ctx)),
  // When Content Safety is down or throttles: `accept` sends the message and checks it when it answers again,
  // `refuse` answers 503 with Retry-After.
  MODERATION_WHEN_UNAVAILABLE: z.enum(['accept', 'refuse']).default('accept'),
  // How often queued checks (Content Safety was unavailable) are tried again (NCRONTAB).
  MODERATION_RECHECK_SCHEDULE: ncrontab.default('0 */2 * * * *'),
  // Away notifications by email (ACS Email through the ACS resource): off unless a sender address is set.
  EMAIL_SENDER: optionalText.pipe(z.email({ message: 'must be an email address' }).optional()),
  // Where the email's links take the reader (the chat app), and the API's own public URL for the unsubscribe link
  // (default in Azure: https://$WEBSITE_HOSTNAME/api).
  APP_BASE_URL: optionalText.pipe(httpsOrLoopbackUrl.optional()),
  PUBLIC_API_URL: optionalText.pipe(httpsOrLoopbackUrl.optional()),
  WEBSITE_HOSTNAME: optionalText,
  EMAIL_INCLUDE_PREVIEW: z.enum(['true', 'false']).default('true'),
  // The timer that sends due emails (NCRONTAB).
  EMAIL_SCHEDULE: ncrontab.default('0 */1 * * * *'),
  // How long the moderation audit trail keeps an entry (bans, unbans, rejections, reports and their resolution).
  MODERATION_AUDIT_DAYS: integer(1, 3650).default(365),
  // Data retention (src/storage/table-catalogue.ts): the enforceRetention timer, its work per run, and how long inbox
  // entries of threads a user left (or that were deleted) are kept.
  RETENTION_SCHEDULE: ncrontab.default('0 15 * * * *'),
  RETENTION_DELETIONS_PER_RUN: integer(1, 100_000).default(2_000),
  INBOX_LEFT_RETENTION_DAYS: decimal(1, 3650).default(7),
  // Telemetry (src/telemetry/): app user ids and thread ids appear in spans only as pseudonyms unless this is true.
  TELEMETRY_INCLUDE_USER_IDS: z.enum(['true', 'false']).default('false'),
  // The share of request and event traces kept (timer runs always are; metrics count everything).
  TELEMETRY_SAMPLING_RATIO: decimal(0, 1).default(1),
  // Or at most this many traces per second per instance (adaptive: every trace when it is quiet); not with the ratio.
  TELEMETRY_TRACES_PER_SECOND: decimal(0, 10_000).optional(),
  // Application Insights (the Functions host reads the same settings); `Authorization=AAD;ClientId=<id>` is keyless.
  APPLICATIONINSIGHTS_CONNECTION_STRING: optionalText,
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: optionalText,
  // An OpenTelemetry collector (OTLP over HTTP), e.g. a local one: http://127.0.0.1:4318.
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  ATTACHMENT_MAX_BYTES: integer(1, 1024 * 1024 * 1024).default(DEFAULT_ATTACHMENT_MAX_BYTES),
  ATTACHMENT_TYPES: commaList(z.string().regex(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/i, 'must be a media type')).default([
    ...DEFAULT_ATTACHMENT_TYPES,
  ]),
});

export type AcsConfig =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'managedIdentity'; endpoint: string; clientId?: string };
export type TablesConfig =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'managedIdentity'; endpoint: string; clientId?: string };

function parseThresholds(value: string, ctx: z.RefinementCtx): Partial<Record<HarmCategory, number>> {
  const thresholds: Partial<Record<HarmCategory, number>> = { Hate: 4, Sexual: 4, Violence: 4, SelfHarm: 4 };
  for (const part of value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const match = /^(\w+)\s*=\s*(off|[0-7])$/i.exec(part);
    const category = HARM_CATEGORIES.find((name) => name.toLowerCase() === match?.[1]?.toLowerCase());
    if (!match || !category) {
      ctx.addIssue({
        code: 'custom',
        message: `must be Category=severity pairs (${HARM_CATEGORIES.join(', ')}; 0-7 or off)`,
      });
      return z.NEVER;
    }
    if (match[2]!.toLowerCase() === 'off') delete thresholds[category];
    else thresholds[category] = Number(match[2]);
  }
  return thresholds;
}

export type ContentSafetyConfig = (
  { kind: 'key'; endpoint: string; key: string } | { kind: 'managedIdentity'; endpoint: string; clientId?: string }
) & {
  blocklists: string[];
  /** Severity from which a category rejects; a category left out never rejects. */
  thresholds: Partial<Record<HarmCategory, number>>;
  whenUnavailable: 'accept' | 'refuse';
  recheckSchedule: string;
};

export type WebPubSubConfig = (
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'managedIdentity'; endpoint: string; clientId?: string }
) & { hub: string; clientMinutes: number };

export interface AppConfig {
  acs: AcsConfig;
  tables: TablesConfig & { tableNamePrefix: string };
  auth: {
    issuer: string;
    audiences: string[];
    jwksUri?: string;
    adminRole: string;
    rolesClaim: string;
  };
  userTokens: { allowedScopes: UserTokenScope[]; defaultScopes: UserTokenScope[]; defaultMinutes: number };
  pruning: { retentionDays: number; schedule: string; maxThreadAgeDays?: number };
  fairUse: FairUseLimits;
  orphanThreadGraceSeconds: number;
  /** Live updates through Web PubSub; undefined when not configured (clients then poll). */
  webPubSub?: WebPubSubConfig;
  /** Content checks are on when `contentSafety` is configured; bans, reports and the audit trail always are. */
  moderation: { auditDays: number; contentSafety?: ContentSafetyConfig };
  /** The enforceRetention timer (see src/storage/table-catalogue.ts). */
  retention: { schedule: string; deletionsPerRun: number; inboxLeftDays: number };
  /** Away notifications by email; undefined when EMAIL_SENDER is not set. */
  notifications?: NotificationsConfig;
  /** Files in messages; undefined when no Blob endpoint is configured (the attachment routes answer 503). */
  attachments?: AttachmentsConfig;
  telemetry: TelemetryConfig;
}

export interface TelemetryConfig {
  includeUserIds: boolean;
  /** 0..1: the share of traces kept (whole traces, by trace id); timer runs are always kept. */
  samplingRatio: number;
  /** Instead of the ratio: at most this many traces per second per instance. */
  tracesPerSecond?: number;
  /** Export to Application Insights; `aad` when the authentication string asks for Entra ID (no key). */
  azureMonitor?: { connectionString: string; aad?: { clientId?: string } };
  otlpEndpoint?: string;
}

export interface NotificationsConfig {
  sender: string;
  /** The chat app's URL, linked from every email (without it, emails name no link to the app). */
  appBaseUrl?: string;
  /** The API's public base URL (ending in /api), for the unsubscribe link. */
  apiBaseUrl: string;
  includePreview: boolean;
  schedule: string;
}

export interface AttachmentsConfig {
  /** `https://<account>.blob.core.windows.net` (Azurite locally: `https://127.0.0.1:<port>/devstoreaccount1`). */
  blobEndpoint: string;
  container: string;
  maxBytes: number;
  /** Media types, lowercase. */
  allowedTypes: string[];
  clientId?: string;
}

export interface FairUseLimits {
  /** Threads one user may create per clock hour. */
  threadsPerHour: number;
  /** ACS identities one user may cause to be created for others (people who never signed in) per clock hour. */
  newIdentitiesPerHour: number;
}

/** Settings the app needs when it runs in Azure (keyless). Infra lint checks that the Bicep sets each of them. */
export const AZURE_REQUIRED_SETTINGS = [
  'ACS_ENDPOINT',
  'AzureWebJobsStorage__tableServiceUri',
  'AUTH_ISSUER',
  'AUTH_AUDIENCE',
  'WEBPUBSUB_ENDPOINT',
  'ATTACHMENTS_BLOB_ENDPOINT',
  'CONTENT_SAFETY_ENDPOINT',
  'EMAIL_SENDER',
] as const;

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${setting} ${problem}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  // App settings left empty (as Bicep or the portal may leave them) count as unset.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = String(issue?.path[0] ?? 'unknown setting');
    const missing = env[setting] === undefined || env[setting]?.trim() === '';
    throw new ConfigError(
      setting,
      missing ? 'is required but not set' : `is malformed: ${issue?.message ?? 'invalid value'}`,
    );
  }
  const s = parsed.data;
  return {
    acs: resolveAcs(s),
    tables: { ...resolveTables(s), tableNamePrefix: s.TABLE_NAME_PREFIX },
    auth: {
      issuer: s.AUTH_ISSUER,
      audiences: s.AUTH_AUDIENCE,
      ...(s.AUTH_JWKS_URI ? { jwksUri: s.AUTH_JWKS_URI } : {}),
      adminRole: s.AUTH_ADMIN_ROLE,
      rolesClaim: s.AUTH_ROLES_CLAIM,
    },
    userTokens: {
      allowedScopes: s.USER_TOKEN_SCOPES,
      defaultScopes: s.USER_TOKEN_SCOPES.includes('chat.join.limited') ? ['chat.join.limited'] : s.USER_TOKEN_SCOPES,
      defaultMinutes: s.USER_TOKEN_MINUTES,
    },
    pruning: {
      retentionDays: s.THREAD_RETENTION_DAYS,
      schedule: s.PRUNE_SCHEDULE,
      ...(s.THREAD_MAX_AGE_DAYS !== undefined ? { maxThreadAgeDays: s.THREAD_MAX_AGE_DAYS } : {}),
    },
    fairUse: {
      threadsPerHour: s.FAIR_USE_THREADS_PER_HOUR,
      newIdentitiesPerHour: s.FAIR_USE_NEW_IDENTITIES_PER_HOUR,
    },
    orphanThreadGraceSeconds: s.ORPHAN_THREAD_GRACE_SECONDS,
    moderation: { auditDays: s.MODERATION_AUDIT_DAYS, ...optionalContentSafety(s) },
    retention: {
      schedule: s.RETENTION_SCHEDULE,
      deletionsPerRun: s.RETENTION_DELETIONS_PER_RUN,
      inboxLeftDays: s.INBOX_LEFT_RETENTION_DAYS,
    },
    telemetry: telemetryOf(s),
    ...optionalWebPubSub(s),
    ...optionalNotifications(s),
    ...(s.ATTACHMENTS_BLOB_ENDPOINT
      ? {
          attachments: {
            blobEndpoint: s.ATTACHMENTS_BLOB_ENDPOINT.replace(/\/+$/, ''),
            container: s.ATTACHMENTS_CONTAINER,
            maxBytes: s.ATTACHMENT_MAX_BYTES,
            allowedTypes: [...new Set(s.ATTACHMENT_TYPES.map((type) => type.toLowerCase()))],
            ...(s.AZURE_CLIENT_ID ? { clientId: s.AZURE_CLIENT_ID } : {}),
          },
        }
      : {}),
  };
}

type Settings = z.infer<typeof settingsSchema>;

function resolveAcs(s: Settings): AcsConfig {
  if (s.ACS_CONNECTION_STRING) {
    if (!/endpoint=.+;accesskey=.+/i.test(s.ACS_CONNECTION_STRING)) {
      throw new ConfigError('ACS_CONNECTION_STRING', 'is malformed: expected endpoint=<url>;accesskey=<key>');
    }
    return { kind: 'connectionString', connectionString: s.ACS_CONNECTION_STRING };
  }
  if (s.ACS_ENDPOINT) {
    return {
      kind: 'managedIdentity',
      endpoint: s.ACS_ENDPOINT,
      ...(s.AZURE_CLIENT_ID ? { clientId: s.AZURE_CLIENT_ID } : {}),
    };
  }
  throw new ConfigError('ACS_ENDPOINT', 'is required but not set (or set ACS_CONNECTION_STRING for local development)');
}

function optionalWebPubSub(s: Settings): { webPubSub?: WebPubSubConfig } {
  const common = { hub: s.WEBPUBSUB_HUB, clientMinutes: s.WEBPUBSUB_CLIENT_MINUTES };
  if (s.WEBPUBSUB_CONNECTION_STRING) {
    const endpoint = /(?:^|;)\s*endpoint=([^;]+)/i.exec(s.WEBPUBSUB_CONNECTION_STRING)?.[1]?.trim();
    if (!endpoint || !/(?:^|;)\s*accesskey=[^;]+/i.test(s.WEBPUBSUB_CONNECTION_STRING)) {
      throw new ConfigError('WEBPUBSUB_CONNECTION_STRING', 'is malformed: expected Endpoint=<url>;AccessKey=<key>;');
    }
    const url = httpsOrLoopbackUrl.safeParse(endpoint);
    if (!url.success) {
      throw new ConfigError(
        'WEBPUBSUB_CONNECTION_STRING',
        `is malformed: its Endpoint ${url.error.issues[0]?.message}`,
      );
    }
    return { webPubSub: { kind: 'connectionString', connectionString: s.WEBPUBSUB_CONNECTION_STRING, ...common } };
  }
  if (s.WEBPUBSUB_ENDPOINT) {
    return {
      webPubSub: {
        kind: 'managedIdentity',
        endpoint: s.WEBPUBSUB_ENDPOINT,
        ...(s.AZURE_CLIENT_ID ? { clientId: s.AZURE_CLIENT_ID } : {}),
        ...common,
      },
    };
  }
  return {};
}

function telemetryOf(s: Settings): TelemetryConfig {
  if (s.TELEMETRY_TRACES_PER_SECOND !== undefined && s.TELEMETRY_SAMPLING_RATIO !== 1)
    throw new ConfigError('TELEMETRY_TRACES_PER_SECOND', 'cannot be set with TELEMETRY_SAMPLING_RATIO: choose one');
  const authentication = new Map(
    (s.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? '')
      .split(';')
      .map((part) => part.split('=').map((piece) => piece.trim()))
      .filter((pair): pair is [string, string] => pair.length === 2 && pair[0] !== '')
      .map(([key, value]) => [key.toLowerCase(), value]),
  );
  const aad = authentication.get('authorization')?.toLowerCase() === 'aad';
  const clientId = authentication.get('clientid');
  return {
    includeUserIds: s.TELEMETRY_INCLUDE_USER_IDS === 'true',
    samplingRatio: s.TELEMETRY_SAMPLING_RATIO,
    ...(s.TELEMETRY_TRACES_PER_SECOND !== undefined ? { tracesPerSecond: s.TELEMETRY_TRACES_PER_SECOND } : {}),
    ...(s.APPLICATIONINSIGHTS_CONNECTION_STRING
      ? {
          azureMonitor: {
            connectionString: s.APPLICATIONINSIGHTS_CONNECTION_STRING,
            ...(aad ? { aad: clientId ? { clientId } : {} } : {}),
          },
        }
      : {}),
    ...(s.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: s.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
  };
}

function optionalNotifications(s: Settings): { notifications?: NotificationsConfig } {
  if (!s.EMAIL_SENDER) return {};
  const apiBaseUrl = s.PUBLIC_API_URL ?? (s.WEBSITE_HOSTNAME ? `https://${s.WEBSITE_HOSTNAME}/api` : undefined);
  if (!apiBaseUrl)
    throw new ConfigError('PUBLIC_API_URL', 'is required with EMAIL_SENDER outside Azure (the unsubscribe link)');
  return {
    notifications: {
      sender: s.EMAIL_SENDER,
      ...(s.APP_BASE_URL ? { appBaseUrl: s.APP_BASE_URL.replace(/\/+$/, '') } : {}),
      apiBaseUrl: apiBaseUrl.replace(/\/+$/, ''),
      includePreview: s.EMAIL_INCLUDE_PREVIEW === 'true',
      schedule: s.EMAIL_SCHEDULE,
    },
  };
}

function optionalContentSafety(s: Settings): { contentSafety?: ContentSafetyConfig } {
  if (!s.CONTENT_SAFETY_ENDPOINT) {
    if (s.CONTENT_SAFETY_KEY) throw new ConfigError('CONTENT_SAFETY_ENDPOINT', 'is required with CONTENT_SAFETY_KEY');
    return {};
  }
  const common = {
    blocklists: s.CONTENT_SAFETY_BLOCKLISTS ?? [],
    thresholds: s.MODERATION_THRESHOLDS,
    whenUnavailable: s.MODERATION_WHEN_UNAVAILABLE,
    recheckSchedule: s.MODERATION_RECHECK_SCHEDULE,
  };
  const endpoint = s.CONTENT_SAFETY_ENDPOINT;
  if (s.CONTENT_SAFETY_KEY) return { contentSafety: { kind: 'key', endpoint, key: s.CONTENT_SAFETY_KEY, ...common } };
  return {
    contentSafety: {
      kind: 'managedIdentity',
      endpoint,
      ...(s.AZURE_CLIENT_ID ? { clientId: s.AZURE_CLIENT_ID } : {}),
      ...common,
    },
  };
}

function resolveTables(s: Settings): TablesConfig {
  const clientId = s.AzureWebJobsStorage__clientId ?? s.AZURE_CLIENT_ID;
  const withClientId = clientId ? { clientId } : {};
  if (s.TABLES_CONNECTION_STRING) return { kind: 'connectionString', connectionString: s.TABLES_CONNECTION_STRING };
  if (s.TABLES_ENDPOINT) return { kind: 'managedIdentity', endpoint: s.TABLES_ENDPOINT, ...withClientId };
  if (s.AzureWebJobsStorage) return { kind: 'connectionString', connectionString: s.AzureWebJobsStorage };
  if (s.AzureWebJobsStorage__tableServiceUri) {
    return { kind: 'managedIdentity', endpoint: s.AzureWebJobsStorage__tableServiceUri, ...withClientId };
  }
  throw new ConfigError(
    'AzureWebJobsStorage__tableServiceUri',
    'is required but not set (or set AzureWebJobsStorage to a connection string for local development)',
  );
}
