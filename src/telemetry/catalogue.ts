/**
 * Every span attribute and metric instrument the backend emits, named once. The instruments (instruments.ts), the
 * workbook and alert queries in infra/ and docs/operations.md use these names; `npm run lint:infra` checks that the
 * workbook shows every metric listed here.
 */

/** Span attributes of our own (the rest follow OpenTelemetry's semantic conventions). */
export const ATTRIBUTES = {
  /** The app user a request acts for: pseudonymised unless TELEMETRY_INCLUDE_USER_IDS allows the id itself. */
  user: 'chat.user',
  /** The chat thread a request or event is about: pseudonymised unless TELEMETRY_INCLUDE_USER_IDS allows it. */
  thread: 'chat.thread',
  /** The Event Grid event type, without the `Microsoft.Communication.` prefix. */
  eventType: 'chat.event.type',
  /** What handling an event did: handled, ignored or failed (failed events are delivered again). */
  eventOutcome: 'chat.event.outcome',
  /** Event time (when ACS published the event) to the end of its handling, in milliseconds. */
  eventLagMs: 'chat.event.lag_ms',
  /** Which upstream service a dependency span or call metric is about (see UPSTREAM_SERVICES). */
  upstreamService: 'chat.upstream.service',
  /** The upstream operation (`sendChatMessage`, `getEntity`, `sendToUser`, …); never an id. */
  upstreamOperation: 'chat.upstream.operation',
  /** The HTTP status an upstream answered (`429`, `201`, …), or `error` when no answer came. */
  upstreamStatus: 'chat.upstream.status',
  /** The Azure Table a Tables operation touched. */
  table: 'chat.table',
  /** The route template of a request (`threads/{threadId}/messages`). */
  route: 'http.route',
  /** A timer run's summary fields, e.g. `chat.run.deferred`. */
  runPrefix: 'chat.run.',
} as const;

export const UPSTREAM_SERVICES = [
  'acs.identity',
  'acs.chat',
  'acs.email',
  'tables',
  'webpubsub',
  'contentsafety',
] as const;
export type UpstreamService = (typeof UPSTREAM_SERVICES)[number];

export interface MetricDefinition {
  name: string;
  kind: 'counter' | 'histogram' | 'gauge';
  unit: string;
  description: string;
  /** The attributes each data point carries. */
  attributes: readonly string[];
}

export const METRICS = {
  requests: {
    name: 'chat.requests',
    kind: 'counter',
    unit: '{request}',
    description: 'HTTP requests answered, by route, method and status.',
    attributes: ['http.route', 'http.request.method', 'http.response.status_code'],
  },
  upstreamCalls: {
    name: 'chat.upstream.calls',
    kind: 'counter',
    unit: '{call}',
    description:
      'Calls to ACS (Identity, Chat, Email), Tables, Web PubSub and Content Safety, each attempt, by service, operation and status (429s visible).',
    attributes: [ATTRIBUTES.upstreamService, ATTRIBUTES.upstreamOperation, ATTRIBUTES.upstreamStatus],
  },
  fairUseRefusals: {
    name: 'chat.fair_use.refusals',
    kind: 'counter',
    unit: '{refusal}',
    description: 'Requests refused with 429 FairUseExceeded, by the limit that refused them.',
    attributes: ['chat.fair_use.limit'],
  },
  events: {
    name: 'chat.events',
    kind: 'counter',
    unit: '{event}',
    description: 'Event Grid events handled by chatEvents, by type and outcome (handled, ignored, failed).',
    attributes: [ATTRIBUTES.eventType, ATTRIBUTES.eventOutcome],
  },
  eventLag: {
    name: 'chat.event.lag',
    kind: 'histogram',
    unit: 'ms',
    description: 'Event time to the end of its handling.',
    attributes: [ATTRIBUTES.eventType],
  },
  pushes: {
    name: 'chat.pushes',
    kind: 'counter',
    unit: '{push}',
    description: 'Live pushes to Web PubSub, by target (user) and outcome (sent, failed).',
    attributes: ['chat.push.target', 'chat.push.outcome'],
  },
  pruningThreads: {
    name: 'chat.pruning.threads',
    kind: 'counter',
    unit: '{thread}',
    description: 'Threads a pruning run dealt with, by outcome (deleted, keptAlive, cleaned, failed, deferred).',
    attributes: ['chat.pruning.outcome'],
  },
  erasures: {
    name: 'chat.erasures',
    kind: 'counter',
    unit: '{erasure}',
    description: 'Erasure requests, by step (requested, completed).',
    attributes: ['chat.erasure.step'],
  },
  emailQueueDepth: {
    name: 'chat.email.queue_depth',
    kind: 'gauge',
    unit: '{entry}',
    description: 'Away-email entries due when a sendAwayEmails run started (at most the run reads).',
    attributes: [],
  },
  emails: {
    name: 'chat.emails',
    kind: 'counter',
    unit: '{email}',
    description:
      'Away-email decisions of sendAwayEmails runs, by outcome (sent, waiting, reading, off, nothingUnread, alreadyEmailed, noIdentity, throttled).',
    attributes: ['chat.email.outcome'],
  },
} as const satisfies Record<string, MetricDefinition>;
