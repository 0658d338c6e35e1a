import { createHash, randomUUID } from 'node:crypto';

import type { EmulatorState, Handler, HandlerResult, RequestContext } from '../acs/context';
import { ApiError, notFound } from '../acs/errors';
import { objectBody, requireApiVersion } from '../acs/request';
import { requireEmailAuth } from './auth';
import {
  EMAIL_API_VERSIONS,
  GA_API_VERSIONS,
  PREVIEW_API_VERSION,
  REPEATABILITY_WINDOW_MS,
  SEND_LIMIT,
  STATUS_LIMIT,
} from './limits';
import { type EmailMessageRecord, type EmailOperation, EmailState, type EmailStatus } from './state';
import { gaMessage, previewMessage } from './validate';

/**
 * The Email data plane, mounted on the ACS emulator's front door (same endpoint, same access key):
 * `POST /emails:send` and `GET /emails/operations/{operationId}` (2023-03-31, 2025-09-01), and the
 * 2021-10-01-preview's `POST /emails:send` and `GET /emails/{messageId}/status` that Debian's Python SDK speaks.
 * Order of checks, as for chat: auth → api-version → request headers → rate limit → body → sender → operation.
 */

/** The routes the ACS router adds (method, path pattern, operation name). */
export const EMAIL_ROUTES: [method: string, pattern: string, operation: string][] = [
  ['POST', 'emails:send', 'email.send'],
  ['GET', 'emails/operations/{}', 'email.getSendResult'],
  ['GET', 'emails/{}/status', 'email.getSendStatus'],
];

/** The name a preview send is recorded under (onResponse), so the contract check picks the preview swagger. */
export const PREVIEW_SEND_OPERATION = 'email.sendPreview';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** RFC 7231 IMF-fixdate, e.g. `Tue, 26 Mar 2019 16:06:51 GMT`. */
const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
/** The preview contract's EmailAttachmentType enum. */
const PREVIEW_ATTACHMENT_TYPES: ReadonlySet<string> = new Set(
  'avi bmp doc docm docx gif jpeg mp3 one pdf png ppsm ppsx ppt pptm pptx pub rpmsg rtf tif txt vsd wav wma xls xlsb xlsm xlsx'.split(
    ' ',
  ),
);

function header(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * ACS only sends from the sender addresses of domains linked to the resource. With `senderDomains` set, an address of
 * another domain is refused as the service is reported to refuse it ("The specified sender domain has not been
 * linked."; the status is not documented, 404 is the emulator's reading). Usernames are not checked.
 */
function checkSender(email: EmailState, sender: string): void {
  if (email.senderDomains === 'any') return;
  const domain = sender.slice(sender.lastIndexOf('@') + 1).toLowerCase();
  if (!email.senderDomains.some((d) => d.toLowerCase() === domain))
    throw new ApiError(404, 'DomainNotLinked', 'The specified sender domain has not been linked.', {}, 'senderAddress');
}

/** Takes the email: it is Running for `processingMs` on the emulator clock, then Succeeded (or an injected failure). */
function accept(st: EmulatorState, id: string, apiVersion: string, message: EmailMessageRecord): EmailOperation {
  const now = st.clock.now();
  const failure = st.email.failures.shift();
  const op: EmailOperation = {
    id,
    apiVersion,
    acceptedAt: now,
    completesAt: now + st.email.processingMs,
    outcome: failure ? { status: 'Failed', error: failure } : { status: 'Succeeded' },
    message,
    repeats: 0,
  };
  st.email.add(op);
  return op;
}

/** Whole seconds until the operation ends, at least 1 (the contract's retry-after is an int32 of seconds). */
function retryAfter(op: EmailOperation, now: number): string {
  return String(Math.max(1, Math.ceil((op.completesAt - now) / 1000)));
}

function sendResult(op: EmailOperation, status: EmailStatus): { id: string; status: EmailStatus; error?: unknown } {
  return op.outcome.status === 'Failed' && status === 'Failed'
    ? { id: op.id, status, error: op.outcome.error }
    : { id: op.id, status };
}

/** 202 with the operation (new or repeated), Operation-Location and, while it runs, retry-after. */
function accepted(ctx: RequestContext, st: EmulatorState, op: EmailOperation, version: string): HandlerResult {
  const now = st.clock.now();
  const status = EmailState.statusAt(op, now);
  const headers: Record<string, string> = {
    'operation-location': `${ctx.baseUrl}/emails/operations/${encodeURIComponent(op.id)}?api-version=${version}`,
  };
  if (status === 'Running') headers['retry-after'] = retryAfter(op, now);
  return { status: 202, body: sendResult(op, status), headers };
}

const send: Handler = (ctx, st) => {
  requireEmailAuth(ctx, st);
  const version = requireApiVersion(ctx, EMAIL_API_VERSIONS);
  if (version === PREVIEW_API_VERSION) return sendPreview(ctx, st, version);
  // Contract: "This is the ID provided by the customer to identify the long running operation. If an ID is not
  // provided by the customer, the service will generate one." (header Operation-Id, format uuid)
  const operationId = header(ctx, 'operation-id');
  if (operationId !== undefined && !UUID.test(operationId))
    throw new ApiError(400, 'BadRequest', 'The Operation-Id header must be a UUID.', {}, 'Operation-Id');
  st.email.limiter.check(SEND_LIMIT, st.clock.now());
  const message = gaMessage(objectBody(ctx));
  checkSender(st.email, message.sender);
  const existing = operationId === undefined ? undefined : st.email.find(operationId);
  if (existing) {
    // Not documented: a repeat of an accepted Operation-Id is that operation; nothing is sent again (README).
    existing.repeats++;
    return accepted(ctx, st, existing, version);
  }
  return accepted(ctx, st, accept(st, operationId ?? randomUUID(), version, message), version);
};

/** Both status routes ("Get Email Status" on Learn, one limit): the operation now, with retry-after while it runs. */
function readOperation(
  ctx: RequestContext,
  st: EmulatorState,
  versions: ReadonlySet<string>,
): { op: EmailOperation; status: EmailStatus; headers: Record<string, string> } {
  requireEmailAuth(ctx, st);
  requireApiVersion(ctx, versions);
  const now = st.clock.now();
  st.email.limiter.check(STATUS_LIMIT, now);
  const op = st.email.find(ctx.params[0] ?? '');
  if (!op) throw notFound(`There is no email operation '${ctx.params[0] ?? ''}'.`);
  const status = EmailState.statusAt(op, now);
  return { op, status, headers: status === 'Running' ? { 'retry-after': retryAfter(op, now) } : {} };
}

const getSendResult: Handler = (ctx, st) => {
  const { op, status, headers } = readOperation(ctx, st, GA_API_VERSIONS);
  return { status: 200, body: sendResult(op, status), headers };
};

// ---- 2021-10-01-preview (Debian's azure-communication-email 1.0.0b2) ----

const rejected = (status: number, message: string, target?: string): ApiError =>
  new ApiError(
    status,
    status === 412 ? 'PreconditionFailed' : 'BadRequest',
    message,
    { 'repeatability-result': 'rejected' },
    target,
  );

/**
 * Learn "Repeatable requests" (Applies to: ACS Email, Email Send API): both headers are required; a malformed one is
 * 400, a first-sent time more than 5 minutes ago 412 (both "rejected"); a repeat within 5 minutes with another body
 * is 400, with the same body it gets the original's status (2xx or 4xx) without running again. 429s are not recorded
 * (throttling did not run the request). Times are checked against the real clock, which clients stamp them with.
 */
function sendPreview(ctx: RequestContext, st: EmulatorState, version: string): HandlerResult {
  ctx.operation = PREVIEW_SEND_OPERATION;
  const requestId = header(ctx, 'repeatability-request-id');
  const firstSent = header(ctx, 'repeatability-first-sent');
  if (!requestId || !UUID.test(requestId))
    throw rejected(400, 'The Repeatability-Request-Id header must be a GUID.', 'repeatability-request-id');
  const firstSentMs = firstSent && IMF_FIXDATE.test(firstSent) ? Date.parse(firstSent) : NaN;
  if (!Number.isFinite(firstSentMs))
    throw rejected(400, 'The Repeatability-First-Sent header must be an IMF-fixdate.', 'repeatability-first-sent');
  const realNow = Date.now();
  if (realNow - firstSentMs > REPEATABILITY_WINDOW_MS)
    throw rejected(
      412,
      'The Repeatability-First-Sent header is not within the 5 minute window.',
      'repeatability-first-sent',
    );
  st.email.limiter.check(SEND_LIMIT, st.clock.now());
  for (const [id, r] of st.email.repeatability)
    if (realNow - r.recordedAt > REPEATABILITY_WINDOW_MS) st.email.repeatability.delete(id);
  const bodyHash = createHash('sha256').update(ctx.body).digest('base64');
  const prior = st.email.repeatability.get(requestId.toLowerCase());
  if (prior) {
    if (prior.bodyHash !== bodyHash)
      throw rejected(400, 'The request does not match the earlier request with this Repeatability-Request-Id.');
    if (prior.operationId) {
      const op = st.email.find(prior.operationId);
      if (op) op.repeats++;
    }
    if (prior.status >= 400) {
      const error = (prior.body as { error: { code: string; message: string; target?: string } }).error;
      throw new ApiError(prior.status, error.code, error.message, prior.headers, error.target);
    }
    return { status: prior.status, headers: prior.headers };
  }
  const record = (status: number, headers: Record<string, string>, body?: unknown, operationId?: string): void => {
    const r = { bodyHash, recordedAt: realNow, status, headers, body, operationId };
    st.email.repeatability.set(requestId.toLowerCase(), r);
  };
  try {
    const message = previewMessage(objectBody(ctx), PREVIEW_ATTACHMENT_TYPES);
    checkSender(st.email, message.sender);
    const op = accept(st, randomUUID(), version, message);
    const headers = {
      'repeatability-result': 'accepted',
      'operation-location': `${ctx.baseUrl}/emails/${op.id}/status`,
      'x-ms-request-id': op.id,
    };
    record(202, headers, undefined, op.id);
    return { status: 202, headers };
  } catch (e) {
    if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429) {
      e.headers['repeatability-result'] = 'accepted';
      record(e.status, { ...e.headers }, e.body());
    }
    throw e;
  }
}

const PREVIEW_STATUS: Record<EmailStatus, string> = {
  NotStarted: 'queued',
  Running: 'queued',
  Succeeded: 'outForDelivery',
  Failed: 'dropped',
  Canceled: 'dropped',
};

const PREVIEW_VERSIONS: ReadonlySet<string> = new Set([PREVIEW_API_VERSION]);

const getSendStatus: Handler = (ctx, st) => {
  const { op, status, headers } = readOperation(ctx, st, PREVIEW_VERSIONS);
  return { status: 200, body: { messageId: op.id, status: PREVIEW_STATUS[status] }, headers };
};

export const emailHandlers: Record<string, Handler> = {
  'email.send': send,
  'email.getSendResult': getSendResult,
  'email.getSendStatus': getSendStatus,
};
