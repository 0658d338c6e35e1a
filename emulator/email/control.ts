import type { EmulatorState, RequestContext } from '../acs/context';
import { badRequest, notFound } from '../acs/errors';
import { jsonBody, objectBody } from '../acs/request';
import type { ControlResult } from '../common/control-routes';
import { EMAIL_RATE_TIERS, type EmailRateLimits, type EmailRateLimitSetting, type RateWindow } from './limits';
import { type EmailMessageRecord, type EmailOperation, EmailState, type EmailStatus } from './state';

/** The Email part of the ACS emulator's control API: the mailbox, sending limits, linked domains, failures. */

/** An accepted email (sender, recipients, subject, bodies, custom headers, attachments) and its operation. */
export interface MailboxEntry extends EmailMessageRecord {
  operationId: string;
  apiVersion: string;
  /** Now, on the emulator clock: Running until the email is processed, then Succeeded or Failed. */
  status: EmailStatus;
  error?: { code: string; message: string };
  /** ISO times on the emulator clock. */
  acceptedAt: string;
  completedAt: string;
  /** Later requests with the same Operation-Id / Repeatability-Request-Id, which did not send again. */
  repeats: number;
}

export interface EmailFailureSpec {
  /** How many of the next accepted emails end Failed (default 1). */
  count?: number;
  /** Default the contract example's `EmailDropped` / "Email was dropped after several attempts to deliver." */
  code?: string;
  message?: string;
}

/** In-process handle, `emu.control.email`. */
export interface EmailControl {
  /** The mailbox: every accepted email, oldest first. */
  messages(): MailboxEntry[];
  message(operationId: string): MailboxEntry | undefined;
  /** Empties the mailbox (operations stay pollable). */
  clearMessages(): void;
  /** `'CustomDomain'` (default: 30/min, 100/h), `'AzureManagedDomain'` (5/min, 10/h), `'off'` or custom windows. */
  setRateLimit(setting: EmailRateLimitSetting): void;
  rateLimit(): EmailRateLimitSetting;
  /** `'any'` (default) or the linked domains: another sender domain → 404 DomainNotLinked. */
  setSenderDomains(domains: 'any' | string[]): void;
  senderDomains(): 'any' | string[];
  /** The next accepted emails end Failed (their GET shows the error). */
  failNext(spec?: EmailFailureSpec): void;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function mailboxEntry(op: EmailOperation, now: number): MailboxEntry {
  const status = EmailState.statusAt(op, now);
  const entry: MailboxEntry = {
    operationId: op.id,
    apiVersion: op.apiVersion,
    status,
    acceptedAt: iso(op.acceptedAt),
    completedAt: iso(op.completesAt),
    ...op.message,
    repeats: op.repeats,
  };
  if (status === 'Failed' && op.outcome.status === 'Failed') entry.error = op.outcome.error;
  return entry;
}

function windows(v: unknown, name: string): RateWindow[] {
  if (!Array.isArray(v)) throw badRequest(`'${name}' must be an array of {limit, windowSeconds}.`);
  return v.map((w: unknown) => {
    const { limit, windowSeconds } = (typeof w === 'object' && w !== null ? w : {}) as Record<string, unknown>;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit <= 0)
      throw badRequest(`'${name}[].limit' must be a positive integer.`);
    if (typeof windowSeconds !== 'number' || !Number.isInteger(windowSeconds) || windowSeconds <= 0)
      throw badRequest(`'${name}[].windowSeconds' must be a positive integer.`);
    return { limit, windowSeconds };
  });
}

export function validEmailRateLimit(value: unknown): EmailRateLimitSetting {
  if (value === 'off' || (typeof value === 'string' && value in EMAIL_RATE_TIERS))
    return value as EmailRateLimitSetting;
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    const limits: EmailRateLimits = { send: windows(o.send ?? [], 'send'), status: windows(o.status ?? [], 'status') };
    return limits;
  }
  throw badRequest("An email rate limit is 'CustomDomain', 'AzureManagedDomain', 'off' or {send, status}.");
}

export function validSenderDomains(value: unknown): 'any' | string[] {
  if (value === 'any') return value;
  if (Array.isArray(value) && value.every((d) => typeof d === 'string' && /^[^\s@]+\.[^\s@]+$/.test(d)))
    return value as string[];
  throw badRequest("Sender domains are 'any' or an array of domain names.");
}

export function createEmailControl(st: EmulatorState): EmailControl {
  return {
    messages: () => st.email.mailbox.map((op) => mailboxEntry(op, st.clock.now())),
    message: (id) => {
      const op = st.email.find(id);
      return op && st.email.mailbox.includes(op) ? mailboxEntry(op, st.clock.now()) : undefined;
    },
    clearMessages: () => {
      st.email.mailbox = [];
    },
    setRateLimit: (setting) => st.email.setRateLimit(validEmailRateLimit(setting)),
    rateLimit: () => st.email.rateLimit,
    setSenderDomains: (domains) => {
      st.email.senderDomains = validSenderDomains(domains);
    },
    senderDomains: () => st.email.senderDomains,
    failNext: (spec = {}) => {
      const count = spec.count ?? 1;
      if (!Number.isInteger(count) || count <= 0) throw badRequest("'count' must be a positive integer.");
      for (const key of ['code', 'message'] as const)
        if (spec[key] !== undefined && typeof spec[key] !== 'string') throw badRequest(`'${key}' must be a string.`);
      for (let i = 0; i < count; i++)
        st.email.failures.push({
          code: spec.code ?? 'EmailDropped',
          message: spec.message ?? 'Email was dropped after several attempts to deliver.',
        });
    },
  };
}

/** Serves `/_emulator/email/<segments>` (auth already checked by the ACS control dispatcher). */
export function handleEmailControl(
  ctx: RequestContext,
  segments: readonly string[],
  control: EmailControl,
): ControlResult {
  const [a, b] = segments;
  switch (`${ctx.method} ${a ?? ''}${b === undefined ? '' : '/*'}`) {
    case 'GET messages': {
      const value = control.messages();
      return { status: 200, body: { value, count: value.length } };
    }
    case 'DELETE messages':
      control.clearMessages();
      return { status: 204 };
    case 'GET messages/*': {
      const entry = control.message(b ?? '');
      if (!entry) throw notFound(`There is no email '${b ?? ''}' in the mailbox.`);
      return { status: 200, body: entry };
    }
    case 'GET rate-limit':
      return { status: 200, body: { rateLimit: control.rateLimit() } };
    case 'PUT rate-limit':
      control.setRateLimit(validEmailRateLimit(objectBody(ctx).rateLimit));
      return { status: 204 };
    case 'GET sender-domains':
      return { status: 200, body: { senderDomains: control.senderDomains() } };
    case 'PUT sender-domains':
      control.setSenderDomains(validSenderDomains(objectBody(ctx).senderDomains));
      return { status: 204 };
    case 'POST failures':
      control.failNext(jsonBody(ctx) ?? {});
      return { status: 204 };
    default:
      throw notFound(`Unknown control route ${ctx.method} /_emulator/email/${segments.join('/')}.`);
  }
}
